"""Notifications for decisions about people (issue 20): a letter waiting for a head and its
decision, a consent asked and answered, an external event decided. Each handler reads a
feed row as the worker does; the deciders follow R-GOV-1 (a head's own case goes up)."""

from typing import Any

from sqlmodel import Session

from app.auth.models import Role
from app.changes.models import Change
from app.notify import feed
from app.notify.kinds import KINDS
from tests.external.factories import make_event
from tests.factories import make_staff, make_tree, make_user


def _change(resource: str, op: str, resource_id: int, **data: Any) -> Change:
    return Change(op=op, resource=resource, resource_id=resource_id, data=data)


def _people(session: Session) -> dict[str, Any]:
    t = make_tree(session)
    head_staff = make_staff(session, t["s1"], category="manager")
    t["s1"].head_staff_id = head_staff.id
    office_staff = make_staff(session, t["d1"], category="manager")
    t["d1"].head_staff_id = office_staff.id
    teacher_staff = make_staff(session, t["s1"])
    session.flush()
    return {
        "tree": t,
        "head_staff": head_staff,
        "head": make_user(session, [(Role.unit_head, t["s1"])], staff=head_staff),
        "office": make_user(session, [(Role.unit_head, t["d1"])], staff=office_staff),
        "teacher_staff": teacher_staff,
        "teacher": make_user(session, [], staff=teacher_staff),
    }


def test_an_absence_letter_waits_for_the_head_then_its_decision_reaches_the_writer(
    session: Session,
) -> None:
    p = _people(session)
    letter = {"staff_id": p["teacher_staff"].id, "unit_id": p["tree"]["s1"].id, "event_id": None}
    [waiting] = feed.drafts_for(
        session, _change("absence_excuse", "create", 7, status="submitted", **letter)
    )
    assert (waiting.kind, waiting.user_ids) == ("excuse_submitted", {p["head"].id})
    assert "chờ thầy/cô xác nhận" in waiting.body
    [decided] = feed.drafts_for(
        session,
        _change("absence_excuse", "update", 7, status="rejected", decision_note="Thiếu", **letter),
    )
    assert (decided.kind, decided.user_ids, decided.step) == (
        "excuse_decided",
        {p["teacher"].id},
        "rejected",
    )
    assert "không được xác nhận" in decided.body
    assert "Thiếu" in decided.body
    assert decided.title == KINDS["excuse_decided"]


def test_a_heads_own_letter_waits_for_the_head_above_never_for_themself(
    session: Session,
) -> None:
    p = _people(session)
    own = {"staff_id": p["head_staff"].id, "unit_id": p["tree"]["s1"].id}
    [waiting] = feed.drafts_for(
        session, _change("absence_excuse", "create", 8, status="submitted", **own)
    )
    assert waiting.user_ids == {p["office"].id}


def test_a_consent_is_asked_of_the_head_and_its_answer_reaches_the_teacher(
    session: Session,
) -> None:
    p = _people(session)
    event = make_event(session, p["tree"]["s1"], approved=True)
    asked = {
        "staff_id": p["teacher_staff"].id,
        "unit_id": p["tree"]["s1"].id,
        "external_event_id": event.id,
    }
    [requested] = feed.drafts_for(
        session, _change("participation_request", "create", 3, status="submitted", **asked)
    )
    assert (requested.kind, requested.user_ids) == ("consent_requested", {p["head"].id})
    assert event.title in requested.body
    [decided] = feed.drafts_for(
        session, _change("participation_request", "update", 3, status="consented", **asked)
    )
    assert (decided.kind, decided.user_ids) == ("consent_decided", {p["teacher"].id})
    assert "được đồng ý" in decided.body
    withdrawn = _change("participation_request", "update", 3, status="withdrawn", **asked)
    assert feed.drafts_for(session, withdrawn) == []


def test_an_external_event_decision_reaches_whoever_submitted_it(session: Session) -> None:
    p = _people(session)
    data = {"title": "Hội thảo STEM", "submitted_by_user_id": p["head"].id}
    [approved] = feed.drafts_for(
        session, _change("external_event", "update", 5, status="approved", **data)
    )
    assert (approved.kind, approved.user_ids, approved.step) == (
        "external_event_decided",
        {p["head"].id},
        "approved",
    )
    assert "đã được phê duyệt" in approved.body
    submitted = _change("external_event", "create", 5, status="submitted", **data)
    assert feed.drafts_for(session, submitted) == []
