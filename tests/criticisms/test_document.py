"""The printed letter: PDF (text extracted with pypdf) and DOCX, Vietnamese intact."""

import io
import unicodedata

from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from app.units.models import UnitKind
from tests.events.builders import build_event
from tests.factories import make_staff, make_unit
from tests.violations.factories import letter_body, make_violation

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
C = "/api/v1/criticisms"


def pdf_text(content: bytes) -> str:
    """The text of every page, NFC, with runs of whitespace (wrapped lines) as one space."""
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def issued_letter(client: TestClient, session: Session, **kw: object) -> dict:
    so = make_unit(session, kind=UnitKind.department, name="Sở Giáo dục và Đào tạo Bình Phước")
    school = make_unit(session, so, name="Trường THCS Tân Phú")
    built = build_event(session, so, [school])
    anh = make_staff(session, school, full_name="Nguyễn Thị Ánh")
    violation = make_violation(session, school, anh)
    violation.event_id, violation.session_id = built.event.id, built.sessions[0].id
    session.flush()
    body = letter_body(
        so,
        school,
        [violation],
        signer_title="KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
        signer_name="Lê Văn Đức",
        copy_to=["Ban giám đốc", "Lưu: VT, GDTrH"],
        **kw,
    )
    created = client.post(C, json=body)
    assert created.status_code == 201, created.text
    url = f"{C}/{created.json()['id']}"
    issued = client.post(f"{url}/issue", headers={"If-Match": created.headers["etag"]})
    assert issued.status_code == 200, issued.text
    return issued.json()


def test_pdf_letter_carries_the_heading_recipient_violations_and_signer(
    client: TestClient, session: Session
) -> None:
    letter = issued_letter(client, session)
    r = client.get(f"{C}/{letter['id']}/document")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert "phe-binh-01-SGD" in r.headers["content-disposition"]
    text = pdf_text(r.content)
    for expected in (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 01/SGDĐT",
        "Bình Phước, ngày",
        "V/v phê bình đơn vị",
        "Kính gửi: Trường THCS Tân Phú.",
        "Nguyễn Thị Ánh",
        "Vắng mặt không có đơn xin phép",
        "Tập huấn chương trình GDPT 2018",
        "Buổi 1",
        "xét thi đua cuối năm",
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT, GDTrH.",
        "PHÓ GIÁM ĐỐC",
        "Lê Văn Đức",
    ):
        assert expected in text, f"{expected!r} not in the PDF text:\n{text}"
    assert "DỰ THẢO" not in text


def test_no_emulation_sentence_unless_proposed(client: TestClient, session: Session) -> None:
    letter = issued_letter(client, session, propose_emulation=False)
    text = pdf_text(client.get(f"{C}/{letter['id']}/document").content)
    assert "xét thi đua" not in text


def test_a_draft_prints_marked_and_without_a_number(client: TestClient, session: Session) -> None:
    so = make_unit(session, kind=UnitKind.department)
    school = make_unit(session, so)
    draft = client.post(C, json=letter_body(so, school, [make_violation(session, school)])).json()
    text = pdf_text(client.get(f"{C}/{draft['id']}/document").content)
    assert "DỰ THẢO" in text
    assert "/SGDĐT" in text
    assert "01/SGDĐT" not in text


def test_docx_letter(client: TestClient, session: Session) -> None:
    letter = issued_letter(client, session)
    r = client.get(f"{C}/{letter['id']}/document", params={"format": "docx"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Kính gửi: Trường THCS Tân Phú." in text
    assert "Độc lập - Tự do - Hạnh phúc" in cells
    assert "Số: 01/SGDĐT" in cells
    assert "Nguyễn Thị Ánh" in cells
    assert client.get(f"{C}/{letter['id']}/document?format=odt").status_code == 422


def test_the_letter_follows_accept_and_format_wins(client: TestClient, session: Session) -> None:
    """The contract lists PDF and DOCX: a client asking for DOCX by Accept gets DOCX, a
    browser (*/*) or no Accept gets PDF, a type neither is 406 naming both."""
    letter = issued_letter(client, session)
    url = f"{C}/{letter['id']}/document"
    docx = client.get(url, headers={"Accept": DOCX_TYPE})
    assert docx.status_code == 200, docx.text
    assert docx.headers["content-type"] == DOCX_TYPE
    assert docx.headers["content-disposition"].endswith(".docx")
    browser = client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.headers["content-type"] == "application/pdf"
    listed = client.get(url, headers={"Accept": f"application/pdf, {DOCX_TYPE}"})
    assert listed.headers["content-type"] == "application/pdf"  # the first one offered
    refused = client.get(url, headers={"Accept": "application/json"})
    assert refused.status_code == 406
    assert refused.json()["code"] == "not_acceptable"
    assert DOCX_TYPE in refused.json()["detail"]
    wins = client.get(url, params={"format": "pdf"}, headers={"Accept": DOCX_TYPE})
    assert wins.headers["content-type"] == "application/pdf"
