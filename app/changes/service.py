"""The change feed: every create, update and delete made through the API, in commit order.

Rows come from the same list the audit log is written from (the ``after_flush`` hook and
``note_changes`` for Core bulk writes) and are inserted as the very last statement of the
request's transaction (``app.web.routing._finish``), so a change is in the feed exactly
when it is committed. Writes made outside API requests (``bdtx seed-demo``, ``create-admin``,
the start-up admin) are not in the feed.

Gap-free commit order: a plain autoincrement id is taken at insert time, and a transaction
that took id 10 may commit after one that took id 11; a poller that saw 11 would then skip
10 forever. So on PostgreSQL the insert runs under a transaction-scoped advisory lock, taken
just before it and released by the commit *after* the commit is visible: ids increase in
commit order. SQLite has one writer at a time (writing requests ``BEGIN IMMEDIATE``, see
``app.core.db``), which gives the same order. The price is that the last few milliseconds of
writing transactions (this insert and the commit) run one at a time on PostgreSQL.
"""

import base64
import binascii
import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, literal, or_, select, text
from sqlmodel import Session, SQLModel

from app.audit.service import NOT_AUDITED, SECRET_FIELDS
from app.audit.service import Change as Noted
from app.auth.actor import Actor
from app.auth.policies import PERMISSIONS, Permission, unit_filter
from app.changes.models import Change, ChangeHorizon
from app.core.driver import insert_many
from app.core.errors import Forbidden, Gone, InvalidInput
from app.core.model_base import utcnow
from app.units.service import MOVES_KEY, subtree_ids

# pg_advisory_xact_lock key of the feed ("bdtx" in ASCII); nothing else may use it.
FEED_LOCK_KEY = 0x62647478
# Bookkeeping, not objects anyone syncs; webhook subscriptions are a key's own settings
# (audited, but pushing them through webhooks would feed the hooks their own changes).
NOT_IN_FEED = frozenset({"criticism_counter", "webhook_subscription"})
# Accounts and keys: only for those who manage users there (not for every reader).
ACCOUNT_RESOURCES = frozenset({"app_user", "role_assignment", "api_key"})
# Objects with no ``unit_id`` that still belong to one unit's subtree: the owner's column.
OWNER_FIELDS = {
    "event": "organizer_unit_id",
    "external_event": "authority_unit_id",
    "criticism": "issuing_unit_id",
    "bdtx_module": "issuer_unit_id",
}


@cache
def resources() -> frozenset[str]:
    """Every resource name the feed can carry (table names, singular snake_case)."""
    import app.models  # noqa: F401 - every table registered on the metadata

    names = set(SQLModel.metadata.tables) - NOT_AUDITED - NOT_IN_FEED - {Change.__tablename__}
    return frozenset(names)


# --- writing ---------------------------------------------------------------------------


def _owner(table: str, unit_id: int | None, state: dict[str, Any] | None) -> int | None:
    if unit_id is not None or state is None:
        return unit_id
    owner_field = OWNER_FIELDS.get(table)
    return state.get(owner_field) if owner_field else None


def _previous_owner(
    table: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> int | None:
    """Where an update moved the object from (a transfer, a unit move), else None.

    A unit is seen from its own subtree and its ancestors', so a moved unit leaves the
    subtrees of its old parent; anything else leaves its owner unit's subtree.
    """
    if before is None or after is None:
        return None
    key = "parent_id" if table == "unit" else OWNER_FIELDS.get(table, "unit_id")
    old = before.get(key)
    return old if old is not None and old != after.get(key) else None


# Search helpers the API never shows (``name_search``: the folded name the filter matches).
def shown(column: str) -> bool:
    return not column.endswith("_search")


def _utc_text(value: str) -> str:
    """The API writes UTC as ``Z``; snapshots come from ``isoformat`` (``+00:00``)."""
    return value[:-6] + "Z" if value.endswith("+00:00") else value


def _public(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """A snapshot as the REST object shows it: no search columns, UTC written with ``Z``."""
    if state is None:
        return None
    return {k: _utc_text(v) if isinstance(v, str) else v for k, v in state.items() if shown(k)}


def _json_value(column: str, value: Any) -> Any:
    if column in SECRET_FIELDS:
        return "***"
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _row(change: Noted) -> dict[str, Any] | None:
    op, table, target_id, unit_id, before, after = change
    if table in NOT_IN_FEED or table == Change.__tablename__:
        return None
    state = _public(after if op != "delete" else before)  # a delete carries the last state
    return {
        "op": op,
        "resource": table,
        "resource_id": target_id,
        "unit_id": _owner(table, unit_id, state),
        "prev_unit_id": _previous_owner(table, before, after),
        "version": state.get("version") if state else None,
        "data": state,
    }


def _unit_column(table: Table) -> str | None:
    """The column that places a row of ``table`` in a unit's subtree, if any."""
    if table.name == "unit":
        return "id"
    if "unit_id" in table.c:
        return "unit_id"
    return OWNER_FIELDS.get(table.name)


def _moved_rows(session: Session, root: int, old_parent: int | None) -> list[dict[str, Any]]:
    """Rows for everything a unit move carried along: the subtree's units (the moved unit has
    its own row from the update) and every object placed by one of them (staff, links,
    marks, events, ...). Each is an ``update`` with its full state for readers who see it
    now, and ``moved_out`` (through ``prev_unit_id``) for those of the old parent.

    One SELECT per table over the subtree and one multi-row insert by the caller: a district
    of thousands of staff costs a handful of statements, never one per row.
    """
    rows: list[dict[str, Any]] = []
    for name in sorted(resources()):
        table = SQLModel.metadata.tables[name]
        column = _unit_column(table)
        if column is None:
            continue
        stmt = select(table).where(table.c[column].in_(subtree_ids(root)))
        if name == "unit":
            stmt = stmt.where(table.c.id != root)
        if "id" in table.c:
            stmt = stmt.order_by(table.c.id)
        for found in session.execute(stmt).mappings():
            data = {k: _json_value(k, v) for k, v in found.items() if shown(k)}
            rows.append(
                {
                    "op": "update",
                    "resource": name,
                    "resource_id": found.get("id"),
                    "unit_id": found[column],
                    "prev_unit_id": old_parent,
                    "version": found.get("version"),
                    "data": data,
                }
            )
    return rows


def record(session: Session, changes: Sequence[Noted]) -> None:
    """Feed rows for a transaction's changes: call last, right before the commit.

    Unit moves (noted by ``app.units.service.move_unit``) add a row for each object the
    move carried into or out of someone's scope, after the transaction's own rows.
    The lock is held from here to the end of the transaction, so nothing slow may follow.
    """
    rows = [row for row in map(_row, changes) if row is not None]
    for root, old_parent in session.info.pop(MOVES_KEY, []):
        rows += _moved_rows(session, root, old_parent)
    if not rows:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK_KEY})
    now = utcnow()  # after the lock, so committed_at grows with the id
    for row in rows:
        row["committed_at"] = now
    # ids in the rows' order: an import's thousands through the driver (COPY on PostgreSQL)
    insert_many(session, Change.__table__, rows)


# --- reading ---------------------------------------------------------------------------


@dataclass
class FeedQuery:
    after: int = 0
    limit: int = 50
    resources: list[str] = field(default_factory=list)
    unit_id: int | None = None
    include_descendants: bool = True


@dataclass
class FeedItem:
    change: Change
    moved_out: bool


CHANGE_CURSOR_FORMAT = "change-cursor"


def encode_position(change_id: int) -> str:
    raw = json.dumps({"change": change_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _bad(loc: str, msg: str, code: str | None = None) -> InvalidInput:
    return InvalidInput(code, errors=[{"loc": ["query", loc], "msg": msg, "code": "invalid"}])


def decode_position(cursor: str | None) -> int:
    """``after`` as given by ``next_cursor``; missing means from the very beginning."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["change"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise _bad("after", "invalid cursor", "invalid_cursor") from exc
    # a position the column can hold: a forged {"change": 1e30} must not reach SQL
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise _bad("after", "invalid cursor", "invalid_cursor")
    return value


def resources_pattern() -> str:
    """What ``parse_resources`` accepts, for the contract: known names, comma-separated."""
    name = "(" + "|".join(sorted(resources())) + ")"
    return f"^{name}(,{name})*$"


def parse_resources(values: Sequence[str] | None) -> list[str]:
    """``?resource=staff&resource=unit`` or ``?resource=staff,unit``; unknown names are 422.

    Exactly ``resources_pattern()``: an empty name or a space is unknown too, as the contract
    says, rather than quietly dropped."""
    names = sorted({n for v in values or () for n in v.split(",")})
    unknown = [n for n in names if n not in resources()]
    if unknown:
        raise _bad("resource", f"unknown resource: {', '.join(unknown)}")
    return names


def _sees(actor: Actor, column: Any, within: Any) -> ColumnElement[bool]:
    """Rows whose unit (``column``) the actor may read from the feed, within a unit filter."""
    regular = unit_filter(actor, column, Permission.read_changes)
    accounts = unit_filter(actor, column, Permission.manage_users)
    by_role = or_(
        and_(Change.resource.not_in(ACCOUNT_RESOURCES), regular),
        and_(Change.resource.in_(ACCOUNT_RESOURCES), accounts),
    )
    return by_role if within is None else and_(column.in_(within), by_role)


def _unit_scope(query: FeedQuery) -> Any:
    if query.unit_id is None:
        return None
    return (
        subtree_ids(query.unit_id) if query.include_descendants else select(literal(query.unit_id))
    )


def may_read(actor: Actor) -> bool:
    return actor.is_global_admin or actor.has_role(PERMISSIONS[Permission.read_changes])


def _dropped_through(session: Session) -> int:
    return session.scalar(select(ChangeHorizon.dropped_through)) or 0


def behind_horizon(session: Session, after: int) -> bool:
    """Whether reading on from ``after`` would skip changes that retention dropped."""
    return 0 < after < _dropped_through(session)


def _check_horizon(session: Session, after: int) -> None:
    """A cursor before changes that retention dropped would skip them: 410, resynchronise.
    Starting afresh (no cursor) is fine: the reader lists the current state, then follows."""
    if after <= 0:
        return
    dropped = _dropped_through(session)
    if after < dropped:
        raise Gone(
            "feed_position_expired",
            errors=[{"loc": ["query", "after"], "msg": "expired", "code": "expired"}],
            oldest=dropped,
        )


def read_feed(session: Session, actor: Actor, query: FeedQuery) -> tuple[list[FeedItem], int, bool]:
    """One page after ``query.after``: the items, the position to poll from next, and
    whether more is waiting.

    The high-water mark is read first and the page never goes past it: every id up to it is
    committed already (commit order), so when the page is not full the next poll may start
    there. A reader whose scope sees nothing new still moves forward and never rescans.
    """
    if not may_read(actor):
        raise Forbidden("forbidden", permission=Permission.read_changes.value)
    _check_horizon(session, query.after)
    high = session.scalar(select(func.max(Change.id))) or 0
    if query.after >= high:
        return [], query.after, False
    within = _unit_scope(query)
    now_visible = _sees(actor, Change.unit_id, within)
    was_visible = _sees(actor, Change.prev_unit_id, within)
    stmt = (
        select(Change, now_visible.label("now_visible"))
        .where(Change.id > query.after, Change.id <= high, or_(now_visible, was_visible))
        .order_by(Change.id)
        .limit(query.limit + 1)
    )
    if query.resources:
        stmt = stmt.where(Change.resource.in_(query.resources))
    rows = session.execute(stmt).all()
    more = len(rows) > query.limit
    items = [FeedItem(change, moved_out=not visible) for change, visible in rows[: query.limit]]
    position = (items[-1].change.id or 0) if more else high
    return items, position, more
