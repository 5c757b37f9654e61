"""Integers the API accepts, bounded to what the database stores.

Every integer column is a 32-bit ``integer`` on PostgreSQL (and a 64-bit one on SQLite). An
unbounded ``int`` in a path, query or body reaches SQL and fails there, a 500 instead of a 422;
so ids and counts that come from clients use these types, and the contract states the bounds.
"""

import re
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

INT32_MAX = 2**31 - 1


def patterned(regex: str, **limits: Any) -> StringConstraints:
    """Text a pattern describes, checked as sent: input models strip white space first,
    which would let " ABC" pass a pattern that refuses spaces (found by schemathesis)."""
    return StringConstraints(strip_whitespace=False, pattern=regex, **limits)


Id = Annotated[int, Field(ge=1, le=INT32_MAX)]
"""A server-generated id, in a path, a query filter or a body reference."""

Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A non-negative amount stored in an integer column (periods, fees, days)."""


def _rfc3339_text(value: object) -> object:
    # Lax parsing reads a bare number ("0.5") as a Unix timestamp; the contract says RFC 3339.
    if isinstance(value, str) and not RFC3339_START.match(value):
        raise PydanticCustomError("datetime_type", "Input should be an RFC 3339 date-time")
    if isinstance(value, (int, float)):
        raise PydanticCustomError("datetime_type", "Input should be an RFC 3339 date-time")
    return value


RFC3339_START = re.compile(r"^[0-9]{4}-")

Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text)]
"""A date-time with its offset, as RFC 3339 text (also in a query string)."""
