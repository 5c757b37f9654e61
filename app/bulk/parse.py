"""Uploads (JSON array, CSV, XLSX) turned into numbered records of header -> cell value.

Spreadsheet rows keep the number the spreadsheet shows (the header is usually row 1; a few
title lines above it, as some exports have, are skipped). Reading stops one row past the
limit, so an oversized (or decompression-bomb) XLSX is refused without being read whole.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from app.bulk.columns import Layout
from app.core.errors import AppError, BadRequest

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Title lines an export may put above the header row.
HEADER_SEARCH_ROWS = 10


class TooManyRows(AppError):
    status, code = 413, "too_many_rows"


@dataclass
class Record:
    row: int
    cells: dict[str, Any]


@dataclass
class Upload:
    source: str  # json | csv | xlsx
    records: list[Record]
    headers: list[str] = field(default_factory=list)


def _check_rows(count: int, max_rows: int) -> None:
    if count > max_rows:
        raise TooManyRows(limit=max_rows)


def from_objects(items: Any, max_rows: int) -> Upload:
    """A JSON array of objects; item n (from 1) is row n."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BadRequest("bulk_not_an_array")
    _check_rows(len(items), max_rows)
    headers = list(dict.fromkeys(str(k) for item in items for k in item))
    return Upload("json", [Record(n, dict(item)) for n, item in enumerate(items, 1)], headers)


def parse_json(content: bytes, max_rows: int) -> Upload:
    try:
        data = json.loads(content)
    except ValueError:
        raise BadRequest("bulk_unreadable_file", kind="JSON") from None
    return from_objects(data, max_rows)


def _lines_to_upload(
    source: str, lines: list[tuple[int, list[Any]]], layout: Layout, max_rows: int
) -> Upload:
    """Pick the header line, then map every later non-empty line by it."""
    header_at = 0
    for i, (_, cells) in enumerate(lines[:HEADER_SEARCH_ROWS]):
        if layout.knows_any(cells):
            header_at = i
            break
    if not lines:
        return Upload(source, [])
    headers = [("" if c is None else str(c)).strip() for c in lines[header_at][1]]
    records = []
    for number, cells in lines[header_at + 1 :]:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue  # blank lines between blocks are common in hand-edited sheets
        values = {h: cells[i] if i < len(cells) else None for i, h in enumerate(headers) if h}
        records.append(Record(number, values))
    _check_rows(len(records), max_rows)
    return Upload(source, records, [h for h in headers if h])


def parse_csv(content: bytes, layout: Layout, max_rows: int) -> Upload:
    """UTF-8 (a BOM, as Excel writes it, is tolerated); ``,``, ``;`` or tab separated."""
    try:
        body = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("bulk_unreadable_file", kind="CSV (UTF-8)") from None
    first = body.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    lines: list[tuple[int, list[Any]]] = []
    try:
        for number, cells in enumerate(reader, 1):
            lines.append((number, list(cells)))
            # a bound with room for title lines above the header and blank lines
            if len(lines) > max_rows + HEADER_SEARCH_ROWS + 1:
                raise TooManyRows(limit=max_rows)
    except csv.Error:
        raise BadRequest("bulk_unreadable_file", kind="CSV") from None
    return _lines_to_upload("csv", lines, layout, max_rows)


def parse_xlsx(content: bytes, layout: Layout, max_rows: int) -> Upload:
    """The first worksheet; date cells arrive as dates, numbers as numbers."""
    from openpyxl import load_workbook  # heavy import: only when a workbook arrives

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise BadRequest("bulk_unreadable_file", kind="XLSX") from None
    try:
        sheet = book.worksheets[0]
        lines: list[tuple[int, list[Any]]] = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
            lines.append((number, list(cells)))
            if len(lines) > max_rows + HEADER_SEARCH_ROWS + 1:
                raise TooManyRows(limit=max_rows)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError):
        raise BadRequest("bulk_unreadable_file", kind="XLSX") from None
    finally:
        book.close()
    return _lines_to_upload("xlsx", lines, layout, max_rows)


def parse_file(
    content: bytes, filename: str, media_type: str, layout: Layout, max_rows: int
) -> Upload:
    """By extension or media type; a ZIP signature means XLSX whatever the name says."""
    name = filename.lower()
    if content.startswith(b"PK\x03\x04") or name.endswith(".xlsx") or media_type == XLSX_MEDIA_TYPE:
        return parse_xlsx(content, layout, max_rows)
    if name.endswith(".json") or media_type == "application/json":
        return parse_json(content, max_rows)
    return parse_csv(content, layout, max_rows)
