"""Notifications: made by the worker (``deliver``), read and marked by their owner (API).

A caller sees only their own notifications: anything else is 404, like any object out of
scope. Nothing here is written to the audit log or the change feed: a notification is a
message about a change already recorded there, and marking it read decides nothing.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.auth.actor import Actor
from app.auth.models import User
from app.core.errors import Forbidden, NotFound
from app.core.model_base import utcnow
from app.core.pagination import PageParams, encode_cursor
from app.notify.kinds import KINDS, Channel
from app.notify.models import EmailOutbox, Notification, NotificationPreference
from app.staff.models import Staff

# --- making ------------------------------------------------------------------------------


@dataclass
class Draft:
    """One message to some users; ``(kind, subject, step)`` makes it once per user."""

    kind: str
    subject: str
    title: str
    body: str
    user_ids: set[int]
    step: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert


def _insert_once(session: Session, row: dict[str, Any]) -> int | None:
    """The new notification's id, or None when it was made before (the unique key)."""
    stmt: Insert = _insert(session)(Notification).values(**row)
    stmt = stmt.on_conflict_do_nothing(
        index_elements=["user_id", "kind", "subject", "step"]
    ).returning(Notification.id)
    return session.execute(stmt).scalar()


def _opted_out(session: Session, user_ids: set[int], kind: str) -> set[tuple[int, str]]:
    rows = session.execute(
        select(NotificationPreference.user_id, NotificationPreference.channel).where(
            NotificationPreference.user_id.in_(user_ids),
            NotificationPreference.kind == kind,
            NotificationPreference.enabled.is_(False),
        )
    ).all()
    return {(u, c) for u, c in rows}


def _addresses(session: Session, user_ids: set[int]) -> dict[int, tuple[str, str]]:
    """user id → (e-mail, full name), for users whose staff record has an address."""
    rows = session.execute(
        select(User.id, Staff.email, User.full_name)
        .join(Staff, Staff.id == User.staff_id)
        .where(User.id.in_(user_ids), Staff.email.is_not(None))
    ).all()
    return {u: (email, name) for u, email, name in rows if email}


def email_text(name: str, title: str, body: str) -> tuple[str, str]:
    subject = f"[BDTX] {title}"
    text = (
        f"Kính gửi {name},\n\n{body}\n\n"
        "Trân trọng,\nHệ thống quản lý bồi dưỡng cán bộ, giáo viên\n\n"
        "(Thư gửi tự động; có thể tắt loại thông báo này trong phần cài đặt thông báo.)"
    )
    return subject, text


def deliver(session: Session, drafts: Iterable[Draft]) -> int:
    """Store each draft for its users (once), and queue its e-mails; returns how many new."""
    made = 0
    for draft in drafts:
        if not draft.user_ids:
            continue
        out = _opted_out(session, draft.user_ids, draft.kind)
        addresses = _addresses(session, draft.user_ids)
        for user_id in sorted(draft.user_ids):
            if (user_id, Channel.in_app) in out and (user_id, Channel.email) in out:
                continue
            new_id = _insert_once(
                session,
                {
                    "user_id": user_id,
                    "kind": draft.kind,
                    "subject": draft.subject,
                    "step": draft.step,
                    "title": draft.title,
                    "body": draft.body,
                    "data": draft.data,
                    "created_at": utcnow(),
                    # e-mail only: kept for the once-only key, shown as read
                    "read_at": utcnow() if (user_id, Channel.in_app) in out else None,
                },
            )
            if new_id is None:
                continue
            made += 1
            if user_id in addresses and (user_id, Channel.email) not in out:
                address, name = addresses[user_id]
                subject, text = email_text(name, draft.title, draft.body)
                session.add(
                    EmailOutbox(
                        notification_id=new_id, to_address=address, subject=subject, body=text
                    )
                )
    session.flush()
    return made


# --- reading (the owner only) ------------------------------------------------------------


def _owner(actor: Actor) -> int:
    if actor.user_id is None:  # an API key is a system, not a person to tell anything
        raise Forbidden("forbidden")
    return actor.user_id


def list_own(
    session: Session, actor: Actor, page: PageParams, unread: bool | None, kind: str | None
) -> tuple[Sequence[Notification], str | None]:
    """Newest first."""
    stmt = select(Notification).where(Notification.user_id == _owner(actor))
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    if page.after_id is not None:
        stmt = stmt.where(Notification.id < page.after_id)
    rows = session.scalars(stmt.order_by(Notification.id.desc()).limit(page.limit + 1)).all()
    more = len(rows) > page.limit
    items = rows[: page.limit]
    return items, encode_cursor(items[-1].id or 0) if more else None


def count_unread(session: Session, actor: Actor) -> int:
    from sqlalchemy import func

    stmt = select(func.count()).where(
        Notification.user_id == _owner(actor), Notification.read_at.is_(None)
    )
    return session.scalar(stmt) or 0


def mark_read(session: Session, actor: Actor, ids: list[int] | None) -> int:
    """Mark the given notifications (or, without ids, all) read; returns how many changed.

    An id that is not the caller's is 404 and nothing is marked."""
    owner = _owner(actor)
    if ids:
        mine = set(
            session.scalars(
                select(Notification.id).where(
                    Notification.id.in_(ids), Notification.user_id == owner
                )
            )
        )
        missing = sorted(set(ids) - mine)
        if missing:
            raise NotFound("notification", missing[0])
    now: datetime = utcnow()
    stmt = update(Notification).where(Notification.user_id == owner, Notification.read_at.is_(None))
    if ids:
        stmt = stmt.where(Notification.id.in_(ids))
    result = session.execute(stmt.values(read_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def preferences(session: Session, actor: Actor) -> dict[str, dict[str, bool]]:
    """kind → channel → on; every kind and channel is listed, on unless turned off."""
    prefs = {kind: {c.value: True for c in Channel} for kind in KINDS}
    rows = session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == _owner(actor))
    )
    for row in rows:
        if row.kind in prefs:
            prefs[row.kind][row.channel] = row.enabled
    return prefs


def set_preferences(
    session: Session, actor: Actor, wanted: dict[str, dict[str, bool]]
) -> dict[str, dict[str, bool]]:
    """Change the given kinds' channels; others stay as they were.

    The request model lists the kinds and channels, so only known ones arrive here.
    """
    owner = _owner(actor)
    for kind, channels in wanted.items():
        for channel, enabled in channels.items():
            row = session.get(NotificationPreference, (owner, kind, channel))
            if row is None:
                session.add(
                    NotificationPreference(
                        user_id=owner, kind=kind, channel=channel, enabled=enabled
                    )
                )
            else:
                row.enabled = enabled
    session.flush()
    return preferences(session, actor)
