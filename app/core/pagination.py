"""Keyset pagination: cost grows with the page, never with the table."""

import base64
import binascii
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, bindparam
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session

from app.core.config import get_settings
from app.core.errors import InvalidInput
from app.core.types import INT32_MAX

M = TypeVar("M")


class PageParams(BaseModel):
    limit: int
    after_id: int | None


def encode_cursor(last_id: int) -> str:
    raw = json.dumps({"id": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid_cursor() -> InvalidInput:
    return InvalidInput(
        "invalid_cursor",
        errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "code": "invalid"}],
    )


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["id"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise _invalid_cursor() from exc
    # an id the database can hold: a forged {"id": 1e30} must not reach SQL
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT32_MAX:
        raise _invalid_cursor()
    return value


# The contract's page-size bound; BDTX_PAGE_MAX may lower what a page holds, never raise it.
PAGE_LIMIT_MAX = 500
LIMIT_TEXT = "Page size, 1–500; default 50."

CURSOR_FORMAT = "cursor"
Cursor = Annotated[str, Field(max_length=200, json_schema_extra={"format": CURSOR_FORMAT})]
"""A cursor the server issued. The custom ``format`` tells generators that know it
(schemathesis in CI, ``.ci/schemathesis_hooks.py``) to draw real cursors: no schema can say
which strings decode, and any other string is refused with 422 ``invalid_cursor``."""


async def page_params(
    limit: Annotated[
        int,
        Query(ge=1, le=PAGE_LIMIT_MAX, description=LIMIT_TEXT),
    ] = 50,
    cursor: Annotated[
        Cursor | None, Query(description="Opaque: the `next_cursor` of the previous page.")
    ] = None,
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
    rows = list(session.scalars(_paged(stmt, id_col, page, newest_first)))
    return _cut(rows, page, lambda row: row.id)


def paged_statement(stmt: Select[Any], id_col: Any, after: bool) -> Select[Any]:
    """``stmt`` as a page with its cursor and limit left to bind (``paginate_bound``): a
    statement built once serves every page."""
    if after:
        stmt = stmt.where(id_col > bindparam("page_after"))
    return stmt.order_by(id_col).limit(bindparam("page_limit"))


def paginate_bound(
    session: Session, stmt: Select[Any], values: dict[str, Any], page: PageParams
) -> tuple[list[dict[str, Any]], str | None]:
    """``paginate`` for a ``paged_statement`` and the values it binds: its rows as plain
    dicts, for a list whose rows go straight to the response model, validated in one call
    (no ORM object to build and read back per row; pydantic reads a dict much faster than
    a ``RowMapping``)."""
    values = {**values, "page_limit": page.limit + 1}
    if page.after_id is not None:
        values["page_after"] = page.after_id
    result = session.connection().execute(stmt, values)
    keys = list(result.keys())
    rows = [dict(zip(keys, row, strict=True)) for row in result]
    return _cut(rows, page, lambda row: row["id"])


def _paged(stmt: Select[Any], id_col: Any, page: PageParams, newest_first: bool) -> Select[Any]:
    if page.after_id is not None:
        stmt = stmt.where(id_col < page.after_id if newest_first else id_col > page.after_id)
    order = id_col.desc() if newest_first else id_col
    return stmt.order_by(order).limit(page.limit + 1)


def _cut(rows: list[M], page: PageParams, id_of: Callable[[M], int]) -> tuple[list[M], str | None]:
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        return rows, encode_cursor(id_of(rows[-1]))
    return rows, None
