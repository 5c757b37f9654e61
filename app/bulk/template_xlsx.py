"""An import template as an XLSX workbook: the sheet to fill in, then a "Hướng dẫn" sheet.

The first sheet is what the importer reads (``app.bulk.parse.parse_xlsx`` takes the first
worksheet): the header on row 1, so the report's row numbers are the sheet's, and one example
row. The formatting follows the report exports (``app.core.exports``).
"""

import io
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.bulk.columns import Choice, Column
from app.bulk.templates import Template, as_written, choices
from app.core.exports import BORDER, HEADER_FILL, WRAP, header_height, sheet_title

GUIDE_TITLE = "Hướng dẫn"
# required columns stand out from the others (the guide sheet says what the colour means)
REQUIRED_FILL = PatternFill("solid", start_color="FCE4D6", end_color="FCE4D6")
DATE_FORMAT = "dd/mm/yyyy"
MOMENT_FORMAT = "dd/mm/yyyy hh:mm"
# typed codes keep their leading zeros (``012345``) and are not turned into numbers or dates
TEXT_FORMAT = "@"
MIN_WIDTH, MAX_WIDTH = 12, 45
# Excel's limit on a list validation written inline
LIST_LIMIT = 255
GUIDE_HEADERS = (
    ("Cột", 24),
    ("Trường dữ liệu (API)", 22),
    ("Bắt buộc", 16),
    ("Định dạng", 20),
    ("Giá trị cho phép", 30),
    ("Giải thích", 60),
    ("Ví dụ", 28),
)


@lru_cache
def template_xlsx(template: Template) -> bytes:
    """The workbook's bytes; a template never changes while the process runs, so once."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = sheet_title(template.sheet)
    _data_sheet(sheet, template)
    _guide_sheet(book.create_sheet(GUIDE_TITLE), template)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _width(*texts: str) -> float:
    return float(min(max(MIN_WIDTH, *(len(t) + 2 for t in texts)), MAX_WIDTH))


def _number_format(column: Column, example: Any) -> str | None:
    if isinstance(example, datetime):
        return MOMENT_FORMAT
    if isinstance(example, date):
        return DATE_FORMAT
    if isinstance(example, str) and not isinstance(column.convert, Choice):
        return TEXT_FORMAT
    return None


def _data_sheet(sheet: Worksheet, template: Template) -> None:
    columns = template.layout.columns
    headers: list[tuple[str, float]] = []
    for i, column in enumerate(columns, start=1):
        hint = template.hints[column.field]
        header = template.header(column)
        width = _width(header, as_written(hint.example))
        headers.append((header, width))
        letter = get_column_letter(i)
        fmt = _number_format(column, hint.example)
        if fmt is not None:
            sheet.column_dimensions[letter].number_format = fmt  # rows typed in later too
        sheet.column_dimensions[letter].width = width
        _header_cell(sheet, i, header, template.required(column), hint.description)
        cell = sheet.cell(row=2, column=i, value=hint.example)
        if isinstance(hint.example, str):
            cell.data_type = "s"  # data, never a formula
        cell.border, cell.alignment = BORDER, WRAP
        if fmt is not None:
            cell.number_format = fmt
        _offer_choices(sheet, column, letter)
    sheet.row_dimensions[1].height = header_height(headers)
    sheet.freeze_panes = "A2"  # the header stays in view however long the list


def _header_cell(sheet: Worksheet, col: int, header: str, required: bool, note: str) -> None:
    cell = sheet.cell(row=1, column=col, value=header)
    cell.font, cell.border = Font(bold=True), BORDER
    cell.fill = REQUIRED_FILL if required else HEADER_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    comment = Comment(("Bắt buộc. " if required else "") + note, "BDTX")
    comment.width, comment.height = 300, 110
    cell.comment = comment


def _offer_choices(sheet: Worksheet, column: Column, letter: str) -> None:
    """A drop-down of the labels for a one-value choice column. Other spellings the importer
    accepts (``GV``, ``CBQL``) stay possible: Excel warns, it does not refuse."""
    if not isinstance(column.convert, Choice) or column.convert.many:
        return  # a list cell holds several values, which a drop-down cannot offer
    offered = column.convert.offered()
    listed = ",".join(offered)
    if len(listed) + 2 > LIST_LIMIT:
        return  # too long to write inline; the guide sheet still lists the values
    check = DataValidation(
        type="list",
        formula1=f'"{listed}"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="Giá trị không có trong danh sách",
        error="Nên chọn một giá trị trong danh sách: " + ", ".join(offered) + ".",
    )
    check.add(f"{letter}2:{letter}1048576")
    sheet.add_data_validation(check)


def _guide_sheet(sheet: Worksheet, template: Template) -> None:
    sheet.cell(row=1, column=1, value=f"Hướng dẫn nhập: {template.title}").font = Font(
        bold=True, size=14
    )
    lines = _guide_lines(template)
    for n, line in enumerate(lines, start=3):
        sheet.cell(row=n, column=1, value=line).data_type = "s"
    top = len(lines) + 4
    for i, (text, width) in enumerate(GUIDE_HEADERS, start=1):
        cell = sheet.cell(row=top, column=i, value=text)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(i)].width = width
    for r, column in enumerate(template.layout.columns, start=top + 1):
        _guide_row(sheet, r, template, column)
    sheet.freeze_panes = f"A{top + 1}"


def _guide_lines(template: Template) -> Sequence[str]:
    keys = ", ".join(
        f"«{template.header(c)}»" for c in template.layout.columns if c.field in template.always()
    )
    return (
        "• Điền vào trang tính đầu tiên, mỗi dòng một bản ghi, từ dòng 2. Dòng 2 là dòng ví "
        "dụ: thay bằng dữ liệu thật hoặc xoá đi trước khi gửi.",
        "• Giữ nguyên tên cột ở dòng 1. Có thể bỏ những cột không dùng và đổi thứ tự cột.",
        f"• Cột {keys} bắt buộc ở mọi dòng. Các cột tô màu cam bắt buộc khi dòng tạo bản ghi "
        "mới; khi cập nhật, chỉ cần điền những ô muốn thay đổi.",
        "• Ô để trống nghĩa là giữ nguyên giá trị đang lưu (không xoá).",
        "• Ngày ghi dd/mm/yyyy; số thập phân dùng dấu phẩy hoặc dấu chấm; danh sách nhiều "
        "giá trị cách nhau bởi dấu chấm phẩy (;).",
        "• Nên gửi thử với tuỳ chọn «chỉ kiểm tra» (dry_run=true): hệ thống báo lỗi từng dòng "
        "mà không ghi gì.",
    )


def _guide_row(sheet: Worksheet, row: int, template: Template, column: Column) -> None:
    hint = template.hints[column.field]
    if column.field in template.always():
        required = "Có, ở mọi dòng"
    else:
        required = "Có, khi tạo mới" if template.required(column) else "Không"
    values = (
        template.header(column),
        column.field,
        required,
        template.format_of(column) or "văn bản",
        ", ".join(choices(column)),
        hint.description,
        as_written(hint.example),
    )
    for i, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=i, value=value)
        cell.data_type = "s"
        cell.border, cell.alignment = BORDER, WRAP
    if template.required(column):
        sheet.cell(row=row, column=1).fill = REQUIRED_FILL
