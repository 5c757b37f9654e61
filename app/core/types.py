"""Integers the API accepts, bounded to what the database stores.

Every integer column is a 32-bit ``integer`` on PostgreSQL (and a 64-bit one on SQLite). An
unbounded ``int`` in a path, query or body reaches SQL and fails there, a 500 instead of a 422;
so ids and counts that come from clients use these types, and the contract states the bounds.
"""

from typing import Annotated

from pydantic import Field

INT32_MAX = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=INT32_MAX)]
"""A server-generated id, in a path, a query filter or a body reference."""

Count = Annotated[int, Field(ge=0, le=INT32_MAX)]
"""A non-negative amount stored in an integer column (periods, fees, days)."""
