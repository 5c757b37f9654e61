"""The audit trail: every write and every refused attempt, in the request's own transaction.

Changes are collected by an ``after_flush`` hook on every session that asks for it, so no
service can forget to log a write; the route class turns them into rows just before commit.
"""

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fastapi import Request
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Session

from app.audit.models import AuditLog
from app.auth.actor import Actor
from app.auth.policies import PERMISSIONS, Permission, unit_filter
from app.core.driver import insert_many
from app.core.errors import AppError, Forbidden
from app.core.model_base import utcnow
from app.core.pagination import PageParams, paginate
from app.core.types import INT32_MAX
from app.units.models import Unit, UnitClosure
from app.units.service import subtree_ids


@dataclass
class AuditFilters:
    unit_id: int | None = None
    actor_user_id: int | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: int | None = None
    outcome: str | None = None
    request_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


SECRET_FIELDS = frozenset({"password_hash", "key_hash", "pkcs12_encrypted", "secret_encrypted"})
# Bookkeeping that is not a change of anything a person decided.
IGNORED_FIELDS = frozenset({"last_used_at", "updated_at", "version"})
NOT_AUDITED = frozenset(
    {
        "audit_log",
        "idempotency_record",
        "unit_closure",
        "login_throttle",
        # messages about changes already recorded, and the worker's bookkeeping (app.notify)
        "notification",
        "notification_preference",
        "email_outbox",
        "worker_cursor",
        # webhook deliveries: the worker's log of what it sent (app.webhooks)
        "webhook_delivery",
        # how far the feed's retention has dropped (app.ops.partitions)
        "change_horizon",
        # SQLite's signal to the workers' grant caches, bumped by triggers (app.auth.grant_cache)
        "grant_version",
    }
)
CHANGES_KEY = "audit_changes"


def _json(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):  # a stored file: its size, not its bytes, in the log
        return f"<{len(value)} bytes>"
    return value


def _snapshot(obj: Any, values: dict[str, Any] | None = None) -> dict[str, Any]:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        value = values[attr.key] if values and attr.key in values else getattr(obj, attr.key)
        out[attr.key] = "***" if attr.key in SECRET_FIELDS else _json(value)
    return out


def _before_values(obj: Any) -> tuple[dict[str, Any], set[str]]:
    """Old values of changed attributes (from the flush's history) and their names."""
    old: dict[str, Any] = {}
    for attr in inspect(obj).attrs:
        hist = attr.history
        if hist.has_changes() and hist.deleted:
            old[attr.key] = hist.deleted[0]
    return old, set(old)


def _unit_of(obj: Any) -> int | None:
    if isinstance(obj, Unit):
        return obj.id
    return getattr(obj, "unit_id", None)


def _collect(session: OrmSession, _ctx: UOWTransaction) -> None:
    changes = session.info.setdefault(CHANGES_KEY, [])
    for op, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in NOT_AUDITED:
                continue
            before = after = None
            if op == "create":
                after = _snapshot(obj)
            elif op == "delete":
                before = _snapshot(obj)
            else:
                old, changed = _before_values(obj)
                if not changed - IGNORED_FIELDS:
                    continue
                before, after = _snapshot(obj, old), _snapshot(obj)
            changes.append((op, table, getattr(obj, "id", None), _unit_of(obj), before, after))


def install() -> None:
    if not event.contains(Session, "after_flush", _collect):
        event.listen(Session, "after_flush", _collect)


def unit_path(session: Session, unit_id: int | None) -> str | None:
    """``/1/2/5/``: the unit's ancestry at the time of the event (units move later)."""
    if unit_id is None:
        return None
    ids = session.scalars(
        select(UnitClosure.ancestor_id)
        .where(UnitClosure.descendant_id == unit_id)
        .order_by(UnitClosure.depth.desc())
    ).all()
    return "/" + "".join(f"{i}/" for i in ids) if ids else None


def unit_paths(session: Session, unit_ids: set[int]) -> dict[int, str]:
    """``unit_path`` for many units in one query (a bulk import touches hundreds)."""
    if not unit_ids:
        return {}
    rows = session.execute(
        select(UnitClosure.descendant_id, UnitClosure.ancestor_id)
        .where(UnitClosure.descendant_id.in_(sorted(unit_ids)))
        .order_by(UnitClosure.descendant_id, UnitClosure.depth.desc())
    ).all()
    parts: dict[int, list[str]] = {}
    for unit_id, ancestor in rows:
        parts.setdefault(unit_id, []).append(f"{ancestor}/")
    return {unit_id: "/" + "".join(p) for unit_id, p in parts.items()}


def _actor_fields(request: Request) -> dict[str, Any]:
    actor = getattr(request.state, "actor", None)
    client = request.client.host if request.client else None
    base = {
        "request_id": getattr(request.state, "request_id", None),
        "client_ip": client,
        "action": getattr(request.state, "route_name", None) or request.url.path[:64],
    }
    if actor is None:
        return base
    acting = actor.acting
    return {
        **base,
        "actor_user_id": actor.user_id,
        "actor_api_key_id": actor.api_key_id,
        "actor_name": actor.name,
        "auth_method": actor.auth_method,
        "acting_role": acting.role.value if acting else None,
        "acting_unit_id": acting.unit_id if acting else None,
    }


Change = tuple[str, str, int | None, int | None, dict[str, Any] | None, dict[str, Any] | None]
"""(op, table, target id, unit id, before, after): what the audit log and the feed record."""


def note_changes(session: Session, changes: Sequence[Change]) -> None:
    """Writes made with Core statements (the bulk paths), which the flush hook cannot see."""
    session.info.setdefault(CHANGES_KEY, []).extend(changes)


def record_changes(session: Session, request: Request, status_code: int) -> Sequence[Change]:
    """Rows for the writes this request made; called just before its commit.

    One multi-row INSERT, so a bulk import of thousands of rows costs one statement here.
    Returns the changes, which the change feed records too (``app.changes``).
    """
    changes: Sequence[Change] = session.info.pop(CHANGES_KEY, [])
    if not changes:
        return changes
    fields = _actor_fields(request)
    paths = unit_paths(session, {c[3] for c in changes if c[3] is not None})
    now = utcnow()
    rows = []
    for op, table, target_id, unit_id, before, after in changes:
        rows.append(
            {
                **fields,
                "at": now,
                "target_type": table,
                "target_id": target_id,
                "target_unit_id": unit_id,
                "target_unit_path": paths.get(unit_id) if unit_id is not None else None,
                "before": before,
                "after": after,
                "outcome": "success",
                "status_code": status_code,
                "change": op,
            }
        )
    # same keys in every row: one executemany, or the driver's bulk path for an import's
    # thousands (COPY on PostgreSQL)
    insert_many(session, AuditLog.__table__, rows)
    return changes


def _target_id(raw: str) -> int | None:
    # only what the column holds: "²" passes isdigit(), 2**31 overflows PostgreSQL's integer
    return int(raw) if re.fullmatch(r"[0-9]{1,10}", raw) and int(raw) <= INT32_MAX else None


def record_refusal(session: Session, request: Request, exc: Exception, status: int) -> None:
    """A row for a refused write; the request's own changes were rolled back before this."""
    session.info.pop(CHANGES_KEY, None)
    # the first path parameter names the target: /units/{unit_id} -> ("unit", id)
    param = next(iter(request.path_params), None)
    raw = str(request.path_params.get(param, "")) if param else ""
    session.add(
        AuditLog(
            **_actor_fields(request),
            target_type=param.removesuffix("_id") if param else None,
            target_id=_target_id(raw),
            outcome="refused" if status < 500 else "error",
            status_code=status,
            error_code=exc.code if isinstance(exc, AppError) else type(exc).__name__[:64],
        )
    )
    session.flush()


def list_entries(
    session: Session,
    actor: Actor,
    page: PageParams,
    filters: AuditFilters,
) -> tuple[Sequence[AuditLog], str | None]:
    """Admins and inspectors, within their subtrees; rows with no unit only system-wide."""
    if not (actor.is_global_admin or actor.has_role(PERMISSIONS[Permission.read_audit])):
        raise Forbidden("forbidden", permission=Permission.read_audit.value)
    stmt = select(AuditLog).where(
        unit_filter(actor, AuditLog.target_unit_id, Permission.read_audit)
    )
    if filters.unit_id is not None:
        stmt = stmt.where(AuditLog.target_unit_id.in_(subtree_ids(filters.unit_id)))
    for column, value in (
        (AuditLog.actor_user_id, filters.actor_user_id),
        (AuditLog.action, filters.action),
        (AuditLog.target_type, filters.target_type),
        (AuditLog.target_id, filters.target_id),
        (AuditLog.outcome, filters.outcome),
        (AuditLog.request_id, filters.request_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.since is not None:
        stmt = stmt.where(AuditLog.at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditLog.at < filters.until)
    return paginate(session, stmt, AuditLog.id, page, newest_first=True)
