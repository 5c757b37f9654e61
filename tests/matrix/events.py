"""Route matrix cases for Sở events, nominations, attendance, absence letters and reports.

The event is organised by office d1 and summons school s1; the world's staff member (a
teacher of s1) is nominated and accepted. Organisers are department officers of d1.
"""

from datetime import timedelta
from typing import Any

from app.auth.models import Role
from app.core.model_base import utcnow
from app.events import attendance
from app.events.models import AbsenceExcuse, MarkStatus
from app.events.schemas import ExcuseCreate, MarkInput, MarksInput
from tests.events.builders import Built, build_event, nominate
from tests.factories import SYSTEM, make_staff
from tests.matrix.base import Case, World, ids_in, u

E = "/api/v1/events"
DO, INSP, HEAD = Role.department_officer, Role.inspector, Role.unit_head


def ev(w: World, summon: bool = True) -> Built:
    if "built" not in w.__dict__ or w.__dict__["built"][1] != summon:
        built = build_event(w.session, w.units["d1"], [w.units["s1"]], summon=summon)
        if summon:
            nominate(w.session, built, w.staff.id or 0)
        w.__dict__["built"] = (built, summon)
    return w.__dict__["built"][0]


def eid(w: World, summon: bool = True) -> int:
    return ev(w, summon).event.id or 0


def sid(w: World) -> int:
    return ev(w).sessions[0].id or 0


def over_and_marked(w: World) -> int:
    """The event's sessions in the past and marked, so it may close (R-ATT-3)."""
    built = ev(w)
    for i, row in enumerate(built.sessions):
        row.starts_at = utcnow() - timedelta(days=2, hours=-4 * i)
        row.ends_at = row.starts_at + timedelta(hours=3)
        marks = MarksInput(marks=[MarkInput(staff_id=w.staff.id or 0, status=MarkStatus.present)])
        attendance.mark_session(w.session, SYSTEM, built.event, row, marks)
    w.session.flush()
    return built.event.id or 0


def etag_of(w: World, url: str) -> dict[str, str]:
    return w.etag(url)


def nomination_id(w: World) -> int:
    from sqlalchemy import select

    from app.events.models import Nomination

    ev(w)
    return w.session.scalar(select(Nomination.id).where(Nomination.staff_id == w.staff.id)) or 0


def fresh_nominee(w: World) -> int:
    return make_staff(w.session, w.units["s1"]).id or 0


def excuse(w: World) -> AbsenceExcuse:
    built = ev(w)
    return (
        attendance.submit_excuse(
            w.session,
            SYSTEM,
            ExcuseCreate(session_id=sid(w), staff_id=w.staff.id or 0, reason="Ốm, có giấy khám"),
        )
        if built
        else None
    )  # type: ignore[return-value]


def ex_url(w: World) -> str:
    return f"/api/v1/absence-excuses/{excuse(w).id}"


def new_session_body() -> dict[str, Any]:
    start = utcnow() + timedelta(days=9)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()}


def proposed(w: World) -> int:
    n = nominate(w.session, ev(w), fresh_nominee(w), accept=False)
    return n.id or 0


CASES = [
    Case(
        "GET",
        E,
        INSP,
        lambda w: (eid(w) and E, None, {}),
        sees_target=lambda w, b: eid(w) in ids_in(b),
    ),
    Case(
        "POST",
        E,
        DO,
        lambda w: (
            E,
            {
                "kind": "conference",
                "organizer_unit_id": u(w, "d1"),
                "title": "Hội nghị tổng kết",
                "school_year": "2024-2025",
            },
            {},
        ),
        expect=201,
        wrong=INSP,
    ),
    Case("GET", E + "/{event_id}", INSP, lambda w: (f"{E}/{eid(w)}", None, {})),
    Case(
        "PATCH",
        E + "/{event_id}",
        DO,
        lambda w: (
            f"{E}/{eid(w, False)}",
            {"location": "Phòng họp số 2"},
            etag_of(w, f"{E}/{eid(w, False)}"),
        ),
        wrong=INSP,
    ),
    Case(
        "POST",
        E + "/{event_id}/summon",
        DO,
        lambda w: (f"{E}/{eid(w, False)}/summon", {}, etag_of(w, f"{E}/{eid(w, False)}")),
        wrong=INSP,
    ),
    Case(
        "POST",
        E + "/{event_id}/cancel",
        DO,
        lambda w: (
            f"{E}/{eid(w)}/cancel",
            {"reason": "Hoãn do thời tiết"},
            etag_of(w, f"{E}/{eid(w)}"),
        ),
        wrong=INSP,
    ),
    Case(
        "POST",
        E + "/{event_id}/close",
        DO,
        lambda w: (
            f"{E}/{over_and_marked(w)}/close",
            None,
            etag_of(w, f"{E}/{eid(w)}"),
        ),
        wrong=INSP,
    ),
    Case("GET", E + "/{event_id}/sessions", INSP, lambda w: (f"{E}/{eid(w)}/sessions", None, {})),
    Case(
        "POST",
        E + "/{event_id}/sessions",
        DO,
        lambda w: (f"{E}/{eid(w, False)}/sessions", new_session_body(), {}),
        expect=201,
        wrong=INSP,
    ),
    Case(
        "DELETE",
        E + "/{event_id}/sessions/{session_id}",
        DO,
        lambda w: (f"{E}/{eid(w, False)}/sessions/{ev(w, False).sessions[1].id}", None, {}),
        expect=204,
        wrong=INSP,
    ),
    Case(
        "POST",
        E + "/{event_id}/sessions/{session_id}/amend",
        DO,
        lambda w: (
            f"{E}/{eid(w)}/sessions/{sid(w)}/amend",
            {**new_session_body(), "reason": "Đổi lịch do trùng kỳ thi"},
            {},
        ),
        wrong=INSP,
    ),
    Case(
        "POST",
        E + "/{event_id}/sessions/{session_id}/cancel",
        DO,
        lambda w: (
            f"{E}/{eid(w)}/sessions/{sid(w)}/cancel",
            {"reason": "Hoãn do mưa bão, theo chỉ đạo của UBND tỉnh"},
            {},
        ),
        wrong=INSP,
    ),
    Case(
        "GET", E + "/{event_id}/amendments", INSP, lambda w: (f"{E}/{eid(w)}/amendments", None, {})
    ),
    Case(
        "GET",
        E + "/{event_id}/requirements",
        INSP,
        lambda w: (f"{E}/{eid(w)}/requirements", None, {}),
    ),
    Case(
        "POST",
        E + "/{event_id}/requirements",
        DO,
        lambda w: (
            f"{E}/{eid(w, False)}/requirements",
            {"unit_ids": [u(w, "s1b")], "quota": 1},
            {},
        ),
        expect=201,
        wrong=INSP,
    ),
    Case(
        "DELETE",
        E + "/{event_id}/requirements/{requirement_id}",
        DO,
        lambda w: (f"{E}/{eid(w, False)}/requirements/{ev(w, False).requirement.id}", None, {}),
        expect=204,
        wrong=INSP,
    ),
    Case(
        "GET",
        E + "/{event_id}/to-fill",
        HEAD,
        lambda w: (f"{E}/{eid(w)}/to-fill", None, {}),
        unit="s1",
        sibling_unit="s2",
    ),
    Case(
        "GET",
        E + "/{event_id}/nominations",
        INSP,
        lambda w: (f"{E}/{eid(w)}/nominations", None, {}),
    ),
    Case(
        "POST",
        E + "/{event_id}/nominations",
        HEAD,
        lambda w: (
            f"{E}/{eid(w)}/nominations",
            {"staff_id": fresh_nominee(w), "requirement_id": ev(w).requirement.id},
            {},
        ),
        expect=201,
        wrong=INSP,
        unit="s1",
        sibling_unit="s2",
    ),
    Case(
        "POST",
        E + "/{event_id}/late-consents",
        DO,
        lambda w: (
            f"{E}/{eid(w)}/late-consents",
            {"unit_id": u(w), "reason": "Đơn vị xin cử bổ sung"},
            {},
        ),
        expect=201,
        wrong=INSP,
    ),
    Case("GET", E + "/{event_id}/roster", INSP, lambda w: (f"{E}/{eid(w)}/roster", None, {})),
    Case(
        "PUT",
        E + "/{event_id}/sessions/{session_id}/attendance",
        DO,
        lambda w: (
            f"{E}/{eid(w)}/sessions/{sid(w)}/attendance",
            {"marks": [{"staff_id": w.staff.id, "status": "present"}]},
            {},
        ),
        wrong=INSP,
    ),
    Case(
        "GET", E + "/{event_id}/attendance", INSP, lambda w: (f"{E}/{eid(w)}/attendance", None, {})
    ),
    Case(
        "GET",
        "/api/v1/nominations/{nomination_id}",
        INSP,
        lambda w: (f"/api/v1/nominations/{nomination_id(w)}", None, {}),
    ),
    Case(
        "POST",
        "/api/v1/nominations/{nomination_id}/accept",
        DO,
        lambda w: (
            lambda n: (
                f"/api/v1/nominations/{n}/accept",
                {},
                etag_of(w, f"/api/v1/nominations/{n}"),
            )
        )(proposed(w)),
        wrong=INSP,
    ),
    Case(
        "POST",
        "/api/v1/nominations/{nomination_id}/refuse",
        DO,
        lambda w: (
            lambda n: (
                f"/api/v1/nominations/{n}/refuse",
                {"reason": "Không phù hợp"},
                etag_of(w, f"/api/v1/nominations/{n}"),
            )
        )(proposed(w)),
        wrong=INSP,
    ),
    Case(
        "POST",
        "/api/v1/nominations/{nomination_id}/withdraw",
        HEAD,
        lambda w: (
            f"/api/v1/nominations/{nomination_id(w)}/withdraw",
            {"reason": "Bận"},
            etag_of(w, f"/api/v1/nominations/{nomination_id(w)}"),
        ),
        wrong=INSP,
        unit="s1",
        sibling_unit="s2",
    ),
    Case(
        "POST",
        "/api/v1/nominations/{nomination_id}/substitute",
        HEAD,
        lambda w: (
            f"/api/v1/nominations/{nomination_id(w)}/substitute",
            {"staff_id": fresh_nominee(w), "reason": "Thay người do ốm"},
            etag_of(w, f"/api/v1/nominations/{nomination_id(w)}"),
        ),
        expect=201,
        wrong=INSP,
        unit="s1",
        sibling_unit="s2",
    ),
    Case(
        "GET",
        "/api/v1/nominations/{nomination_id}/history",
        INSP,
        lambda w: (f"/api/v1/nominations/{nomination_id(w)}/history", None, {}),
    ),
    Case(
        "GET",
        "/api/v1/absence-excuses",
        INSP,
        lambda w: (excuse_id(w) and "/api/v1/absence-excuses", None, {}),
        sees_target=lambda w, b: excuse_id(w) in ids_in(b),
    ),
    Case(
        "POST",
        "/api/v1/absence-excuses",
        HEAD,
        lambda w: (
            "/api/v1/absence-excuses",
            {"session_id": sid(w), "staff_id": w.staff.id, "reason": "Đi công tác"},
            {},
        ),
        expect=201,
        wrong=INSP,
        unit="s1",
        sibling_unit="s2",
    ),
    Case(
        "GET",
        "/api/v1/absence-excuses/{excuse_id}",
        INSP,
        lambda w: (f"/api/v1/absence-excuses/{excuse_id(w)}", None, {}),
    ),
    Case(
        "POST",
        "/api/v1/absence-excuses/{excuse_id}/confirm",
        HEAD,
        lambda w: (
            f"/api/v1/absence-excuses/{excuse_id(w)}/confirm",
            {},
            etag_of(w, f"/api/v1/absence-excuses/{excuse_id(w)}"),
        ),
        wrong=DO,
        unit="s1",
        sibling_unit="s2",
    ),
    Case(
        "POST",
        "/api/v1/absence-excuses/{excuse_id}/reject",
        HEAD,
        lambda w: (
            f"/api/v1/absence-excuses/{excuse_id(w)}/reject",
            {"note": "Thiếu minh chứng"},
            etag_of(w, f"/api/v1/absence-excuses/{excuse_id(w)}"),
        ),
        wrong=DO,
        unit="s1",
        sibling_unit="s2",
    ),
    Case(
        "GET",
        "/api/v1/reports/events/{event_id}/attendance",
        INSP,
        lambda w: (f"/api/v1/reports/events/{eid(w)}/attendance", None, {}),
    ),
    Case(
        "GET",
        "/api/v1/staff/{staff_id}/training-record",
        INSP,
        lambda w: (f"/api/v1/staff/{w.staff.id}/training-record", None, {}),
    ),
]


def excuse_id(w: World) -> int:
    if "excuse" not in w.__dict__:
        w.__dict__["excuse"] = excuse(w).id
    return w.__dict__["excuse"]


# --- session check-in (issue 24) -----------------------------------------------------------

CI = E + "/{event_id}/sessions/{session_id}/check-in"


def ci_url(w: World) -> str:
    return f"{E}/{eid(w)}/sessions/{sid(w)}/check-in"


def opened(w: World) -> str:
    """Check-in open for the world's first session, which starts now."""
    from app.events import checkin
    from app.events.checkin_schemas import CheckInOpen

    built = ev(w)
    row = built.sessions[0]
    row.starts_at, row.ends_at = utcnow(), utcnow() + timedelta(hours=3)
    checkin.open_check_in(w.session, SYSTEM, built.event, row, CheckInOpen())
    w.session.flush()
    return ci_url(w)


def current_code(w: World) -> str:
    from app.events import checkin

    found = checkin.get_check_in(w.session, ev(w).sessions[0])
    assert found is not None
    return checkin.current_code(found, checkin.now())[0]


CHECK_IN_CASES = [
    Case("POST", CI + "/open", DO, lambda w: (f"{ci_url(w)}/open", None, {}), wrong=INSP),
    Case("POST", CI + "/close", DO, lambda w: (f"{opened(w)}/close", None, {}), wrong=INSP),
    Case("GET", CI, DO, lambda w: (opened(w), None, {}), wrong=HEAD),
    Case("GET", CI + "/code", DO, lambda w: (f"{opened(w)}/code", None, {}), wrong=INSP),
    Case(
        "POST",
        CI,
        Role.staff,
        lambda w: (opened(w), {"code": current_code(w)}, {}),
        expect=201,
        unit="s1",
        sibling_unit="s2",
        as_staff=True,
    ),
]
