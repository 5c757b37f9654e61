"""Route matrix cases for external events, participation requests and R-EXT-4 detection.

Events are hosted at school s1, so their competent authority is office d1, where the
matrix's callers hold their role. Consents belong to the head of the person's own unit,
so those cases ask for a staff member of d1 itself.
"""

from app.auth.models import Role
from app.external.models import ExternalEvent, ParticipationRequest
from tests.external.factories import COMMITMENT, event_body, make_event, make_request
from tests.factories import make_staff
from tests.matrix.base import Case, Request, World, u

EVENTS = "/api/v1/external-events"
REQUESTS = "/api/v1/participation-requests"


def _event(w: World, approved: bool = False) -> ExternalEvent:
    return make_event(w.session, w.units["s1"], approved=approved)


def _office_request(w: World, approved: bool = True) -> ParticipationRequest:
    """A request of a staff member of office d1, whose own unit head is the d1 head."""
    staff = make_staff(w.session, w.units["d1"])
    return make_request(w.session, _event(w, approved=approved), staff)


def _event_action(w: World, verb: str, body: dict[str, object], approved: bool = False) -> Request:
    url = f"{EVENTS}/{_event(w, approved).id}"
    return f"{url}/{verb}", body, w.etag(url)


def _request_action(w: World, verb: str, body: dict[str, object] | None = None) -> Request:
    url = f"{REQUESTS}/{_office_request(w).id}"
    return f"{url}/{verb}", body, w.etag(url)


def _listing(url: str, target: object) -> Request:
    """A list URL, once ``target`` (built by the caller) exists for the list to show."""
    del target
    return url, None, {}


APPROVAL = {"document_number": "45/PGDĐT", "document_on": "2024-10-01", "signer_name": "Lê Thu"}
REASON = {"reason": "Nội dung chương trình chưa phù hợp"}

CASES = [
    Case(
        "GET",
        EVENTS,
        Role.inspector,
        lambda w: _listing(EVENTS, _event(w)),
        sees_target=lambda w, b: any(i["host_unit_id"] == u(w) for i in b["items"]),
    ),
    Case(
        "POST",
        EVENTS,
        Role.department_officer,
        lambda w: (EVENTS, event_body(w.units["s1"]), {}),
        expect=201,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        f"{EVENTS}/queue",
        Role.department_officer,
        lambda w: _listing(f"{EVENTS}/queue", _event(w)),
        sees_target=lambda w, b: any(i["authority_unit_id"] == u(w, "d1") for i in b["items"]),
    ),
    Case(
        "GET",
        f"{EVENTS}/{{external_event_id}}",
        Role.inspector,
        lambda w: (f"{EVENTS}/{_event(w).id}", None, {}),
    ),
    Case(
        "PATCH",
        f"{EVENTS}/{{external_event_id}}",
        Role.department_officer,
        lambda w: (
            lambda url: (url, {"title": "Hội thảo đổi mới phương pháp dạy học"}, w.etag(url))
        )(f"{EVENTS}/{_event(w).id}"),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        f"{EVENTS}/{{external_event_id}}/approve",
        Role.department_officer,
        lambda w: _event_action(w, "approve", APPROVAL),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        f"{EVENTS}/{{external_event_id}}/reject",
        Role.department_officer,
        lambda w: _event_action(w, "reject", REASON),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        f"{EVENTS}/{{external_event_id}}/revoke",
        Role.department_officer,
        lambda w: _event_action(w, "revoke", REASON, approved=True),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        f"{EVENTS}/{{external_event_id}}/attendance-imports",
        Role.department_officer,
        lambda w: (
            f"{EVENTS}/{_event(w, approved=True).id}/attendance-imports",
            {"attendees": [{"staff_id": w.staff.id}]},
            {},
        ),
        wrong=Role.unit_head,
    ),
    Case(
        "GET",
        REQUESTS,
        Role.inspector,
        lambda w: _listing(REQUESTS, make_request(w.session, _event(w), w.staff)),
        sees_target=lambda w, b: w.staff.id in {i["staff_id"] for i in b["items"]},
    ),
    Case(
        "POST",
        REQUESTS,
        Role.unit_head,
        lambda w: (
            REQUESTS,
            {
                "external_event_id": _event(w, approved=True).id,
                "staff_id": make_staff(w.session, w.units["d1"]).id,
                "commitment_text": COMMITMENT,
                "commitment_acknowledged": True,
            },
            {},
        ),
        expect=201,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        f"{REQUESTS}/counts",
        Role.inspector,
        lambda w: _listing(f"{REQUESTS}/counts", make_request(w.session, _event(w), w.staff)),
        sees_target=lambda w, b: b["submitted"] >= 1 and b["total"] >= 1,
    ),
    Case(
        "GET",
        f"{REQUESTS}/{{participation_request_id}}",
        Role.inspector,
        lambda w: (f"{REQUESTS}/{_office_request(w).id}", None, {}),
    ),
    Case(
        "POST",
        f"{REQUESTS}/{{participation_request_id}}/consent",
        Role.unit_head,
        lambda w: _request_action(w, "consent"),
        wrong=Role.department_officer,
    ),
    Case(
        "POST",
        f"{REQUESTS}/{{participation_request_id}}/refuse",
        Role.unit_head,
        lambda w: _request_action(w, "refuse", REASON),
        wrong=Role.department_officer,
    ),
    Case(
        "POST",
        f"{REQUESTS}/{{participation_request_id}}/withdraw",
        Role.unit_head,
        lambda w: _request_action(w, "withdraw"),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        "/api/v1/violations/external",
        Role.unit_head,
        lambda w: (
            "/api/v1/violations/external",
            {
                "kind": "unapproved_participation",
                "staff_id": w.staff.id,
                "evidence": "Ảnh chụp danh sách ký tên tại hội thảo ngày 12/10/2024.",
            },
            {},
        ),
        expect=201,
        wrong=Role.inspector,
    ),
]
