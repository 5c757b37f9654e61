"""``Idempotency-Key`` on POST: a retry returns the first answer and writes nothing.

The record is written in the same transaction as the request's own writes (see
``app.web.routing``), so a crash can never leave one without the other. The unique
constraint on ``(scope, key)`` turns a concurrent duplicate into a 409.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Header, Request
from sqlmodel import Field, Session, SQLModel, select

from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import InvalidInput
from app.core.model_base import UTCDateTime, utcnow


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (sa.UniqueConstraint("scope", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=100)
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int
    response_body: str = Field(sa_type=sa.Text)
    response_headers: dict[str, str] = Field(sa_type=sa.JSON)
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow, index=True)


@dataclass
class IdempotencyContext:
    scope: str
    key: str
    request_hash: str


class IdempotentReplay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


REPLAYED_HEADERS = ("location", "etag", "content-type")


def caller_scope(request: Request) -> str:
    """Keys are per caller, so two clients never collide on the same key."""
    return str(getattr(request.state, "actor_key", "anonymous"))


async def _fingerprint(request: Request) -> str:
    body = await request.body()
    try:  # the same JSON with other whitespace or key order is the same request
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.url.path.encode(), canonical):
        digest.update(part + b"\0")
    return digest.hexdigest()


def idempotency(
    request: Request,
    session: SessionDep,
    fingerprint: Annotated[str, Depends(_fingerprint)],
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="Any unique string; a retry with the same key and body replays "
            "the first answer and creates nothing.",
        ),
    ] = None,
) -> None:
    if not key:
        return
    scope = caller_scope(request)
    record = _find(session, scope, key)
    if record is not None:
        if record.request_hash != fingerprint:
            raise InvalidInput(
                "idempotency_key_reused",
                errors=[{"loc": ["header", "Idempotency-Key"], "msg": "reused", "code": "reused"}],
            )
        raise IdempotentReplay(record)
    request.state.idempotency = IdempotencyContext(scope, key, fingerprint)


def _find(session: Session, scope: str, key: str) -> IdempotencyRecord | None:
    cutoff = utcnow() - timedelta(hours=get_settings().idempotency_ttl_hours)
    record = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    ).first()
    if record is not None and record.created_at < cutoff:
        session.delete(record)  # expired: the key may be used afresh
        session.flush()
        return None
    return record


def remember(
    session: Session, ctx: IdempotencyContext, status: int, body: bytes, headers: Any
) -> None:
    kept = {k: v for k, v in headers.items() if k.lower() in REPLAYED_HEADERS}
    session.add(
        IdempotencyRecord(
            scope=ctx.scope,
            key=ctx.key,
            request_hash=ctx.request_hash,
            status_code=status,
            response_body=body.decode(),
            response_headers=kept,
        )
    )
    session.flush()


IdempotencyDep = Depends(idempotency)
