"""The certificate of BDTX results (giấy chứng nhận kết quả bồi dưỡng thường xuyên) as a
printed page: heading of the issuing unit in the form of NĐ 30/2020, the holder, rank, unit,
school year, result class and credited periods, the serial, the date and the signer, and a
QR code to the public check, so anyone holding the paper can verify it with a phone.

A revoked certificate prints with a red "ĐÃ THU HỒI" stamp across it.
"""

import io
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlmodel import Session

from app.bdtx.models import BdtxResult, Certificate, CertificateStatus
from app.core.config import get_settings
from app.core.model_base import to_local_date
from app.criticisms.document import (
    BOLD,
    FONT,
    ITALIC,
    MOTTO_1,
    MOTTO_2,
    Box,
    Rendered,
    draw_signature,
    register_fonts,
    vietnamese_date,
)
from app.documents import service as documents
from app.documents.signing import Placement, signature_lines
from app.staff.models import Staff
from app.units.letterhead import find_letterhead
from app.units.models import Unit

PAGE = landscape(A4)
MARGIN = 15 * mm
PUBLIC_PATH = "/api/v1/public/certificates/"
REVOKED = "ĐÃ THU HỒI"
SIGNATURE_BOX = (PAGE[0] - 110 * mm, 30 * mm, PAGE[0] - 40 * mm, 62 * mm)


# Mã số chức danh nghề nghiệp giáo viên (Thông tư 01-04/2021/TT-BGDĐT): hạng I, II, III.
RANKS = {
    code: f"Hạng {grade}"
    for codes in (
        ("V.07.02.24", "V.07.02.25", "V.07.02.26"),  # mầm non
        ("V.07.03.27", "V.07.03.28", "V.07.03.29"),  # tiểu học
        ("V.07.04.30", "V.07.04.31", "V.07.04.32"),  # trung học cơ sở
        ("V.07.05.13", "V.07.05.14", "V.07.05.15"),  # trung học phổ thông
    )
    for code, grade in zip(codes, ("I", "II", "III"), strict=True)
}


def rank_label(code: str | None) -> str | None:
    """``V.07.04.31`` -> ``Hạng II (V.07.04.31)``; an unknown code as it is."""
    if not code:
        return None
    return f"{RANKS[code]} ({code})" if code in RANKS else code


@dataclass(frozen=True)
class CertificateData:
    serial: str
    holder: str
    rank: str | None
    unit: str
    school_year: str
    result_class: str
    periods: int | None
    issuer: str
    managing_body: str | None
    place: str
    issued_on: date
    signer_title: str
    signer_name: str | None
    check_url: str
    revoked: bool = False
    revoked_reason: str | None = None
    signature: list[str] | None = None  # who signed and when, on a digitally signed copy


def check_url(code: str) -> str:
    return get_settings().public_base_url.rstrip("/") + PUBLIC_PATH + code


def certificate_data(session: Session, cert: Certificate) -> CertificateData:
    """Everything the page prints, in three queries."""
    staff = session.get(Staff, cert.staff_id)
    names: dict[int | None, str] = dict(
        session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_([cert.unit_id, cert.issuer_unit_id]))
        ).all()
    )
    periods = session.scalar(
        select(BdtxResult.credited_periods).where(BdtxResult.id == cert.result_id)
    )
    head = find_letterhead(session, cert.issuer_unit_id) if cert.issuer_unit_id else None
    return CertificateData(
        serial=cert.serial,
        holder=staff.full_name if staff else "",
        rank=rank_label(staff.title_rank) if staff else None,
        unit=names.get(cert.unit_id, ""),
        school_year=cert.school_year,
        result_class=cert.result_class,
        periods=periods,
        issuer=names.get(cert.issuer_unit_id, "") if cert.issuer_unit_id else "",
        managing_body=head.managing_body if head else None,
        place=head.place if head else "",
        issued_on=to_local_date(cert.created_at),
        signer_title=head.signer_title if head else "THỦ TRƯỞNG ĐƠN VỊ",
        signer_name=head.signer_name if head else None,
        check_url=check_url(cert.verification_code),
        revoked=cert.status == CertificateStatus.revoked,
        revoked_reason=cert.revoked_reason,
    )


def _centred(c: Canvas, text: str, x: float, y: float, font: str, size: float) -> None:
    c.setFont(font, size)
    c.drawCentredString(x, y, text)


def _underline(
    c: Canvas, text: str, x: float, y: float, font: str, size: float, share: float
) -> None:
    half = pdfmetrics.stringWidth(text, font, size) * share / 2
    c.setLineWidth(0.6)
    c.line(x - half, y, x + half, y)


def _heading(c: Canvas, data: CertificateData) -> None:
    left_x, right_x, top = MARGIN + 55 * mm, PAGE[0] - MARGIN - 75 * mm, PAGE[1] - MARGIN - 12 * mm
    y = top
    if data.managing_body:
        _centred(c, data.managing_body.upper(), left_x, y, FONT, 13)
        y -= 16
    issuer = data.issuer.upper()
    _centred(c, issuer, left_x, y, BOLD, 13)
    _underline(c, issuer, left_x, y - 5, BOLD, 13, 0.4)
    _centred(c, MOTTO_1, right_x, top, BOLD, 13)
    _centred(c, MOTTO_2, right_x, top - 17, BOLD, 14)
    _underline(c, MOTTO_2, right_x, top - 22, BOLD, 14, 1.0)


def _body(c: Canvas, data: CertificateData) -> None:
    mid = PAGE[0] / 2
    _centred(c, "GIẤY CHỨNG NHẬN", mid, PAGE[1] - 68 * mm, BOLD, 28)
    _centred(c, "KẾT QUẢ BỒI DƯỠNG THƯỜNG XUYÊN", mid, PAGE[1] - 78 * mm, BOLD, 16)
    _centred(c, f"Năm học {data.school_year}", mid, PAGE[1] - 86 * mm, ITALIC, 14)
    lines: list[tuple[str, str]] = [("Chứng nhận ông/bà: ", data.holder)]
    if data.rank:
        lines.append(("Chức danh nghề nghiệp, hạng: ", data.rank))
    lines.append(("Đơn vị công tác: ", data.unit))
    done = "Đã hoàn thành chương trình bồi dưỡng thường xuyên năm học " + data.school_year
    lines.append((done + (f", {data.periods} tiết." if data.periods else "."), ""))
    lines.append(("Xếp loại: ", data.result_class))
    x, y = MARGIN + 40 * mm, PAGE[1] - 102 * mm
    for label, value in lines:
        c.setFont(FONT, 15)
        c.drawString(x, y, label)
        if value:
            c.setFont(BOLD, 15)
            c.drawString(x + pdfmetrics.stringWidth(label, FONT, 15), y, value)
        y -= 9 * mm


def _footer(c: Canvas, data: CertificateData) -> None:
    # left: serial and the QR code to the public check
    qr = QrCodeWidget(data.check_url, barLevel="M")
    x1, y1, x2, y2 = qr.getBounds()
    size = 32 * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, c, MARGIN + 10 * mm, MARGIN + 8 * mm)
    c.setFont(FONT, 11)
    c.drawString(MARGIN + 10 * mm, MARGIN + 3 * mm, f"Số hiệu: {data.serial}")
    c.setFont(ITALIC, 9)
    c.drawString(MARGIN + 46 * mm, MARGIN + 24 * mm, "Quét mã để kiểm tra giấy chứng nhận:")
    c.drawString(MARGIN + 46 * mm, MARGIN + 19 * mm, data.check_url)
    # right: place and date, the signer, room for signature and seal
    mid = (SIGNATURE_BOX[0] + SIGNATURE_BOX[2]) / 2
    place = vietnamese_date(data.place, data.issued_on) if data.place else ""
    _centred(c, place, mid, SIGNATURE_BOX[3] + 26, ITALIC, 14)
    for i, line in enumerate(data.signer_title.upper().splitlines()):
        _centred(c, line, mid, SIGNATURE_BOX[3] + 8 - i * 17, BOLD, 14)
    if data.signer_name:
        _centred(c, data.signer_name, mid, SIGNATURE_BOX[1] - 14, BOLD, 14)
    if data.signature:
        x1, y1, x2, y2 = SIGNATURE_BOX
        draw_signature(c, x1, y1, x2 - x1, y2 - y1, data.signature)


def _revoked_stamp(c: Canvas, data: CertificateData) -> None:
    c.saveState()
    c.setFillColor(colors.Color(0.8, 0, 0, alpha=0.75))
    c.setStrokeColor(colors.Color(0.8, 0, 0, alpha=0.75))
    c.translate(PAGE[0] / 2, PAGE[1] / 2 - 10 * mm)
    c.rotate(20)
    c.setLineWidth(3)
    c.rect(-85 * mm, -14 * mm, 170 * mm, 28 * mm)
    c.setFont(BOLD, 44)
    c.drawCentredString(0, -4 * mm, REVOKED)
    if data.revoked_reason:
        c.setFont(FONT, 12)
        c.drawCentredString(0, -11 * mm, f"Lý do: {data.revoked_reason[:90]}")
    c.restoreState()


def _page(c: Canvas, data: CertificateData) -> None:
    c.setLineWidth(2)
    c.rect(
        MARGIN - 5 * mm,
        MARGIN - 5 * mm,
        PAGE[0] - 2 * MARGIN + 10 * mm,
        PAGE[1] - 2 * MARGIN + 10 * mm,
    )
    c.setLineWidth(0.6)
    c.rect(
        MARGIN - 3 * mm,
        MARGIN - 3 * mm,
        PAGE[0] - 2 * MARGIN + 6 * mm,
        PAGE[1] - 2 * MARGIN + 6 * mm,
    )
    _heading(c, data)
    _body(c, data)
    _footer(c, data)
    if data.revoked:
        _revoked_stamp(c, data)
    c.showPage()


def render_certificates(pages: list[CertificateData], title: str) -> Rendered:
    """One page per certificate; the same data renders to the same bytes."""
    register_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=PAGE, invariant=True, lang="vi-VN")
    c.setTitle(title)
    c.setCreator("bdtx-api")
    if pages:
        c.setAuthor(pages[0].issuer)
    for data in pages:
        _page(c, data)
    if not pages:
        c.showPage()  # a valid, empty document
    c.save()
    return Rendered(buffer.getvalue(), Box(0, *SIGNATURE_BOX))


def render_certificate(data: CertificateData) -> Rendered:
    return render_certificates([data], f"Giấy chứng nhận kết quả BDTX {data.serial}")


def unit_certificates(
    session: Session, unit_ids: Any, school_year: str | None, visible: Any
) -> list[Certificate]:
    """The live certificates of the units that the caller sees, by holder's name."""
    stmt = (
        select(Certificate)
        .join(Staff, Staff.id == Certificate.staff_id)
        .where(
            Certificate.unit_id.in_(unit_ids),
            Certificate.status == CertificateStatus.issued,
            visible,
        )
        .order_by(Staff.full_name, Certificate.id)
    )
    if school_year is not None:
        stmt = stmt.where(Certificate.school_year == school_year)
    return list(session.scalars(stmt))


def keep_as_issued(session: Session, cert: Certificate) -> bytes:
    """The certificate's PDF as issued, signed with the issuer's credential when it has
    one; made once (at issue, or at the first download of an older certificate)."""
    assert cert.id is not None
    data = certificate_data(session, cert)

    def render(signed_by: str | None) -> tuple[bytes, Placement]:
        lines = signature_lines(signed_by, cert.created_at) if signed_by else None
        rendered = render_certificate(replace(data, revoked=False, signature=lines))
        return rendered.content, Placement(0, SIGNATURE_BOX)

    kept = documents.issue(
        session,
        kind="certificate",
        ref_id=cert.id,
        unit_id=cert.issuer_unit_id or cert.unit_id,
        render=render,
        reason=f"Cấp giấy chứng nhận kết quả BDTX số hiệu {cert.serial}",
        location=data.place,
    )
    return kept.pdf


def certificate_pdf(session: Session, cert: Certificate) -> bytes:
    """What a download returns: the copy kept as issued; a revoked certificate afresh,
    stamped ĐÃ THU HỒI (and no longer signed)."""
    if cert.status == CertificateStatus.revoked:
        return render_certificate(certificate_data(session, cert)).content
    return keep_as_issued(session, cert)
