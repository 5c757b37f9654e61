"""Column layouts: which spreadsheet headers feed which field, and how cells become values.

Headers match ignoring case, diacritics, spaces and punctuation, so ``Mã định danh``,
``MA DINH DANH`` and ``ma_dinh_danh`` are the same column. Each field also answers to its
English name (``external_code``). Cells are normalised to NFC; an empty cell means "not
provided" (a stored value is kept, never cleared, by an import).
"""

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from app.core.model_base import LOCAL_TZ
from app.core.text import fold


class CellError(Exception):
    """A cell that cannot become a value; ``code`` and ``params`` make the row's problem."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


Converter = Callable[[Any], Any]


def header_key(text: str) -> str:
    """``Mã định danh`` -> ``madinhdanh``: what two spellings of a header have in common."""
    return re.sub(r"[^0-9a-z]", "", fold(str(text)))


def text(value: Any) -> str | None:
    """A string cell; spreadsheets hand codes over as numbers (``79000123`` or ``79000123.0``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("bulk_invalid_text")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise CellError("bulk_invalid_text")
    if "\x00" in value:  # PostgreSQL text cannot hold NUL; refused before any lookup
        raise CellError("bulk_nul_character")
    cleaned = unicodedata.normalize("NFC", value).strip()
    return cleaned or None


EXCEL_EPOCH = date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def day(value: Any) -> date | None:
    """``dd/mm/yyyy`` as offices write dates, ISO ``yyyy-mm-dd``, or an Excel date cell."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 100000:
        return EXCEL_EPOCH + timedelta(days=int(value))  # a date cell without a date format
    raw = text(value) if not isinstance(value, bool) else None
    if raw is None:
        raise CellError("bulk_invalid_date", value=value)
    if m := _DMY.match(raw):
        d, mo, y = (int(g) for g in m.groups())
    elif m := _ISO.match(raw.split("T")[0]):
        y, mo, d = (int(g) for g in m.groups())
    else:
        raise CellError("bulk_invalid_date", value=raw)
    try:
        return date(y, mo, d)
    except ValueError:
        raise CellError("bulk_invalid_date", value=raw) from None


_DMY_TIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


def moment(value: Any) -> datetime | None:
    """A timestamp: ISO 8601, or ``dd/mm/yyyy HH:MM`` / an Excel cell in Vietnam's time."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        found = value
    else:
        raw = text(value) if not isinstance(value, date | bool) else None
        if raw is None:
            raise CellError("bulk_invalid_date", value=value)
        try:
            if m := _DMY_TIME.match(raw):
                d, mo, y, h, mi, sec = (int(g or 0) for g in m.groups())
                found = datetime(y, mo, d, h, mi, sec)
            else:
                found = datetime.fromisoformat(raw)
        except ValueError:
            raise CellError("bulk_invalid_date", value=raw) from None
    return found if found.tzinfo else found.replace(tzinfo=LOCAL_TZ)


class Choice:
    """An enum cell: its English value, or a Vietnamese label (``Nữ``, ``Giáo viên``);
    ``many``: several of them in one cell (``Tiểu học; THCS``), as ``text_list`` splits them.

    A class rather than a closure so that what it accepts can be read back: the import
    templates offer these values (``offered``) and so cannot drift from what is accepted.
    """

    __slots__ = ("_table", "enum_cls", "labels", "many")

    def __init__(
        self, enum_cls: type[enum.Enum], labels: Mapping[str, Any], *, many: bool = False
    ) -> None:
        self.enum_cls, self.labels, self.many = enum_cls, labels, many
        table = {header_key(m.value): m.value for m in enum_cls}
        self._table = table | {
            header_key(k): (v.value if isinstance(v, enum.Enum) else v) for k, v in labels.items()
        }

    def __call__(self, value: Any) -> Any:
        if not self.many:
            return self.one(value)
        items = text_list(value)
        if items is None:
            return None
        return [v for v in (self.one(i) for i in items) if v is not None]

    def one(self, value: Any) -> str | None:
        raw = text(value)
        if raw is None:
            return None
        found = self._table.get(header_key(raw))
        if found is None:
            allowed = ", ".join(m.value for m in self.enum_cls)
            raise CellError("bulk_invalid_choice", value=raw, allowed=allowed)
        return str(found)

    def offered(self) -> list[str]:
        """One label per value, in the enum's order: the first Vietnamese label naming it
        (the usual spelling in the sector's files), else its English value."""
        first: dict[str, str] = {}
        for label, member in self.labels.items():
            first.setdefault(member.value if isinstance(member, enum.Enum) else member, label)
        return [first.get(m.value, m.value) for m in self.enum_cls]


def choice(enum_cls: type[enum.Enum], labels: Mapping[str, Any]) -> Choice:
    return Choice(enum_cls, labels)


_SEPARATORS = re.compile(r"[;,\n]")


def text_list(value: Any) -> list[str] | None:
    """``Toán; Vật lý`` (``;`` or ``,``) in a spreadsheet, or a JSON array."""
    if value is None:
        return None
    parts = value if isinstance(value, list) else _SEPARATORS.split(text(value) or "")
    out = [t for t in (text(p) for p in parts) if t]
    return out


def choice_list(enum_cls: type[enum.Enum], labels: Mapping[str, Any]) -> Choice:
    return Choice(enum_cls, labels, many=True)


def number(value: Any) -> float | int | None:
    """A number cell; ``7,5`` with a decimal comma as Vietnamese spreadsheets write it."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError("bulk_invalid_number", value=value)
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else value
    raw = (text(value) or "").replace(",", ".")
    try:
        parsed = float(raw)
    except ValueError:
        raise CellError("bulk_invalid_number", value=raw) from None
    return int(parsed) if parsed.is_integer() else parsed


@dataclass(frozen=True)
class Column:
    field: str
    headers: tuple[str, ...] = ()
    convert: Converter = text


@dataclass
class Layout:
    """The columns of one kind of import; ``key`` is the column that identifies a row."""

    columns: tuple[Column, ...]
    # a row's fields and their rules: JSON items are validated by it as they are, spreadsheet
    # rows once their cells are converted
    model: type[BaseModel]
    key: str = "external_code"
    # the fields that identify a row, when the key alone does not (an LMS completion is a
    # person's result on one module in one year)
    identity: tuple[str, ...] = ()
    _lookup: dict[str, Column] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for col in self.columns:
            for name in (col.field, *col.headers):
                self._lookup.setdefault(header_key(name), col)

    def column(self, header: Any) -> Column | None:
        return self._lookup.get(header_key(str(header))) if header is not None else None

    def knows_any(self, headers: Iterable[Any]) -> bool:
        return any(self.column(h) for h in headers)

    def documented(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(c.field, c.headers) for c in self.columns]
