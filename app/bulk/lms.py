"""LMS completions from a platform's export: periods credited (source ``lms``) and scores.

A row is one person's completion of one module in one school year, identified by
(staff ``external_code``, ``school_year``, ``module_code``); it upserts the person's LMS credit
for the module and their module score. The rules of ``POST /bdtx/lms-completions``: the module
exists, the person is within the caller's scope (else "not found"), the caller may import at
the person's unit, and the person's result for the year is not finalised (R-BDTX-1).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, select, tuple_, update
from sqlmodel import Session

from app.audit.service import Change, note_changes
from app.auth.actor import Actor
from app.bdtx.models import BdtxModule, BdtxResult, ModuleScore, ResultStatus
from app.bdtx.policies import IMPORT_ROLES, allow_anywhere, owned_filter
from app.bdtx.schemas import LmsCompletion
from app.bulk import messages as _messages  # noqa: F401 - registers the problem texts
from app.bulk.columns import Column, Layout, number
from app.bulk.engine import (
    Issue,
    Row,
    as_json,
    as_upload,
    chunks,
    conclude,
    fewer_collections,
    issue_from,
    map_upload,
    snapshot,
)
from app.bulk.parse import Upload
from app.bulk.schemas import BulkReport, ImportMode, RowStatus
from app.core.config import get_settings
from app.core.driver import insert_returning
from app.core.model_base import utcnow
from app.events.models import CreditSource, TrainingCredit
from app.staff.models import Staff
from app.units.models import UnitClosure

KEY = "staff_external_code"
LMS_LAYOUT = Layout(
    model=LmsCompletion,
    columns=(
        Column(KEY, ("Mã định danh", "Mã cán bộ", "staff_code")),
        Column("school_year", ("Năm học",)),
        Column("module_code", ("Mã mô-đun", "Mã module")),
        Column("periods", ("Số tiết",), number),
        Column("score", ("Điểm",), number),
    ),
    key=KEY,
    identity=(KEY, "school_year", "module_code"),
)
CREDITS = TrainingCredit.__table__  # type: ignore[attr-defined]
SCORES = ModuleScore.__table__  # type: ignore[attr-defined]
STAFF = Staff.__table__  # type: ignore[attr-defined]
CLOSURE = UnitClosure.__table__  # type: ignore[attr-defined]
RESULTS = BdtxResult.__table__  # type: ignore[attr-defined]
MODULES = BdtxModule.__table__  # type: ignore[attr-defined]


@fewer_collections
def import_lms(
    session: Session,
    actor: Actor,
    rows: Upload | Sequence[dict[str, Any]],
    *,
    mode: ImportMode = ImportMode.atomic,
    dry_run: bool = False,
    lang: str = "vi",
) -> BulkReport:
    """Upsert LMS completions (credit + score per person, year and module)."""
    allow_anywhere(actor, IMPORT_ROLES, "import_lms")
    batch = map_upload(as_upload(rows, get_settings().import_max_rows), LMS_LAYOUT)
    _decide(session, actor, batch.rows)
    return conclude(
        batch,
        mode=mode,
        dry_run=dry_run,
        lang=lang,
        write=lambda todo: _write(session, todo),
    )


def _decide(session: Session, actor: Actor, items: list[Row]) -> None:
    live = [r for r in items if r.issue is None]
    people = _people(session, actor, [r.code for r in live if r.code])
    allowed = _importable(session, actor, {p["unit_id"] for p in people.values()})
    modules = _existing_modules(session, {str(r.values.get("module_code")) for r in live})
    for row in live:
        person = people.get(row.code or "")
        if person is None:
            row.issue = Issue("bulk_unknown_staff", KEY, {"value": row.code})
        elif person["unit_id"] not in allowed:
            row.issue = Issue("forbidden", KEY, {"permission": "import_lms"})
        elif row.values.get("module_code") not in modules:
            code = row.values.get("module_code")
            row.issue = Issue("bdtx_unknown_module", "module_code", {"codes": code})
        else:
            _validate(row, person)
    _check_finalised(session, [r for r in live if r.issue is None])
    _compare(session, [r for r in live if r.issue is None])


def _people(session: Session, actor: Actor, codes: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(set(codes))):
        found = session.execute(
            select(STAFF.c.external_code, STAFF.c.id, STAFF.c.unit_id).where(
                STAFF.c.external_code.in_(part), owned_filter(actor, STAFF.c.unit_id, STAFF.c.id)
            )
        )
        out |= {r[0]: {"id": r[1], "unit_id": r[2]} for r in found}
    return out


def _importable(session: Session, actor: Actor, unit_ids: set[int]) -> set[int]:
    """Units where the caller holds an import role (its grants' subtrees)."""
    if any(g.unit_id is None and g.role in IMPORT_ROLES for g in actor.grants):
        return unit_ids
    roots = [g.unit_id for g in actor.grants if g.role in IMPORT_ROLES and g.unit_id]
    out: set[int] = set()
    for part in chunks(sorted(unit_ids)):
        out |= set(
            session.scalars(
                select(CLOSURE.c.descendant_id).where(
                    CLOSURE.c.descendant_id.in_(part), CLOSURE.c.ancestor_id.in_(roots)
                )
            )
        )
    return out


def _existing_modules(session: Session, codes: set[str]) -> set[str]:
    out: set[str] = set()
    for part in chunks(sorted(codes)):
        out |= set(session.scalars(select(MODULES.c.code).where(MODULES.c.code.in_(part))))
    return out


def _validate(row: Row, person: dict[str, Any]) -> None:
    try:
        data = LmsCompletion.model_validate(as_json(row.values))
    except ValidationError as exc:
        row.issue = issue_from(exc)
        return
    row.data = {**data.model_dump(), "staff_id": person["id"], "unit_id": person["unit_id"]}


def _check_finalised(session: Session, rows: list[Row]) -> None:
    """R-BDTX-1: a finalised year's result is not changed by new credits."""
    pairs = sorted({(r.data["staff_id"], r.data["school_year"]) for r in rows})
    done: set[tuple[int, str]] = set()
    for part in chunks(pairs):
        found = session.execute(
            select(RESULTS.c.staff_id, RESULTS.c.school_year).where(
                tuple_(RESULTS.c.staff_id, RESULTS.c.school_year).in_(part),
                RESULTS.c.status == ResultStatus.finalised,
            )
        )
        done |= {(r[0], r[1]) for r in found}
    for row in rows:
        year = row.data["school_year"]
        if (row.data["staff_id"], year) in done:
            row.issue = Issue("bdtx_result_finalised", "school_year", {"school_year": year})


def _stored(
    session: Session, table: Any, rows: list[Row], *where: Any
) -> dict[tuple[Any, ...], dict[str, Any]]:
    keys = sorted(
        {(r.data["staff_id"], r.data["school_year"], r.data["module_code"]) for r in rows}
    )
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for part in chunks(keys):
        ident = tuple_(table.c.staff_id, table.c.school_year, table.c.module_code)
        for found in session.execute(select(table).where(ident.in_(part), *where)).mappings():
            out[(found["staff_id"], found["school_year"], found["module_code"])] = dict(found)
    return out


def _compare(session: Session, rows: list[Row]) -> None:
    credits = _stored(session, CREDITS, rows, CREDITS.c.source == CreditSource.lms)
    scores = _stored(session, SCORES, rows)
    for row in rows:
        key = (row.data["staff_id"], row.data["school_year"], row.data["module_code"])
        credit, score = credits.get(key), scores.get(key)
        row.before = {"credit": credit, "score": score}
        row.id = credit["id"] if credit else None
        if credit is None and score is None:
            row.status = RowStatus.created
        elif (
            credit is not None
            and score is not None
            and credit["periods"] == row.data["periods"]
            and score["score"] == row.data["score"]
            and score["source"] == "lms"
        ):
            row.status = RowStatus.unchanged
        else:
            row.status = RowStatus.updated


# --- writing --------------------------------------------------------------------------


def _write(session: Session, todo: list[Row]) -> None:
    now = utcnow()
    changes: list[Change] = []
    changes += _write_credits(session, todo, now)
    changes += _write_scores(session, todo, now)
    note_changes(session, changes)


def _write_credits(session: Session, rows: list[Row], now: datetime) -> list[Change]:
    changes: list[Change] = []
    new = [r for r in rows if _old(r, "credit") is None]
    for batch in chunks(new):
        params = [
            {
                "staff_id": r.data["staff_id"],
                "unit_id": r.data["unit_id"],
                "school_year": r.data["school_year"],
                "source": CreditSource.lms,
                "event_id": None,
                "module_code": r.data["module_code"],
                "periods": r.data["periods"],
                "credited_at": now,
            }
            for r in batch
        ]
        ids = insert_returning(session, CREDITS, params)
        for row, new_id, values in zip(batch, ids, params, strict=True):
            row.id = new_id
            after = snapshot({"id": new_id, **values})
            changes.append(("create", "training_credit", new_id, values["unit_id"], None, after))
    moved = [r for r in rows if (old := _old(r, "credit")) and old["periods"] != r.data["periods"]]
    stmt = (
        update(CREDITS)
        .where(CREDITS.c.id == bindparam("b_id"))
        .values(periods=bindparam("b_periods"))
    )
    for batch in chunks(moved):
        olds = [_old(r, "credit") or {} for r in batch]
        params = [
            {"b_id": o["id"], "b_periods": r.data["periods"]}
            for r, o in zip(batch, olds, strict=True)
        ]
        session.execute(stmt, params)
        for row, old in zip(batch, olds, strict=True):
            after = snapshot({**old, "periods": row.data["periods"]})
            changes.append(
                ("update", "training_credit", old["id"], old["unit_id"], snapshot(old), after)
            )
    return changes


def _write_scores(session: Session, rows: list[Row], now: datetime) -> list[Change]:
    changes: list[Change] = []
    new = [r for r in rows if _old(r, "score") is None]
    for batch in chunks(new):
        params = [
            {
                "staff_id": r.data["staff_id"],
                "school_year": r.data["school_year"],
                "module_code": r.data["module_code"],
                "score": r.data["score"],
                "source": "lms",
                "recorded_at": now,
            }
            for r in batch
        ]
        ids = insert_returning(session, SCORES, params)
        for new_id, values in zip(ids, params, strict=True):
            after = snapshot({"id": new_id, **values})
            changes.append(("create", "bdtx_module_score", new_id, None, None, after))
    moved = [
        r
        for r in rows
        if (old := _old(r, "score")) and (old["score"], old["source"]) != (r.data["score"], "lms")
    ]
    stmt = (
        update(SCORES)
        .where(SCORES.c.id == bindparam("b_id"))
        .values(score=bindparam("b_score"), source="lms", recorded_at=now)
    )
    for batch in chunks(moved):
        olds = [_old(r, "score") or {} for r in batch]
        params = [
            {"b_id": o["id"], "b_score": r.data["score"]} for r, o in zip(batch, olds, strict=True)
        ]
        session.execute(stmt, params)
        for row, old in zip(batch, olds, strict=True):
            after = snapshot(
                {**old, "score": row.data["score"], "source": "lms", "recorded_at": now}
            )
            changes.append(("update", "bdtx_module_score", old["id"], None, snapshot(old), after))
    return changes


def _old(row: Row, kind: str) -> dict[str, Any] | None:
    """The stored credit or score a row replaces (None: it creates one)."""
    return (row.before or {}).get(kind)
