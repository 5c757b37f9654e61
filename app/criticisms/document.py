"""The criticism letter as a printed công văn in the form of Nghị định 30/2020/NĐ-CP
(Phụ lục I, mẫu 1.4): the heading block (managing body, issuing unit; quốc hiệu and tiêu
ngữ; number and symbol; place and date; trích yếu "V/v …"), "Kính gửi", the body, the cited
violations as a table, the emulation proposal, "Nơi nhận" and the signature with room for
the signature and seal.

Liberation Serif (SIL OFL 1.1, metric-compatible with Times New Roman, the face the decree
prescribes) is embedded so every Vietnamese diacritic prints and lines break where Word's
would.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.violations.models import ViolationKind

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FONT, BOLD, ITALIC, BOLD_ITALIC = (
    "LiberationSerif",
    "LiberationSerif-Bold",
    "LiberationSerif-Italic",
    "LiberationSerif-BoldItalic",
)

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"  # "HÒA", as the decree's form writes it
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
DRAFT = "DỰ THẢO"
BLANK = "\u00a0" * 6  # a blank to fill by hand in a draft; the line breaker keeps it

KIND_VI: dict[ViolationKind, str] = {
    ViolationKind.unexcused_absence: "Vắng mặt không có đơn xin phép được xác nhận",
    ViolationKind.nomination_mismatch: "Cử không đúng thành phần triệu tập",
    ViolationKind.unapproved_participation: "Tham gia sự kiện khi chưa được cho phép",
    ViolationKind.unapproved_organising: "Tự ý tổ chức khi chưa được cơ quan có thẩm quyền đồng ý",
}

# A4 with the margins of NĐ 30/2020: left 30 mm, right 15 mm, top and bottom 20 mm.
LEFT, RIGHT, TOP, BOTTOM = 30 * mm, 15 * mm, 20 * mm, 20 * mm
FRAME_PADDING = 6  # points reportlab keeps inside the frame; taken off the margins
WIDTH = A4[0] - LEFT - RIGHT
HEAD_LEFT = 0.42  # the heading's left column (issuer), of the text width
TABLE_COLUMNS = [("STT", 13), ("Người vi phạm", 40), ("Loại vi phạm", 40), ("Sự kiện", 42)]
TABLE_COLUMNS.append(("Buổi/ngày", WIDTH / mm - sum(w for _, w in TABLE_COLUMNS)))
# Room between the signer's title and name for the signature and the seal (NĐ 30/2020,
# ô số 7b, 7c); a digital signature's visible stamp goes here too.
SIGNATURE_HEIGHT = 32 * mm
SIGNATURE_WIDTH = 70 * mm
SIGNATURE_COLOUR = colors.HexColor("#1F3A93")


@dataclass(frozen=True)
class CitedRow:
    violator: str
    unit: str
    kind: ViolationKind
    event: str | None
    session: str | None
    day: date


@dataclass(frozen=True)
class Letter:
    issuing_unit: str
    recipient_unit: str
    document_number: str | None  # None while a draft
    document_symbol: str
    place: str
    issued_on: date | None
    subject: str
    body: str
    school_year: str
    propose_emulation: bool
    signer_title: str
    signer_name: str | None
    copy_to: list[str]
    rows: list[CitedRow]
    managing_body: str | None = None

    @property
    def is_draft(self) -> bool:
        return self.document_number is None


@dataclass
class Box:
    """Where a flowable landed: page (0-based) and its rectangle in PDF points."""

    page: int = 0
    x1: float = 0
    y1: float = 0
    x2: float = 0
    y2: float = 0


@dataclass
class Rendered:
    content: bytes
    signature_box: Box = field(default_factory=Box)


def vietnamese_date(place: str, day: date | None) -> str:
    """ "Bình Phước, ngày 05 tháng 02 năm 2024": days below 10 and months 1, 2 take a 0."""
    if day is None:
        return f"{place}, ngày {BLANK} tháng {BLANK} năm 20…"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def emulation_sentence(letter: Letter) -> str:
    return (
        f"{letter.issuing_unit} đề nghị đưa nội dung phê bình này vào xét thi đua cuối năm "
        f"học {letter.school_year} đối với {letter.recipient_unit}."
    )


def copy_lines(letter: Letter) -> list[str]:
    lines = ["Như trên;", *(f"{c.rstrip(';.')};" for c in letter.copy_to)]
    if not any(c.lower().startswith("lưu") for c in letter.copy_to):
        lines.append("Lưu: VT.")
    else:
        lines[-1] = lines[-1].rstrip(";") + "."
    return [f"- {line}" for line in lines]


def session_label(row: CitedRow) -> str:
    day = row.day.strftime("%d/%m/%Y")
    return f"{row.session}, {day}" if row.session else day


def number_line(letter: Letter) -> str:
    return f"Số: {letter.document_number or f'{BLANK}/{letter.document_symbol}'}"


# --- PDF ------------------------------------------------------------------------------------


@cache
def register_fonts() -> None:
    for name, file in (
        (FONT, "LiberationSerif-Regular.ttf"),
        (BOLD, "LiberationSerif-Bold.ttf"),
        (ITALIC, "LiberationSerif-Italic.ttf"),
        (BOLD_ITALIC, "LiberationSerif-BoldItalic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
    )


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {"fontName": FONT, "fontSize": 14, "leading": 18}
    base.update(kw)
    return ParagraphStyle(name, **base)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    """Sizes after Phụ lục I: heading lines 13, tiêu ngữ 14, body 14, Nơi nhận 12 and 11."""
    centre = {"alignment": TA_CENTER}
    return {
        "managing": _style("managing", fontSize=13, leading=16, **centre),
        "unit": _style("unit", fontName=BOLD, fontSize=13, leading=16, **centre),
        "motto1": _style("motto1", fontName=BOLD, fontSize=12.5, leading=16, **centre),
        "motto2": _style("motto2", fontName=BOLD, fontSize=14, leading=17, **centre),
        "number": _style("number", fontSize=13, leading=17, **centre),
        "subject": _style("subject", fontSize=12.5, leading=15, **centre),
        "date": _style("date", fontName=ITALIC, fontSize=14, leading=17, **centre),
        "draft": _style("draft", fontName=BOLD, fontSize=12, textColor=colors.darkred),
        "to": _style("to", spaceBefore=6, spaceAfter=8, **centre),
        "body": _style("body", alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=6),
        "cell": _style("cell", fontSize=12, leading=14, alignment=TA_LEFT),
        "cell_c": _style("cell_c", fontSize=12, leading=14, **centre),
        "head": _style("head", fontName=BOLD, fontSize=12, leading=14, **centre),
        "copies_h": _style("copies_h", fontName=BOLD_ITALIC, fontSize=12, leading=15),
        "copies": _style("copies", fontSize=11, leading=13),
        "signer": _style("signer", fontName=BOLD, fontSize=14, leading=17, **centre),
    }


def _p(text: str, style: str) -> Paragraph:
    """A paragraph of plain text: escaped, line breaks kept."""
    return Paragraph(escape(text).replace("\n", "<br/>"), _styles()[style])


class Rule(Flowable):
    """A centred line under a heading, as long as the decree asks (a share of the text)."""

    def __init__(self, width: float) -> None:
        super().__init__()
        self.width, self.height = width, 5

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        x = (self._avail - self.width) / 2
        self.canv.setLineWidth(0.6)
        self.canv.line(x, self.height - 1.5, x + self.width, self.height - 1.5)


class Slot(Flowable):
    """Room for the signature and seal that remembers where it was drawn; on a digitally
    signed copy it shows who signed and when, inside the signature field's rectangle."""

    def __init__(self, width: float, height: float, box: Box, lines: list[str] | None) -> None:
        super().__init__()
        self.width, self.height, self.box, self.lines = width, height, box, lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._avail = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition((self._avail - self.width) / 2, 0)
        self.box.page = self.canv.getPageNumber() - 1
        self.box.x1, self.box.y1 = x, y
        self.box.x2, self.box.y2 = x + self.width, y + self.height
        if self.lines:
            draw_signature(
                self.canv, (self._avail - self.width) / 2, 0, self.width, self.height, self.lines
            )


def draw_signature(
    canvas: Canvas, x: float, y: float, width: float, height: float, lines: list[str]
) -> None:
    """The visible digital signature: a framed note of the signer and the time."""
    canvas.saveState()
    canvas.setStrokeColor(SIGNATURE_COLOUR)
    canvas.setFillColor(SIGNATURE_COLOUR)
    canvas.setLineWidth(0.8)
    canvas.rect(x + 4, y + height / 2 - 22, width - 8, 44)
    # a long name shrinks to the frame rather than run out of it
    widest = max(pdfmetrics.stringWidth(line, FONT, 10) for line in lines)
    size = min(10.0, 10 * (width - 14) / widest) if widest else 10.0
    canvas.setFont(FONT, size)
    for i, line in enumerate(lines):
        canvas.drawCentredString(x + width / 2, y + height / 2 + 6 - i * 14, line)
    canvas.restoreState()


def _text_width(text: str, font: str, size: float) -> float:
    return max(pdfmetrics.stringWidth(line, font, size) for line in text.splitlines() or [""])


def _heading(letter: Letter) -> Table:
    left_w, right_w = WIDTH * HEAD_LEFT, WIDTH * (1 - HEAD_LEFT)
    issuer: list[Flowable] = []
    if letter.managing_body:
        issuer.append(_p(letter.managing_body.upper(), "managing"))
    unit = letter.issuing_unit.upper()
    issuer.append(_p(unit, "unit"))
    # under the issuer's name: a line of a third to a half of the name's width
    issuer.append(Rule(min(_text_width(unit, BOLD, 13), left_w) * 0.4))
    motto_rule = Rule(_text_width(MOTTO_2, BOLD, 14))  # as long as the tiêu ngữ
    cells = [
        [issuer, [_p(MOTTO_1, "motto1"), _p(MOTTO_2, "motto2"), motto_rule]],
        [
            [_p(number_line(letter), "number"), _p(f"V/v {letter.subject}", "subject")],
            [_p(vietnamese_date(letter.place, letter.issued_on), "date")],
        ],
    ]
    table = Table(cells, colWidths=[left_w, right_w])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 2 * mm),
                ("TOPPADDING", (0, 1), (-1, 1), 4),
            ]
        )
    )
    return table


def _violations_table(letter: Letter) -> Table:
    head = [_p(title, "head") for title, _ in TABLE_COLUMNS]
    data: list[list[Any]] = [head]
    for i, row in enumerate(letter.rows, start=1):
        violator = row.violator
        if row.unit not in (row.violator, letter.recipient_unit):
            violator += f"\n({row.unit})"  # a unit below the recipient
        data.append(
            [
                _p(str(i), "cell_c"),
                _p(violator, "cell"),
                _p(KIND_VI[row.kind], "cell"),
                _p(row.event or "", "cell"),
                _p(session_label(row), "cell_c"),
            ]
        )
    table = Table(data, colWidths=[w * mm for _, w in TABLE_COLUMNS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _closing(letter: Letter, box: Box, lines: list[str] | None) -> Table:
    copies: list[Flowable] = [_p("Nơi nhận:", "copies_h")]
    copies += [_p(line, "copies") for line in copy_lines(letter)]
    signer: list[Flowable] = [_p(letter.signer_title.upper(), "signer")]
    signer.append(Slot(SIGNATURE_WIDTH, SIGNATURE_HEIGHT, box, lines))
    if letter.signer_name:
        signer.append(_p(letter.signer_name, "signer"))
    table = Table([[copies, signer]], colWidths=[WIDTH * 0.45, WIDTH * 0.55])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (0, 0), 14),  # "Nơi nhận" sits a line below the title
            ]
        )
    )
    return table


def _story(letter: Letter, box: Box, lines: list[str] | None) -> list[Flowable]:
    story: list[Flowable] = []
    if letter.is_draft:
        story.append(_p(DRAFT, "draft"))
    story += [_heading(letter), Spacer(1, 6 * mm)]
    story.append(_p(f"Kính gửi: {letter.recipient_unit}.", "to"))
    story += [_p(part, "body") for part in letter.body.splitlines() if part.strip()]
    story.append(_p(f"Các trường hợp vi phạm bị phê bình ({len(letter.rows)} trường hợp):", "body"))
    story += [_violations_table(letter), Spacer(1, 4 * mm)]
    if letter.propose_emulation:
        story.append(_p(emulation_sentence(letter), "body"))
    story += [Spacer(1, 2 * mm), KeepTogether(_closing(letter, box, lines))]
    return story


def page_number(canvas: Canvas, doc: Any) -> None:
    """From page 2 on, the page number at the top centre (NĐ 30/2020)."""
    canvas.saveState()
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(A4[0] / 2 + (LEFT - RIGHT) / 2, A4[1] - 12 * mm, str(doc.page))
    canvas.restoreState()


def pdf_template(buffer: io.BytesIO, *, title: str, author: str, subject: str) -> Any:
    """An A4 page with the decree's margins; fixed dates and ids, so the same document
    renders to the same bytes (the signed copy is the one kept)."""
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT - FRAME_PADDING,
        rightMargin=RIGHT - FRAME_PADDING,
        topMargin=TOP - FRAME_PADDING,
        bottomMargin=BOTTOM - FRAME_PADDING,
        title=title,
        author=author,
        subject=subject,
        creator="bdtx-api",
        lang="vi-VN",
        invariant=True,
    )
    return doc


def render_pdf_with_box(letter: Letter, signature: list[str] | None = None) -> Rendered:
    """The PDF and where the signature goes; ``signature``: the lines of a digital
    signature to show there."""
    register_fonts()
    buffer = io.BytesIO()
    doc = pdf_template(
        buffer,
        title=f"V/v {letter.subject}",
        author=letter.issuing_unit,
        subject=letter.document_number or DRAFT,
    )
    box = Box()
    later: Callable[[Canvas, Any], None] = page_number
    doc.build(_story(letter, box, signature), onLaterPages=later)
    return Rendered(buffer.getvalue(), box)


def render_pdf(letter: Letter) -> bytes:
    return render_pdf_with_box(letter).content


# --- DOCX ---------------------------------------------------------------------------------
# For offices that edit before signing: the same form, in Times New Roman (what their Word
# has; it covers Vietnamese, so no font travels with the file).

DOCX_FONT = "Times New Roman"


def _docx_paragraph(
    container: Any,
    text: str,
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: Any = None,
    indent: bool = False,
) -> Any:
    paragraph = container.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if align is None else align
    paragraph.paragraph_format.space_after = Pt(2)
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    run = paragraph.add_run(text)
    run.font.name, run.font.size = DOCX_FONT, Pt(size)
    # Word picks the face per script: name it for every one, not only for ASCII
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    run.bold, run.italic, run.underline = bold, italic, underline
    return paragraph


def _docx_cell(cell: Any, lines: list[tuple[str, dict[str, Any]]]) -> None:
    cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
    for text, style in lines:
        _docx_paragraph(cell, text, **style)


def _docx_heading(doc: Any, letter: Letter) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.autofit = False
    left = WIDTH * HEAD_LEFT / mm
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Mm(left), Mm(WIDTH / mm - left)
    issuer: list[tuple[str, dict[str, Any]]] = []
    if letter.managing_body:
        issuer.append((letter.managing_body.upper(), {"size": 13}))
    issuer.append((letter.issuing_unit.upper(), {"bold": True, "size": 13}))
    issuer.append(("———", {"size": 8}))
    _docx_cell(table.cell(0, 0), issuer)
    _docx_cell(
        table.cell(0, 1),
        [
            (MOTTO_1, {"bold": True, "size": 12.5}),
            (MOTTO_2, {"bold": True, "size": 14, "underline": True}),
        ],
    )
    _docx_cell(
        table.cell(1, 0),
        [(number_line(letter), {"size": 13}), (f"V/v {letter.subject}", {"size": 12.5})],
    )
    _docx_cell(
        table.cell(1, 1), [(vietnamese_date(letter.place, letter.issued_on), {"italic": True})]
    )


def _docx_violations(doc: Any, letter: Letter) -> None:
    table = doc.add_table(rows=1, cols=len(TABLE_COLUMNS))
    table.style = "Table Grid"
    for cell, (title, width) in zip(table.rows[0].cells, TABLE_COLUMNS, strict=True):
        cell.width = Mm(width)
        _docx_cell(cell, [(title, {"bold": True, "size": 11})])
    for i, row in enumerate(letter.rows, start=1):
        violator = row.violator
        if row.unit not in (row.violator, letter.recipient_unit):
            violator += f" ({row.unit})"
        values = [str(i), violator, KIND_VI[row.kind], row.event or "", session_label(row)]
        cells = table.add_row().cells
        for cell, value, (_, width) in zip(cells, values, TABLE_COLUMNS, strict=True):
            cell.width = Mm(width)
            _docx_cell(cell, [(value, {"size": 12})])


def _docx_closing(doc: Any, letter: Letter) -> None:
    table = doc.add_table(rows=1, cols=2)
    left = WD_ALIGN_PARAGRAPH.LEFT
    copies = [("Nơi nhận:", {"bold": True, "italic": True, "size": 12, "align": left})]
    copies += [(line, {"size": 11, "align": left}) for line in copy_lines(letter)]
    _docx_cell(table.cell(0, 0), copies)
    signer = [(line, {"bold": True}) for line in letter.signer_title.upper().splitlines()]
    # room for the signature and the seal, as on paper
    signer += [("", {}) for _ in range(4)] + [(letter.signer_name or "", {"bold": True})]
    _docx_cell(table.cell(0, 1), signer)


def render_docx(letter: Letter) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin = section.bottom_margin = Mm(20)
    doc.core_properties.title = f"V/v {letter.subject}"
    doc.core_properties.author = letter.issuing_unit
    if letter.is_draft:
        _docx_paragraph(doc, DRAFT, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _docx_heading(doc, letter)
    _docx_paragraph(doc, f"Kính gửi: {letter.recipient_unit}.")
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    for part in [p for p in letter.body.splitlines() if p.strip()]:
        _docx_paragraph(doc, part, align=justify, indent=True)
    intro = f"Các trường hợp vi phạm bị phê bình ({len(letter.rows)} trường hợp):"
    _docx_paragraph(doc, intro, align=justify, indent=True)
    _docx_violations(doc, letter)
    if letter.propose_emulation:
        _docx_paragraph(doc, emulation_sentence(letter), align=justify, indent=True)
    _docx_closing(doc, letter)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render(letter: Letter, fmt: str) -> tuple[bytes, str]:
    """The letter's bytes and media type: ``pdf`` or ``docx``."""
    if fmt == "docx":
        return render_docx(letter), DOCX
    return render_pdf(letter), PDF
