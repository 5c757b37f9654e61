"""Feed rows for moving a district: how long writing them takes, and in how many statements.

    .venv/bin/python -m bench.feed_move [--staff 2000] [--url postgresql+psycopg://...]

Builds a district of ``--staff`` staff in 20 schools on a fresh database (a temporary SQLite
file unless ``--url`` names an empty one), moves it under another department through the
service, and times ``app.changes.service.record`` (the rows for every unit and staff row
the move carried, written before the commit) and counts its SQL statements.
"""

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select
from sqlmodel import Session

from app.auth.actor import system_actor
from app.changes import service as feed
from app.changes.models import Change
from app.core.db import make_engine
from app.core.migrate import upgrade
from app.staff.models import StaffCategory
from app.staff.schemas import StaffCreate
from app.staff.service import create_staff
from app.units.models import Unit, UnitKind
from app.units.schemas import UnitCreate, UnitMoveRequest
from app.units.service import create_unit, move_unit

SYSTEM = system_actor("bench")
SCHOOLS = 20


def _unit(session: Session, code: str, kind: UnitKind, parent: int | None) -> int:
    data = UnitCreate(external_code=code, name=f"Đơn vị {code}", kind=kind, parent_id=parent)
    unit_id = create_unit(session, SYSTEM, data).id
    assert unit_id is not None
    return unit_id


def build(session: Session, staff: int) -> tuple[int, int]:
    """A department with the district to move, and a second department to move it to."""
    first = _unit(session, "SO-1", UnitKind.department, None)
    second = _unit(session, "SO-2", UnitKind.department, None)
    district = _unit(session, "PHONG-1", UnitKind.district_office, first)
    schools = [_unit(session, f"TR-{n}", UnitKind.school, district) for n in range(SCHOOLS)]
    for n in range(staff):
        data = {
            "external_code": f"GV{n:06d}",
            "full_name": f"Nguyễn Văn Giáo {n}",
            "unit_id": schools[n % SCHOOLS],
            "category": StaffCategory.teacher,
        }
        create_staff(session, SYSTEM, StaffCreate.model_validate(data))
    session.commit()
    return district, second


def measure(url: str, staff: int) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    with Session(engine) as session:
        district_id, target = build(session, staff)
        district = session.get_one(Unit, district_id)
        request = UnitMoveRequest(new_parent_id=target, reason="Sắp xếp lại đơn vị hành chính")
        move_unit(session, SYSTEM, district, request, district.version)
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        feed.record(session, [])
        elapsed = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count)
        session.commit()
        rows = session.scalar(select(func.count()).select_from(Change))
    engine.dispose()
    return {"staff": staff, "feed_rows": rows, "statements": statements, "ms": elapsed * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--url", help="an empty database (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'feed_move.db'}"
        figures = measure(url, args.staff)
    print(
        f"moved a district of {figures['staff']} staff: {figures['feed_rows']} feed rows "
        f"in {figures['statements']} statements, {figures['ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
