"""Keyset pagination: cost grows with the page, never with the table."""

import base64
import binascii
import json
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session

from app.core.config import get_settings
from app.core.errors import InvalidInput

M = TypeVar("M")


class PageParams(BaseModel):
    limit: int
    after_id: int | None


def encode_cursor(last_id: int) -> str:
    raw = json.dumps({"id": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["id"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "invalid_cursor",
            errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "code": "invalid"}],
        ) from exc
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(
            "invalid_cursor",
            errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "code": "invalid"}],
        )
    return value


def page_params(
    limit: Annotated[
        int, Query(ge=1, description="Page size; default 50, values above 500 are capped.")
    ] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="Opaque cursor.")] = None,
) -> PageParams:
    settings = get_settings()
    return PageParams(
        limit=min(limit, settings.page_max),
        after_id=decode_cursor(cursor) if cursor else None,
    )


PageDep = Annotated[PageParams, Depends(page_params)]


def paginate(
    session: Session,
    stmt: Select[Any],
    id_col: InstrumentedAttribute[int],
    page: PageParams,
    *,
    newest_first: bool = False,
) -> tuple[list[Any], str | None]:
    """Run ``stmt`` ordered by id from the cursor on; one query, ``limit + 1`` rows."""
    if page.after_id is not None:
        stmt = stmt.where(id_col < page.after_id if newest_first else id_col > page.after_id)
    order = id_col.desc() if newest_first else id_col
    rows = list(session.scalars(stmt.order_by(order).limit(page.limit + 1)))
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        return rows, encode_cursor(rows[-1].id)
    return rows, None
