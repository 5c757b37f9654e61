"""psycopg's asynchronous cursor, its ``description`` made only when someone reads it.

psycopg builds a ``Column`` object per column of the result every time ``description`` is
read, and SQLAlchemy reads it after every statement. For a statement it has run before
(its compiled form cached, with the result's metadata), SQLAlchemy only asks whether there
is a description, never what is in it: a person's row made 17 ``Column`` objects for
nothing, a twentieth of a read by id (issue 21). Here ``description`` is a sequence of the
right length whose columns are made at the first look inside, from the result it
described, even if the cursor has run another statement since.
"""

from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any, overload

import psycopg
from psycopg import Column
from psycopg.pq import ExecStatus

_HAS_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class LazyColumns(Sequence[Column]):
    """The columns of one result, made when first read."""

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: psycopg.AsyncCursor[Any], result: Any) -> None:
        self._cursor = cursor
        self._result = result
        self._columns: list[Column] | None = None

    def __len__(self) -> int:
        return int(self._result.nfields)

    @overload
    def __getitem__(self, index: int) -> Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...
    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._made()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._made())

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    def __repr__(self) -> str:
        return repr(self._made())

    def _made(self) -> list[Column]:
        if self._columns is None:
            cursor: Any = self._cursor
            if cursor.pgresult is not self._result:  # the cursor has moved on: read ours
                cursor = SimpleNamespace(
                    pgresult=self._result, _encoding=cursor._encoding, adapters=cursor.adapters
                )
            self._columns = [Column(cursor, i) for i in range(len(self))]
        return self._columns


class LazyDescriptionCursor(psycopg.AsyncCursor[Any]):
    """``description`` as psycopg defines it (``None`` when the result has no rows), made
    lazily (``LazyColumns``)."""

    @property
    def description(self) -> list[Column] | None:
        result = self.pgresult
        if result and (result.nfields or result.status in _HAS_ROWS):
            return LazyColumns(self, result)  # type: ignore[return-value]
        return None
