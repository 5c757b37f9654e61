"""``bdtx generate``: a province or the nation of synthetic data, loaded in bulk.

Rows go in through Core (COPY on PostgreSQL), not the ORM: the after-flush audit hook and
the change feed are meant for people's writes, and a generated dataset is not one. One
transaction: a failed run leaves the database as it was.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, func, select, update
from sqlmodel import SQLModel

import app.models  # noqa: F401 - every table on the metadata
from app.bdtx.models import Certificate
from app.core.db import make_engine
from app.core.migrate import upgrade
from app.core.model_base import to_local_date, utcnow
from app.core.school_year import school_year_of
from app.staff.models import StaffCategory
from app.synthetic import names
from app.synthetic.bdtx import BdtxBuilder
from app.synthetic.events import Audience, EventBuilder, EventPlan, ProvinceLog
from app.synthetic.model import SCALES, Province, Scale, UnitInfo, Year
from app.synthetic.tree import UNIT, TreeBuilder, closure_rows, unit_row
from app.synthetic.writer import Writer
from app.units.models import EducationLevel, UnitKind

MINISTRY_CODE = "BGDDT"


class GenerateError(Exception):
    """The database already holds what this run would create."""


@dataclass(frozen=True)
class Years:
    done: Year  # the last completed school year: closed events, results, certificates
    current: Year  # summoned events still open for nominations and attendance


def years_for(today: date) -> Years:
    current = Year(school_year_of(today))
    return Years(Year(f"{current.first - 1}-{current.first}"), current)


def _id_tables() -> list[sa.Table]:
    return [
        t
        for t in SQLModel.metadata.sorted_tables
        if "id" in t.c and isinstance(t.c.id.type, sa.Integer) and t.c.id.primary_key
    ]


def _ministry(w: Writer, ids: dict[str, int]) -> UnitInfo:
    """The Ministry at the root, shared with the demo data when it is there."""
    found = w.conn.execute(
        select(UNIT.c.id, UNIT.c.name).where(UNIT.c.external_code == MINISTRY_CODE)
    ).first()
    kind = UnitKind.ministry
    if found is not None:
        return UnitInfo(found[0], MINISTRY_CODE, found[1], kind, [], None, [])
    ids["unit"] += 1
    ministry = UnitInfo(
        ids["unit"] - 1, MINISTRY_CODE, "Bộ Giáo dục và Đào tạo", kind, [], None, []
    )
    w.insert(UNIT, [unit_row(ministry)])
    w.insert(UNIT.metadata.tables["unit_closure"], closure_rows(ministry))
    return ministry


def _province(index: int, ministry: UnitInfo, ids: dict[str, int]) -> Province:
    name, word, code = names.PROVINCES[index]
    ids["unit"] += 1
    department = UnitInfo(
        id=ids["unit"] - 1,
        code=f"SGD-{code}",
        name=f"Sở Giáo dục và Đào tạo {word} {name}",
        kind=UnitKind.department,
        levels=[],
        parent_id=ministry.id,
        ancestors=[ministry.id],
    )
    return Province(index, f"{word} {name}", code, names.ascii_slug(name), department)


def _refuse_existing(w: Writer, scale: Scale) -> None:
    codes = [f"SGD-{code}" for _, _, code in names.PROVINCES[: scale.provinces]]
    taken = w.conn.scalar(select(UNIT.c.external_code).where(UNIT.c.external_code.in_(codes)))
    if taken is not None:
        raise GenerateError(f"Đơn vị {taken} đã có trong cơ sở dữ liệu: dữ liệu đã được sinh.")


def _set_heads(w: Writer, rows: list[dict[str, Any]]) -> None:
    if rows:
        stmt = (
            update(UNIT)
            .where(UNIT.c.id == bindparam("uid"))
            .values(head_staff_id=bindparam("head"))
        )
        w.conn.execute(stmt, rows)


def _big_event(province: Province, scale: Scale, start: EventPlan, module: str) -> EventPlan:
    """One province-wide training with ``big_event_participants`` accepted nominees: the
    attendance benchmark marks a session of it in one request."""
    return EventPlan(
        organizer=province.department,
        audience=Audience(EducationLevel.primary, StaffCategory.teacher),
        title="Tập huấn triển khai Chương trình GDPT 2018 cho giáo viên tiểu học toàn tỉnh",
        kind="training",
        sessions=4,
        participants=scale.big_event_participants,
        module=(module, 16),
        status="summoned",
        start=start.start,
    )


class Generator:
    def __init__(self, w: Writer, scale: Scale, seed: int, today: date) -> None:
        self.w, self.scale, self.today = w, scale, today
        self.rng = random.Random(seed)
        self.years = years_for(today)
        self.ids = {t.name: w.next_id(t) for t in _id_tables()}
        self.bdtx = BdtxBuilder(w, self.rng, scale, self.ids)

    def run(self) -> None:
        w, years = self.w, self.years
        _refuse_existing(w, self.scale)
        ministry = _ministry(w, self.ids)
        self.policies = self.bdtx.policies([years.done, years.current])
        for year in (years.done, years.current):
            self.bdtx.national_modules(year)
        cert = Certificate.__table__  # type: ignore[attr-defined]
        self.bdtx.serial = int(
            w.conn.scalar(
                select(func.count()).select_from(cert).where(cert.c.school_year == years.done.label)
            )
            or 0
        )
        for index in range(self.scale.provinces):
            self.province(_province(index, ministry, self.ids))
        w.fix_sequences(_id_tables())
        if w.is_pg:
            w.analyze()
        w.say("xong")

    def province(self, province: Province) -> None:
        w, rng, scale, years = self.w, self.rng, self.scale, self.years
        started = time.perf_counter()
        tree = TreeBuilder(w, rng, scale, self.ids)
        tree.units(province)
        tree.staff(province)
        _set_heads(w, tree.heads(province))
        w.say(f"{province.name}: đơn vị và nhân sự", len(province.people), started)
        local_done = self.bdtx.local_modules(province, years.done)
        local_now = self.bdtx.local_modules(province, years.current)
        events = EventBuilder(w, rng, scale, self.ids, local_done)
        log = ProvinceLog()
        since, marks_before = time.perf_counter(), w.counts.get("attendance_mark", 0)
        events.write(
            province, years.done, events.plan(province, years.done, scale.events, True), log
        )
        events.letters(province, years.done, log)
        events.external(province, years.done)
        events.local_modules = local_now
        plans = events.plan(province, years.current, scale.open_events, False, after=self.today)
        if plans:
            big = _big_event(province, scale, plans[0], local_now[EducationLevel.primary])
            plans[0] = big
        events.write(province, years.current, plans, ProvinceLog())
        marks = w.counts.get("attendance_mark", 0) - marks_before
        w.say(f"{province.name}: sự kiện, điểm danh", marks, since)
        since, results_before = time.perf_counter(), w.counts.get("bdtx_result", 0)
        self.bdtx.year(province, years.done, self.policies[years.done.label], scale.full_bdtx)
        results = w.counts.get("bdtx_result", 0) - results_before
        w.say(f"{province.name}: kết quả BDTX", results, since)


def generate(
    url: str,
    scale: str | Scale,
    seed: int = 1,
    progress: bool | Callable[[str], None] = True,
    today: date | None = None,
) -> dict[str, int]:
    """Migrate ``url`` to head and load ``scale`` into it; rows written per table."""
    chosen = SCALES[scale] if isinstance(scale, str) else scale
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            w = Writer(conn, progress)
            Generator(w, chosen, seed, today or to_local_date(utcnow())).run()
            return dict(w.counts)
    finally:
        engine.dispose()
