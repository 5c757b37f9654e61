"""Report exports: the same table as JSON, CSV or XLSX (api.md, "Exports").

An endpoint calls ``negotiate(request)``; for ``json`` it returns its own pydantic model, for
``csv`` and ``xlsx`` it hands its rows to ``table_response``. Headers follow the caller's
language (``language(request)``), Vietnamese unless ``en`` is asked for.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, get_args
from urllib.parse import quote

from fastapi import Request, Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from app.core.errors import InvalidInput, NotAcceptable
from app.core.i18n import language
from app.core.model_base import LOCAL_TZ
from app.core.offload import blocking

Format = Literal["json", "csv", "xlsx"]
QUERY_FORMATS: dict[str, Format] = {f: f for f in get_args(Format)}
JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCEPT_FORMATS: dict[str, Format] = {JSON: "json", CSV: "csv", XLSX: "xlsx", "*/*": "json"}

TOTAL_LABEL = {"vi": "Tổng cộng", "en": "Total"}
TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 3, 4
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
PERCENT_FORMAT = "0.0%"
# Excel runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31  # Excel refuses longer sheet names
STT_LABEL = {"vi": "STT", "en": "No."}
STT_WIDTH = 6
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center")
WRAP = Alignment(vertical="center", wrap_text=True)
MIDDLE = Alignment(vertical="center")


@dataclass(frozen=True)
class Column:
    """One column of an exported table; ``key`` picks the value out of each row."""

    key: str
    vi: str
    en: str
    width: int = 14
    total: bool = False  # summed in the totals row
    percent: bool = False  # a 0..1 ratio

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


def negotiate(request: Request) -> Format:
    """``?format=`` wins (links in a browser cannot set Accept); else the Accept header."""
    asked = request.query_params.get("format")
    if asked is not None:
        fmt = QUERY_FORMATS.get(asked.strip().lower())
        if fmt is None:
            # a typo must not silently answer JSON to a spreadsheet link
            item = {"loc": ["query", "format"], "msg": "use json, csv or xlsx", "code": "enum"}
            raise InvalidInput(errors=[item], fields="format")
        return fmt
    # The first listed type we can produce wins; q-values are ignored on purpose.
    for part in request.headers.get("accept", "").split(","):
        media_type = part.partition(";")[0].strip().lower()
        if media_type in ACCEPT_FORMATS:
            return ACCEPT_FORMATS[media_type]
    return "json"


def choose_media_type(request: Request, offered: Mapping[str, str], default: str) -> str:
    """The format (a key of ``offered``: format -> media type) the Accept header asks for:
    the first listed type offered wins, ``*/*``, a matching ``type/*`` or no Accept gives
    ``default``; anything else is 406 naming what is offered."""
    accept = request.headers.get("accept", "").strip()
    if not accept:
        return default
    by_type = {media: fmt for fmt, media in offered.items()}
    for part in accept.split(","):
        media_type = part.partition(";")[0].strip().lower()
        if media_type in by_type:
            return by_type[media_type]
        major = media_type.partition("/")[0]
        if media_type == "*/*" or (
            media_type.endswith("/*") and offered[default].startswith(major + "/")
        ):
            return default
    raise NotAcceptable(offered=", ".join(offered.values()))


def table_response(
    request: Request,
    *,
    title_vi: str,
    title_en: str,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Any]],
    filename: str,
    fmt: Format,
    totals: Mapping[str, Any] | None = None,
) -> Response:
    """The table as a CSV or XLSX download; JSON stays with the caller's response model.

    ``totals``: the JSON report's own totals row, so figures that do not add up (a rate) read
    the same in every format; without it the ``total`` columns are summed."""
    lang = language(request)
    title = title_en if lang == "en" else title_vi
    if fmt == "csv":
        content = blocking(_csv_bytes, columns, rows, lang, totals)
        media_type = f"{CSV}; charset=utf-8"
    elif fmt == "xlsx":
        content, media_type = blocking(_xlsx_bytes, title, columns, rows, lang, totals), XLSX
    else:
        raise ValueError(f"table_response renders csv or xlsx, not {fmt!r}")
    headers = {
        "Content-Disposition": content_disposition(f"{filename}.{fmt}"),
        # the same URL answers other bytes for another Accept or Accept-Language
        "Vary": "Accept, Accept-Language",
        "Content-Language": lang,
    }
    return Response(content, media_type=media_type, headers=headers)


def export_responses(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entry so generated clients know all three formats of a report."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        200: {
            "model": model,
            "description": "The report as JSON, CSV (UTF-8 with BOM) or XLSX",
            "content": {JSON: {}, CSV: binary, XLSX: binary},
        }
    }


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and, when that lost something, ``filename*``."""
    fallback = ascii_filename(filename)
    value = f'attachment; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"  # RFC 5987 / 6266
    return value


def ascii_filename(filename: str) -> str:
    """``báo cáo Đắk Lắk.csv`` -> ``bao cao Dak Lak.csv``: safe in a quoted header value."""
    text = filename.replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    safe = re.sub(r"[^A-Za-z0-9 ._-]+", "_", bare).strip(" ._")
    return safe or "export"


def _totals(columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {c.key: sum(r.get(c.key) or 0 for r in rows) for c in columns if c.total}


def _plain(value: Any) -> Any:
    """A value both writers understand: enums by value, aware times in Vietnam local time."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones; offices read local time.
        return value.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return value


def _csv_cell(column: Column, value: Any) -> Any:
    value = _plain(value)
    if value is None:
        return ""
    if column.percent and isinstance(value, int | float | Decimal):
        return round(value, 4)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value  # shown as text, never run as a formula
    return value


def _csv_bytes(
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Any]],
    lang: str,
    given: Mapping[str, Any] | None = None,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(c.header(lang) for c in columns)
    for row in rows:
        writer.writerow(_csv_cell(c, row.get(c.key)) for c in columns)
    if given is not None or any(c.total for c in columns):
        totals = _totals(columns, rows) | dict(given or {})
        cells = [_csv_cell(c, totals.get(c.key)) for c in columns]
        writer.writerow([TOTAL_LABEL[lang], *cells[1:]])
    # The BOM is what makes Excel read the file as UTF-8 rather than the ANSI code page.
    return buffer.getvalue().encode("utf-8-sig")


def sheet_title(title: str) -> str:
    """At most 31 characters (Excel's limit), cut between words, never inside one."""
    clean = " ".join(SHEET_TITLE_FORBIDDEN.sub("-", title).strip("' ").split())
    if len(clean) <= SHEET_TITLE_MAX:
        return clean or "Sheet1"
    words, kept = clean.split(" "), ""
    for word in words:
        candidate = f"{kept} {word}".strip()
        if len(candidate) > SHEET_TITLE_MAX:
            break
        kept = candidate
    # a first word longer than the limit is all there is to cut
    return kept.rstrip(",;:-") or clean[:SHEET_TITLE_MAX]


def _write(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would make "=..." a formula: keep data as text
    return cell


def header_height(headers: Sequence[tuple[str, float]]) -> float:
    """Points for the header row: as many lines as the longest wrapped header needs."""
    lines = 1
    for text, width in headers:
        per_line = max(int(width * 1.1) - 1, 1)  # bold characters per line of this width
        words, count, line = text.split(), 1, 0
        for word in words:
            if line and line + 1 + len(word) > per_line:
                count, line = count + 1, len(word)
            else:
                line += len(word) + (1 if line else 0)
        lines = max(lines, count)
    return 15.0 * lines + 4


def _page_setup(ws: Worksheet, last_col: str, last_row: int) -> None:
    """A4 landscape, as wide as one page, header row repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A{TITLE_ROW}:{last_col}{last_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P / &N"


def _xlsx_bytes(
    title: str,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Any]],
    lang: str,
    given: Mapping[str, Any] | None = None,
) -> bytes:
    """A sheet an office prints as it is: STT first, borders, A4 landscape fit to width,
    the header repeated on each page, panes frozen below the header and right of the
    name column (the first column after STT), totals as values."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = sheet_title(title)
    width = len(columns) + 1  # STT
    last_col = get_column_letter(width)
    last_row = FIRST_DATA_ROW + len(rows) - 1

    ws.cell(row=TITLE_ROW, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    ws.row_dimensions[TITLE_ROW].height = 22

    headers = [(STT_LABEL[lang], STT_WIDTH), *((c.header(lang), c.width) for c in columns)]
    for i, (text, col_width) in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=i, value=text)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = col_width
    ws.row_dimensions[HEADER_ROW].height = header_height(headers)

    for r, row in enumerate(rows, start=FIRST_DATA_ROW):
        stt = ws.cell(row=r, column=1, value=r - FIRST_DATA_ROW + 1)
        stt.border, stt.alignment = BORDER, CENTRE
        for i, column in enumerate(columns, start=2):
            cell = _write(ws, r, i, row.get(column.key))
            cell.border = BORDER
            cell.alignment = WRAP if isinstance(cell.value, str) else MIDDLE
            if column.percent:
                cell.number_format = PERCENT_FORMAT

    if given is not None or any(c.total for c in columns):
        last_row += 1
        _xlsx_totals(ws, columns, rows, lang, total_row=last_row, given=given)

    # below the header, right of the unit's name: the name stays in view both ways
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    ws.auto_filter.ref = (
        f"A{HEADER_ROW}:{last_col}{max(FIRST_DATA_ROW + len(rows) - 1, HEADER_ROW)}"
    )
    _page_setup(ws, last_col, max(last_row, HEADER_ROW))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _xlsx_totals(
    ws: Worksheet,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Any]],
    lang: str,
    *,
    total_row: int,
    given: Mapping[str, Any] | None = None,
) -> None:
    """Sums written as numbers: a formula carries no cached value until Excel recalculates,
    and pandas, LibreOffice's converters and most readers then see an empty cell.
    ``given``: the report's own totals, for figures that do not add up (a rate)."""
    bold = Font(bold=True)
    totals = _totals(columns, rows) | dict(given or {})
    label = ws.cell(row=total_row, column=1, value=TOTAL_LABEL[lang])
    label.font, label.alignment = bold, Alignment(horizontal="center", vertical="center")
    for i in range(1, len(columns) + 2):
        ws.cell(row=total_row, column=i).border = BORDER
    # merging copies the first cell's border round the merged range: borders first
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=2)
    for i, column in enumerate(columns, start=2):
        if i == 2 or totals.get(column.key) is None:
            continue
        cell = ws.cell(row=total_row, column=i, value=totals[column.key])
        cell.font, cell.border = bold, BORDER
        if column.percent:
            cell.number_format = PERCENT_FORMAT
