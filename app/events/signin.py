"""The participant × session matrix as offices print and file it: CSV, and an XLSX sign-in
sheet (danh sách điểm danh) ready for A4 landscape, one signature column per person."""

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlmodel import Session

from app.auth.actor import Actor
from app.core.exports import Column
from app.core.model_base import LOCAL_TZ
from app.events.attendance import attendance_matrix
from app.events.models import Event, EventSession
from app.staff.models import Staff
from app.units.models import Unit

CELL_TEXT = {
    "vi": {
        "present": "Có mặt",
        "late": "Đi muộn",
        "left_early": "Về sớm",
        "absent": "Vắng",
        "excused": "Có phép",
        "cancelled": "Huỷ",
    },
    "en": {
        "present": "Present",
        "late": "Late",
        "left_early": "Left early",
        "absent": "Absent",
        "excused": "Excused",
        "cancelled": "Cancelled",
    },
}
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ROW = 4  # title, event line, blank, header


@dataclass(frozen=True)
class SheetRow:
    full_name: str
    unit_name: str
    position: str
    cells: list[str]


def session_heading(row: EventSession) -> str:
    start = row.starts_at.astimezone(LOCAL_TZ)
    return f"{row.title}\n{start:%d/%m/%Y %H:%M}" if row.title else f"{start:%d/%m/%Y %H:%M}"


def sheet_rows(
    session: Session, actor: Actor, event: Event, lang: str
) -> tuple[Sequence[EventSession], list[SheetRow]]:
    """The matrix the caller may see, with the names, units and positions a sheet prints."""
    sessions, rows = attendance_matrix(session, actor, event)
    ids = [p.staff_id for p, _ in rows]
    positions: dict[int, str | None] = dict(
        session.execute(select(Staff.id, Staff.position).where(Staff.id.in_(ids))).all()
    )
    unit_ids = {p.unit_id for p, _ in rows}
    units: dict[int, str] = dict(
        session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all()
    )
    text = CELL_TEXT[lang]
    return sessions, [
        SheetRow(
            full_name=p.full_name,
            unit_name=units.get(p.unit_id, ""),
            position=positions.get(p.staff_id) or "",
            cells=[text.get(marks.get(str(s.id)) or "", "") for s in sessions],
        )
        for p, marks in rows
    ]


def csv_columns(sessions: Sequence[EventSession]) -> list[Column]:
    fixed = [
        Column("stt", "STT", "No."),
        Column("full_name", "Họ và tên", "Full name"),
        Column("unit_name", "Đơn vị", "Unit"),
        Column("position", "Chức vụ", "Position"),
    ]
    return fixed + [
        Column(
            f"s{s.id}", session_heading(s).replace("\n", " "), session_heading(s).replace("\n", " ")
        )
        for s in sessions
    ]


def csv_rows(sessions: Sequence[EventSession], rows: list[SheetRow]) -> list[dict[str, object]]:
    return [
        {
            "stt": i,
            "full_name": r.full_name,
            "unit_name": r.unit_name,
            "position": r.position,
            **{f"s{s.id}": c for s, c in zip(sessions, r.cells, strict=True)},
        }
        for i, r in enumerate(rows, start=1)
    ]


def signin_xlsx(
    event: Event, sessions: Sequence[EventSession], rows: list[SheetRow], lang: str
) -> bytes:
    """One sheet, A4 landscape fitted to the page width, the header row repeated on every
    printed page, thin borders, and a wide last column for signatures."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = "Điểm danh" if lang == "vi" else "Sign-in sheet"
    headers = (
        ["STT", "Họ và tên", "Đơn vị", "Chức vụ"]
        if lang == "vi"
        else [
            "No.",
            "Full name",
            "Unit",
            "Position",
        ]
    )
    headers += [session_heading(s) for s in sessions]
    headers.append("Ký tên" if lang == "vi" else "Signature")
    widths = [6, 28, 30, 16] + [14] * len(sessions) + [18]
    _title(ws, event, lang, len(headers))
    for i, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=HEADER_ROW, column=i, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[HEADER_ROW].height = 36  # two-line session headings stay readable
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        values = [r - HEADER_ROW, row.full_name, row.unit_name, row.position, *row.cells, ""]
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.data_type = "s" if isinstance(value, str) else cell.data_type
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=c in (2, 3))
        ws.row_dimensions[r].height = 24  # room to sign
    _page_setup(ws)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _title(ws: Worksheet, event: Event, lang: str, width: int) -> None:
    last = get_column_letter(width)
    heading = "DANH SÁCH ĐIỂM DANH" if lang == "vi" else "SIGN-IN SHEET"
    ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    line = event.title
    if event.summons_number:
        label = "Giấy triệu tập số" if lang == "vi" else "Summons no."
        line += f" ({label} {event.summons_number})"
    ws.cell(row=2, column=1, value=line).alignment = Alignment(horizontal="center", wrap_text=True)
    ws.merge_cells(f"A2:{last}2")


def _page_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the roster needs
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header on every printed page
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)  # names stay in view
    ws.page_margins.left = ws.page_margins.right = 0.4
