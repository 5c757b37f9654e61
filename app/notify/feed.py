"""Domain changes → notifications. Reads only the change feed's stored rows (resource, op,
data) and the current tables for recipients, so the domains need not know about messages.

Each handler gets one committed change and returns drafts; ``service.deliver`` makes each
once per user, so handling a change twice (a worker restarted mid-batch) changes nothing.
An update carries the object's full new state, not what changed: a handler reacts to a
state (``status == summoned``), and the once-only key keeps a later unrelated update of the
same object from repeating the message.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.auth.deciders import decider_unit
from app.changes.models import Change
from app.events.models import Event, Nomination, Requirement, RequirementTarget
from app.external.models import ExternalEvent
from app.notify.kinds import KINDS
from app.notify.recipients import unit_heads, users_of_staff
from app.notify.service import Draft

Handler = Callable[[Session, Change, dict[str, Any]], list[Draft]]
NOMINATION_VI = {
    "accepted": "được chấp nhận",
    "refused": "bị từ chối",
    "substituted": "được thay người",
}
EXCUSE_VI = {"confirmed": "đã được xác nhận", "rejected": "không được xác nhận"}
CONSENT_VI = {"consented": "được đồng ý", "refused": "không được đồng ý"}
EXTERNAL_VI = {
    "approved": "đã được phê duyệt",
    "rejected": "không được phê duyệt",
    "revoked": "đã bị thu hồi phê duyệt",
}
PLAN_VI = {"approved": "đã được duyệt", "returned": "bị trả lại để chỉnh sửa"}


def _when(value: Any) -> str:
    if not value:
        return "chưa định"
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return moment.strftime("%H:%M ngày %d/%m/%Y (UTC)")


def _all(groups: dict[int, set[int]]) -> set[int]:
    return set().union(*groups.values()) if groups else set()


def _event(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    if change.op != "update":
        return []
    event_id = change.resource_id or 0
    title = data.get("title", "")
    if data.get("status") == "summoned":
        units = session.scalars(
            select(RequirementTarget.unit_id)
            .join(Requirement, Requirement.id == RequirementTarget.requirement_id)
            .where(Requirement.event_id == event_id)
        )
        number = data.get("summons_number") or "không số"
        body = (
            f"Đơn vị được triệu tập tham dự «{title}» (giấy triệu tập {number}). "
            f"Hạn cử người: {_when(data.get('nomination_deadline'))}. "
            "Vui lòng cử người trong mục «Cần cử người»."
        )
        named = session.scalars(
            select(Requirement.staff_id).where(
                Requirement.event_id == event_id, Requirement.staff_id.is_not(None)
            )
        )
        named_users = set(users_of_staff(session, named).values())
        return [
            Draft(
                "summons",
                f"event:{event_id}",
                KINDS["summons"],
                body,
                _all(unit_heads(session, units)),
                data={"event_id": event_id},
            ),
            Draft(
                "summons_named",
                f"event:{event_id}",
                KINDS["summons_named"],
                f"Thầy/cô được triệu tập đích danh tham dự «{title}» (giấy triệu tập {number}).",
                named_users,
                data={"event_id": event_id},
            ),
        ]
    if data.get("status") == "cancelled":
        staff = session.scalars(
            select(Nomination.staff_id).where(
                Nomination.event_id == event_id, Nomination.status.in_(("proposed", "accepted"))
            )
        )
        reason = data.get("cancel_reason") or ""
        body = f"Sự kiện «{title}» đã bị huỷ. Lý do: {reason}".rstrip(": ")
        return [
            Draft(
                "event_cancelled",
                f"event:{event_id}",
                KINDS["event_cancelled"],
                body,
                set(users_of_staff(session, staff).values()),
                data={"event_id": event_id},
            )
        ]
    return []


def _nomination(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    status = data.get("status")
    if change.op != "update" or status not in NOMINATION_VI:
        return []
    event = session.get(Event, data.get("event_id"))
    users = set(users_of_staff(session, [data["staff_id"]]).values())
    if data.get("nominated_by_user_id"):
        users.add(data["nominated_by_user_id"])
    body = f"Việc cử người tham dự «{event.title if event else ''}» {NOMINATION_VI[status]}."
    return [
        Draft(
            "nomination_decided",
            f"nomination:{change.resource_id}",
            KINDS["nomination_decided"],
            body,
            users,
            step=status,
            data={"event_id": data.get("event_id"), "status": status},
        )
    ]


def _amendment(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    if change.op != "create":
        return []
    event = session.get(Event, data.get("event_id"))
    staff = session.scalars(
        select(Nomination.staff_id).where(
            Nomination.event_id == data.get("event_id"),
            Nomination.status.in_(("proposed", "accepted")),
        )
    )
    after = data.get("after") or {}
    body = (
        f"Lịch buổi học của «{event.title if event else ''}» đã được điều chỉnh: "
        f"bắt đầu {_when(after.get('starts_at'))}. Lý do: {data.get('reason', '')}"
    )
    return [
        Draft(
            "session_amended",
            f"amendment:{change.resource_id}",
            KINDS["session_amended"],
            body,
            set(users_of_staff(session, staff).values()),
            data={"event_id": data.get("event_id")},
        )
    ]


def _violation(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    if change.op != "create" or not data.get("unit_id"):
        return []
    body = "Một vi phạm vừa được ghi nhận đối với đơn vị của thầy/cô. Vui lòng xem chi tiết."
    return [
        Draft(
            "violation_recorded",
            f"violation:{change.resource_id}",
            KINDS["violation_recorded"],
            body,
            _all(unit_heads(session, [data["unit_id"]])),
            data={"violation_id": change.resource_id},
        )
    ]


def _criticism(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    if data.get("status") != "issued" or not data.get("recipient_unit_id"):
        return []
    body = "Đơn vị của thầy/cô nhận được thư phê bình. Vui lòng xem và thực hiện."
    return [
        Draft(
            "criticism_received",
            f"criticism:{change.resource_id}",
            KINDS["criticism_received"],
            body,
            _all(unit_heads(session, [data["recipient_unit_id"]])),
            data={"criticism_id": change.resource_id},
        )
    ]


def _certificate(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    if change.op != "create" or data.get("status", "issued") != "issued":
        return []
    users = set(users_of_staff(session, [data["staff_id"]]).values())
    year = data.get("school_year", "")
    body = f"Chứng nhận hoàn thành bồi dưỡng thường xuyên năm học {year} đã được cấp."
    return [
        Draft(
            "certificate_issued",
            f"certificate:{change.resource_id}",
            KINDS["certificate_issued"],
            body,
            users,
            data={"certificate_id": change.resource_id},
        )
    ]


def _personal_plan(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    status = data.get("status")
    subject = f"plan:{change.resource_id}"
    version = str(data.get("version") or "")
    if status == "submitted":
        body = "Một kế hoạch BDTX cá nhân vừa được nộp và đang chờ thầy/cô duyệt."
        heads = _all(unit_heads(session, [data["unit_id"]]))
        return [
            Draft("plan_submitted", subject, KINDS["plan_submitted"], body, heads, step=version)
        ]
    if status in PLAN_VI:
        users = set(users_of_staff(session, [data["staff_id"]]).values())
        body = f"Kế hoạch BDTX cá nhân của thầy/cô {PLAN_VI[status]}."
        return [Draft("plan_decided", subject, KINDS["plan_decided"], body, users, step=version)]
    return []


def _unit_report(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    if data.get("status") != "returned":
        return []
    body = "Báo cáo BDTX của đơn vị bị trả lại; vui lòng chỉnh sửa và nộp lại."
    heads = _all(unit_heads(session, [data["unit_id"]]))
    return [
        Draft(
            "report_returned",
            f"unit_report:{change.resource_id}",
            KINDS["report_returned"],
            body,
            heads,
            step=str(data.get("version") or ""),
        )
    ]


def _deciders(session: Session, data: dict[str, Any]) -> set[int]:
    """Heads of the unit that decides about the person (R-GOV-1), never the person."""
    unit = decider_unit(session, data["staff_id"], data["unit_id"])
    subject = users_of_staff(session, [data["staff_id"]]).get(data["staff_id"])
    return _all(unit_heads(session, [unit])) - {subject}


def _event_title(session: Session, event_id: Any) -> str:
    event = session.get(Event, event_id) if event_id else None
    return event.title if event else ""


def _absence_excuse(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    """A letter waiting for its head's confirmation; then its decision, to the writer."""
    status = data.get("status")
    subject = f"absence_excuse:{change.resource_id}"
    title = _event_title(session, data.get("event_id"))
    if change.op == "create" and status == "submitted":
        body = f"Một đơn xin vắng buổi học của «{title}» đang chờ thầy/cô xác nhận."
        kind = "excuse_submitted"
        return [Draft(kind, subject, KINDS[kind], body, _deciders(session, data))]
    if change.op == "update" and status in EXCUSE_VI:
        users = set(users_of_staff(session, [data["staff_id"]]).values())
        body = f"Đơn xin vắng buổi học của «{title}» {EXCUSE_VI[status]}."
        if data.get("decision_note"):
            body += f" Ghi chú: {data['decision_note']}"
        kind = "excuse_decided"
        return [Draft(kind, subject, KINDS[kind], body, users, step=status)]
    return []


def _participation(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    """A consent to join an external event, asked of the head; then the answer."""
    status = data.get("status")
    subject = f"participation_request:{change.resource_id}"
    event = session.get(ExternalEvent, data.get("external_event_id"))
    title = event.title if event else ""
    if change.op == "create" and status == "submitted":
        body = f"Một đề nghị tham gia «{title}» đang chờ thầy/cô đồng ý."
        kind = "consent_requested"
        return [Draft(kind, subject, KINDS[kind], body, _deciders(session, data))]
    if change.op == "update" and status in CONSENT_VI:
        users = set(users_of_staff(session, [data["staff_id"]]).values())
        body = f"Đề nghị tham gia «{title}» của thầy/cô {CONSENT_VI[status]}."
        if data.get("refusal_reason"):
            body += f" Lý do: {data['refusal_reason']}"
        kind = "consent_decided"
        return [Draft(kind, subject, KINDS[kind], body, users, step=status)]
    return []


def _external_event(session: Session, change: Change, data: dict[str, Any]) -> list[Draft]:
    """The office's decision on an external event, to whoever submitted it."""
    status = data.get("status")
    if change.op != "update" or status not in EXTERNAL_VI or not data.get("submitted_by_user_id"):
        return []
    body = f"Sự kiện bên ngoài «{data.get('title', '')}» {EXTERNAL_VI[status]}."
    kind = "external_event_decided"
    return [
        Draft(
            kind,
            f"external_event:{change.resource_id}",
            KINDS[kind],
            body,
            {data["submitted_by_user_id"]},
            step=status,
            data={"external_event_id": change.resource_id, "status": status},
        )
    ]


HANDLERS: dict[str, Handler] = {
    "event": _event,
    "absence_excuse": _absence_excuse,
    "participation_request": _participation,
    "external_event": _external_event,
    "nomination": _nomination,
    "session_amendment": _amendment,
    "violation": _violation,
    "criticism": _criticism,
    "bdtx_certificate": _certificate,
    "bdtx_personal_plan": _personal_plan,
    "bdtx_unit_report": _unit_report,
}


def drafts_for(session: Session, change: Change) -> list[Draft]:
    handler = HANDLERS.get(change.resource)
    if handler is None or change.data is None:
        return []
    return handler(session, change, change.data)
