"""A unit's letterhead: the data its documents are headed with (NĐ 30/2020/NĐ-CP)."""

from sqlmodel import Session

import app.units.messages  # noqa: F401 - registers the resource name
from app.auth.actor import Actor
from app.auth.policies import Permission, authorize
from app.core.concurrency import check_version
from app.core.errors import NotFound
from app.units.models import Unit, UnitLetterhead
from app.units.schemas import LetterheadWrite


def find_letterhead(session: Session, unit_id: int) -> UnitLetterhead | None:
    return session.get(UnitLetterhead, unit_id)


def get_letterhead(session: Session, unit: Unit) -> UnitLetterhead:
    assert unit.id is not None
    found = find_letterhead(session, unit.id)
    if found is None:
        raise NotFound("letterhead", unit.id)
    return found


def put_letterhead(
    session: Session, actor: Actor, unit: Unit, data: LetterheadWrite, expected: int | None
) -> UnitLetterhead:
    """Create or replace; ``If-Match`` (optional) guards a replace against a lost update."""
    assert unit.id is not None
    authorize(session, actor, Permission.manage_units, unit.id)
    found = find_letterhead(session, unit.id)
    if found is None:
        found = UnitLetterhead(unit_id=unit.id, **data.model_dump())
        session.add(found)
    else:
        if expected is not None:
            check_version(found.version, expected)
        for field, value in data.model_dump().items():
            setattr(found, field, value)
    session.flush()
    return found
