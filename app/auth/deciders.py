"""R-GOV-1: nobody decides their own case.

One policy for every decision about a person (absence excuse, participation consent,
personal plan, self-study inspection, result finalisation). The head of the person's own
unit decides; when that head is the person, the decision moves one level up, to the head of
the managing unit, whose lists already cover the unit below (their subtree), so the case
shows in their queue. Whoever decides, the subject never decides about themself.

It lives in ``app.auth`` (beside the grants it reads and the unit tree it climbs) so every
domain uses it and no lower layer imports a domain.
"""

from sqlmodel import Session

from app.auth.actor import Actor, Grant
from app.auth.models import Role
from app.core.errors import Forbidden
from app.core.i18n import register
from app.units.models import Unit

register(
    {
        "own_case": {
            "vi": (
                "Không tự quyết định việc của mình",
                "Không ai tự quyết định việc của chính mình: việc này do người có thẩm quyền "
                "khác quyết định (việc của Thủ trưởng đơn vị do Thủ trưởng đơn vị quản lý cấp "
                "trên quyết định).",
            ),
            "en": (
                "Not your own case",
                "Nobody decides their own case: another person with authority decides (a unit "
                "head's case, the head of the managing unit above).",
            ),
        },
    }
)


def decider_unit(session: Session, subject_staff_id: int, unit_id: int) -> int:
    """The unit whose head decides about the person: their own unit, or the managing unit
    above it when they head their own unit."""
    unit = session.get(Unit, unit_id)
    if unit is not None and unit.head_staff_id == subject_staff_id and unit.parent_id is not None:
        return unit.parent_id
    return unit_id


def refuse_own_case(actor: Actor, subject_staff_id: int) -> None:
    """403 (R-GOV-1) when the caller is the person the decision is about."""
    if actor.staff_id is not None and actor.staff_id == subject_staff_id:
        raise Forbidden("own_case", rule="R-GOV-1")


def head_decider(
    session: Session,
    actor: Actor,
    subject_staff_id: int,
    unit_id: int,
    *,
    global_admin: bool = True,
) -> Grant | None:
    """The caller's unit-head grant at the deciding unit (or a system-wide admin grant when
    ``global_admin``), ``None`` when the caller does not decide. Refuses the subject first."""
    refuse_own_case(actor, subject_staff_id)
    decider = decider_unit(session, subject_staff_id, unit_id)
    for grant in actor.grants:
        if grant.role == Role.unit_head and grant.unit_id == decider:
            return grant
    if global_admin:
        for grant in actor.grants:
            if grant.role == Role.admin and grant.unit_id is None:
                return grant
    return None
