"""The import pipeline every kind of record shares.

upload -> rows of field values (``map_upload``) -> a per-row decision made by the domain
(created / updated / unchanged / error) -> ``conclude``: refuse the whole file (atomic mode
with any error: nothing written, 422 with every row's result), or write the good rows (unless
``dry_run``) and report. Domains write with Core statements in batches (one executemany per
kind of statement, not one ORM object per row) and hand their changes to the audit log and the
change feed with ``note_changes``.
"""

import enum
import functools
import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from operator import attrgetter
from typing import Any, ParamSpec, TypeVar, cast

from pydantic import ValidationError
from sqlalchemy import CursorResult, bindparam, select, update
from sqlmodel import Session

from app.audit.service import Change
from app.auth.actor import Actor
from app.auth.policies import (
    PERMISSIONS,
    Permission,
    has_global,
    unit_filter,
    unit_read_filter,
)
from app.bulk.columns import CellError, Layout
from app.bulk.parse import Upload, from_objects
from app.bulk.schemas import BulkReport, ImportMode, ImportSummary, RowProblem, RowResult, RowStatus
from app.core.errors import Forbidden, InvalidInput, PreconditionFailed
from app.core.i18n import render
from app.units.models import Unit

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")
UNITS = Unit.__table__  # type: ignore[attr-defined]  # typed columns for the queries
# Rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits.
BATCH = 500


@dataclass
class Issue:
    """A row's problem before it is rendered in the caller's language."""

    code: str
    field: str | None = None
    params: dict[str, Any] = dc_field(default_factory=dict)
    # invalid in itself (a value, a format, an unknown field), as opposed to refused because
    # of what is stored (a unit that does not exist, a code taken, a rule)
    invalid: bool = False


@dataclass
class Row:
    row: int
    values: dict[str, Any]
    code: str | None = None
    issue: Issue | None = None
    status: RowStatus = RowStatus.error
    id: int | None = None
    # what the domain decided to write, and the stored record it replaces
    data: dict[str, Any] = dc_field(default_factory=dict)
    before: dict[str, Any] | None = None


class BulkRejected(InvalidInput):
    """Nothing written; the problem carries the report. 422 when a row is invalid in itself,
    409 when rows are refused only because of what is stored (as single writes would be)."""

    def __init__(self, report: BulkReport, *, invalid: bool) -> None:
        bad = [r for r in report.rows if r.problem is not None]
        items = [
            {
                "loc": ["rows", r.row, r.problem.field or "row"],
                "msg": r.problem.detail,
                "code": r.problem.code,
            }
            for r in bad
            if r.problem is not None
        ]
        code = "bulk_invalid_rows" if invalid else "bulk_rejected"
        super().__init__(code, errors=items, count=len(bad))
        self.status = 422 if invalid else 409
        self.report = report


@dataclass
class Batch:
    """The rows of one upload; ``strict`` for JSON, whose rows must match the contract."""

    rows: list[Row]
    ignored: list[str]
    strict: bool


def chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def stored_by_code(
    session: Session, column: Any, codes: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The stored rows of ``column``'s table whose ``column`` is one of ``codes``, by code."""
    out: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(set(codes))):
        for found in session.execute(select(column.table).where(column.in_(part))):
            out[found._mapping[column.name]] = dict(found._mapping)
    return out


# --- garbage collection ------------------------------------------------------------------

_GC_LOCK = threading.Lock()
_gc_holders = 0
_gc_saved: tuple[int, int, int] = gc.get_threshold()
# gen-1 collections before a full one while an import runs: in effect none
_GC_FULL_AFTER = 1_000_000


def fewer_collections(func: Callable[P, R]) -> Callable[P, R]:
    """Full garbage collections put off while an import runs.

    An import keeps every row, its values and its audit snapshots alive to its end: young
    collections keep promoting them and each full collection rescans them all with the rest
    of the process, a quarter of a 25,000-row import's time, for no cycle to reclaim. Young
    collections still run, and the full one comes once the import is over. The thresholds
    are the whole process's (other threads wait for their full collection too): the first
    import in saves them, the last one out restores them.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        global _gc_holders, _gc_saved
        with _GC_LOCK:
            if _gc_holders == 0:
                _gc_saved = gc.get_threshold()
                gc.set_threshold(_gc_saved[0], _gc_saved[1], _GC_FULL_AFTER)
            _gc_holders += 1
        try:
            return func(*args, **kwargs)
        finally:
            with _GC_LOCK:
                _gc_holders -= 1
                if _gc_holders == 0:
                    gc.set_threshold(*_gc_saved)

    return wrapper


# --- from an upload to rows of field values ----------------------------------------------


def as_upload(rows: Upload | Sequence[dict[str, Any]], max_rows: int) -> Upload:
    """Services take an Upload or plain dicts (JSON items, the benchmark's rows)."""
    return rows if isinstance(rows, Upload) else from_objects(list(rows), max_rows)


def map_upload(upload: Upload, layout: Layout) -> Batch:
    """Rows of validated values: JSON items as the contract states them (field names, JSON
    types), spreadsheet rows through the column mapping and the lenient cell converters;
    both then through the layout's row model, which carries the domain's field rules."""
    if upload.source == "json":
        rows = [_from_object(r.row, r.cells, layout) for r in upload.records]
        _flag_repeats(rows, layout.identity or (layout.key,))
        return Batch(rows, [], strict=True)
    mapping: dict[str, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for header in upload.headers:
        column = layout.column(header)
        if column is None:
            ignored.append(header)
            continue
        if column.field in seen:
            raise InvalidInput("bulk_duplicate_column", column=header, other=seen[column.field])
        seen[column.field] = header
        mapping[header] = column.field
    if layout.key not in seen:
        raise InvalidInput("bulk_missing_column", column=layout.key)
    rows = [_from_cells(r.row, r.cells, mapping, layout) for r in upload.records]
    _flag_repeats(rows, layout.identity or (layout.key,))
    _say_headers(rows, {f: h for h, f in mapping.items()})
    return Batch(rows, ignored, strict=False)


def _say_headers(rows: list[Row], header_of: dict[str, str]) -> None:
    """A row problem names the column as the office's file does ("Ngày sinh"), not the
    field behind it (``date_of_birth``); ``field`` stays the API's name for programs."""
    for row in rows:
        named = row.issue.params.get("field") if row.issue else None
        if row.issue and isinstance(named, str) and named in header_of:
            row.issue.params = {**row.issue.params, "field": header_of[named]}


def _validated(row: Row, data: dict[str, Any], layout: Layout) -> Row:
    try:
        model = layout.model.model_validate(data)
    except ValidationError as exc:
        row.issue = issue_from(exc, invalid=True)
        return row
    row.values = model.model_dump(exclude_unset=True)
    row.code = row.values.get(layout.key)
    return row


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _from_object(number: int, item: dict[str, Any], layout: Layout) -> Row:
    row = Row(number, {})
    code = item.get(layout.key)
    row.code = code if isinstance(code, str) and "\x00" not in code else None
    _validated(row, item, layout)
    nul = next((k for k, v in row.values.items() if _has_nul(v)), None)
    if row.issue is None and nul is not None:
        # valid JSON the contract allows, but PostgreSQL text cannot hold NUL: the row cannot
        # be stored (refused like a conflict, before any lookup), where SQLite would take it
        row.issue = Issue("bulk_nul_character", nul, {"field": nul})
    return row


def _from_cells(number: int, cells: dict[str, Any], mapping: dict[str, str], layout: Layout) -> Row:
    row = Row(number, {})
    values: dict[str, Any] = {}
    for header, value in cells.items():
        name = mapping.get(header)
        column = layout.column(header) if name else None
        if name is None or column is None:
            continue
        try:
            converted = column.convert(value)
        except CellError as exc:
            params = {"field": name, **exc.params}
            row.issue = row.issue or Issue(exc.code, name, params, invalid=True)
            continue
        if converted is not None:
            values[name] = converted
    code = values.get(layout.key)
    row.code = code if isinstance(code, str) else None
    if row.issue is None:
        _validated(row, as_json(values), layout)
    return row


def _flag_repeats(rows: list[Row], identity: tuple[str, ...]) -> None:
    """The same record twice in one file: the later row is an error (which should win is a
    guess)."""
    first: dict[tuple[Any, ...], int] = {}
    for row in rows:
        if row.code is None or row.issue is not None:
            continue
        ident = tuple(str(row.values.get(f)) for f in identity)
        if ident in first:
            row.issue = Issue("bulk_duplicate_row", identity[0], {"first": first[ident]})
        first.setdefault(ident, row.row)


# --- checks shared by the domains -----------------------------------------------------------

REASONS_VI = {
    "missing": "thiếu giá trị",
    "string_pattern_mismatch": "sai định dạng",
    "string_too_long": "quá dài",
    "string_too_short": "không được để trống",
    "too_long": "quá nhiều phần tử",
    "enum": "không thuộc danh sách cho phép",
    "literal_error": "không thuộc danh sách cho phép",
    "greater_than": "nhỏ hơn giá trị cho phép",
    "greater_than_equal": "nhỏ hơn giá trị cho phép",
    "less_than": "lớn hơn giá trị cho phép",
    "less_than_equal": "lớn hơn giá trị cho phép",
    "int_parsing": "không phải số nguyên",
    "int_from_float": "không phải số nguyên",
    "float_parsing": "không phải số",
    "date_from_datetime_inexact": "không phải ngày",
    "date_parsing": "không phải ngày",
    "date_type": "không phải ngày",
    "string_type": "không phải văn bản",
    "list_type": "không phải danh sách",
    "extra_forbidden": "không được phép",
}


def issue_from(exc: ValidationError, *, invalid: bool = False) -> Issue:
    """The first field error of a schema validation, as a row problem.

    ``invalid``: the row breaks the contract itself. Without it (a create that lacks fields an
    update would not need) the row is refused because of what is, or is not, stored.
    """
    errors = exc.errors()
    # an unknown field first: it usually explains the rest (a header name sent as a field)
    err = next((e for e in errors if e.get("type") == "extra_forbidden"), errors[0])
    loc = [str(p) for p in err.get("loc", ())]
    name = loc[0] if loc else None
    kind = err.get("type", "")
    if kind == "missing":
        return Issue("bulk_missing_value", name, {"field": name}, invalid=invalid)
    if kind == "extra_forbidden":
        return Issue("bulk_unknown_field", name, {"field": name}, invalid=True)
    reason = {"vi": REASONS_VI.get(kind, err.get("msg", "")), "en": err.get("msg", "")}
    params = {"field": ".".join(loc), "reason": reason}
    return Issue("bulk_invalid_value", name, params, invalid=True)


def require_some_grant(actor: Actor, permission: Permission) -> None:
    """403 for callers who may not do this anywhere (a whole-request refusal, before rows)."""
    if not (has_global(actor, permission) or actor.has_role(PERMISSIONS[permission])):
        raise Forbidden("forbidden", permission=permission.value)


@dataclass(frozen=True)
class UnitRef:
    id: int
    writable: bool


class UnitScope:
    """Units named by code in a file, as the caller sees them.

    A unit the caller cannot see is absent (a row error ``unknown_unit``, exactly as for a
    code that does not exist); a visible unit where the caller may not write is ``writable``
    False (a row error ``forbidden``).
    """

    def __init__(self, session: Session, actor: Actor, permission: Permission) -> None:
        self.session, self.actor, self.permission = session, actor, permission

    def by_code(self, codes: Iterable[str]) -> dict[str, UnitRef]:
        wanted = sorted(set(codes))
        found: dict[str, UnitRef] = {}
        for part in chunks(wanted):
            rows = self.session.execute(
                select(UNITS.c.external_code, UNITS.c.id).where(
                    UNITS.c.external_code.in_(part), unit_read_filter(self.actor, UNITS.c.id)
                )
            )
            visible: dict[str, int] = {r[0]: r[1] for r in rows}
            writable = self.writable(visible.values())
            found |= {c: UnitRef(i, i in writable) for c, i in visible.items()}
        return found

    def writable(self, unit_ids: Iterable[int]) -> set[int]:
        return self._ids(unit_ids, unit_filter(self.actor, UNITS.c.id, self.permission))

    def visible(self, unit_ids: Iterable[int]) -> set[int]:
        return self._ids(unit_ids, unit_read_filter(self.actor, UNITS.c.id))

    def _ids(self, unit_ids: Iterable[int], clause: Any) -> set[int]:
        out: set[int] = set()
        for part in chunks(sorted(set(unit_ids))):
            out |= set(self.session.scalars(select(UNITS.c.id).where(UNITS.c.id.in_(part), clause)))
        return out


def unit_codes(session: Session, unit_ids: Iterable[int | None]) -> dict[int, str]:
    """Codes of units the caller already knows by id (to name them in a row's problem)."""
    out: dict[int, str] = {}
    for part in chunks(sorted({i for i in unit_ids if i is not None})):
        found = session.execute(
            select(UNITS.c.id, UNITS.c.external_code).where(UNITS.c.id.in_(part))
        )
        out |= {r[0]: r[1] for r in found}
    return out


def unit_issue(
    ref: UnitRef | None, code: str, field_name: str, permission: Permission
) -> Issue | None:
    if ref is None:
        return Issue("bulk_unknown_unit", field_name, {"value": code})
    if not ref.writable:
        return Issue("forbidden", field_name, {"permission": permission.value})
    return None


def jsonable(value: Any) -> Any:
    """A column value as the audit log stores it."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def as_json(values: dict[str, Any]) -> dict[str, Any]:
    """Cell values as a JSON body would carry them: the schemas validate the API's JSON."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


# How each exact type becomes what the audit log stores (``jsonable``), decided once per
# type: an import snapshots every value of every row (a sixth of a 25,000-row import went to
# ``isinstance`` chains). None: stored as it is.
_AS_JSON: dict[type, Callable[[Any], Any] | None] = dict.fromkeys(
    (str, int, float, bool, type(None), list, dict)
)


def _as_json(kind: type) -> Callable[[Any], Any] | None:
    if issubclass(kind, enum.Enum):
        return attrgetter("value")
    if issubclass(kind, datetime | date):
        return kind.isoformat
    return None


def snapshot(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        kind = type(value)
        try:
            convert = _AS_JSON[kind]
        except KeyError:
            convert = _AS_JSON.setdefault(kind, _as_json(kind))
        out[key] = value if convert is None else convert(value)
    return out


# --- writing -------------------------------------------------------------------------


def versioned_update(
    session: Session,
    table: Any,
    rows: list[Row],
    now: datetime,
    *,
    unit_of: Callable[[dict[str, Any]], int | None],
) -> list[Change]:
    """``row.data`` written over ``row.before``: one executemany per set of changed columns,
    each row guarded by the version it was read at and bumped by one."""
    changes: list[Change] = []
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row.data)), []).append(row)
    for columns, group in groups.items():
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(
                version=table.c.version + 1,
                updated_at=now,
                **{c: bindparam(f"b_{c}") for c in columns},
            )
        )
        for part in chunks(group):
            params = [_update_params(r) for r in part]
            result = cast(CursorResult[Any], session.execute(stmt, params))
            if 0 <= result.rowcount < len(part):
                # changed between our read and our write: refused, as a stale If-Match is
                raise PreconditionFailed("precondition_failed", current="?")
            changes += [_updated(table.name, r, now, unit_of) for r in part]
    return changes


def _update_params(row: Row) -> dict[str, Any]:
    assert row.before is not None
    params = {f"b_{k}": v for k, v in row.data.items()}
    return {**params, "b_id": row.id, "b_version": row.before["version"]}


def _updated(
    resource: str, row: Row, now: datetime, unit_of: Callable[[dict[str, Any]], int | None]
) -> Change:
    assert row.before is not None
    after = {**row.before, **row.data, "version": row.before["version"] + 1, "updated_at": now}
    return ("update", resource, row.id, unit_of(row.before), snapshot(row.before), snapshot(after))


# --- the end of every import -----------------------------------------------------------


def _problem(issue: Issue, lang: str) -> RowProblem:
    params = {
        k: (v.get(lang, v.get("en")) if isinstance(v, dict) else v) for k, v in issue.params.items()
    }
    return RowProblem(
        code=issue.code, detail=render(issue.code, lang, params)[1], field=issue.field
    )


def build_report(
    rows: list[Row],
    *,
    mode: ImportMode,
    dry_run: bool,
    committed: bool,
    ignored: list[str],
    lang: str,
) -> BulkReport:
    counts = dict.fromkeys(RowStatus, 0)
    results = []
    for row in rows:
        status = RowStatus.error if row.issue else row.status
        counts[status] += 1
        results.append(
            RowResult(
                row=row.row,
                external_code=row.code,
                status=status,
                id=row.id,
                problem=_problem(row.issue, lang) if row.issue else None,
            )
        )
    return BulkReport(
        mode=mode,
        dry_run=dry_run,
        committed=committed,
        summary=ImportSummary(total=len(rows), **{s.value: n for s, n in counts.items()}),
        ignored_columns=ignored,
        rows=results,
    )


def conclude(
    batch: Batch,
    *,
    mode: ImportMode,
    dry_run: bool,
    lang: str,
    write: Callable[[list[Row]], None],
) -> BulkReport:
    """Refuse, or write the good rows (not in a dry run), then report every row.

    Atomic mode refuses any error. Partial mode skips and reports rows in error, except JSON
    rows that break the contract: a client's malformed body is refused whole (422), as any
    JSON body is, while spreadsheet cells are the office's data and reported row by row.
    """
    rows = batch.rows

    def report(committed: bool) -> BulkReport:
        return build_report(
            rows, mode=mode, dry_run=dry_run, committed=committed, ignored=batch.ignored, lang=lang
        )

    invalid = any(r.issue is not None and r.issue.invalid for r in rows)
    if invalid and (mode == ImportMode.atomic or batch.strict):
        raise BulkRejected(report(False), invalid=True)
    if mode == ImportMode.atomic and any(r.issue for r in rows):
        raise BulkRejected(report(False), invalid=False)
    todo = [
        r for r in rows if r.issue is None and r.status in (RowStatus.created, RowStatus.updated)
    ]
    committed = bool(todo) and not dry_run
    if committed:
        write(todo)
    return report(committed)
