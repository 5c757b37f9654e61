"""The letter in the form of Nghị định 30/2020/NĐ-CP (Phụ lục I), headed from the issuing
unit's letterhead: each anchor of the form checked by its text and where it is drawn, and
the page rendered to PNG by poppler."""

import io
from collections.abc import Callable
from pathlib import Path

from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from sqlmodel import Session

from app.auth.models import Role
from app.units.models import Unit, UnitKind
from tests.conftest import ClientFor
from tests.documents import find, render_png
from tests.events.builders import build_event
from tests.factories import make_staff, make_tree, make_unit
from tests.violations.factories import letter_body, make_violation

C = "/api/v1/criticisms"
LETTERHEAD = {
    "managing_body": "UBND tỉnh Bình Phước",
    "abbreviation": "SGDĐT",
    "drafting_unit": "TCCB",
    "place": "Bình Phước",
    "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC",
    "signer_name": "Lê Văn Đức",
}
MIDDLE = A4[0] / 2


def issued(
    client: TestClient,
    session: Session,
    *,
    letterhead: bool = True,
    before_issue: Callable[[Unit], object] | None = None,
) -> dict:
    so = make_unit(session, kind=UnitKind.department, name="Sở Giáo dục và Đào tạo")
    school = make_unit(session, so, name="Trường THCS Tân Phú")
    if letterhead:
        r = client.put(f"/api/v1/units/{so.id}/letterhead", json=LETTERHEAD)
        assert r.status_code == 200, r.text
    built = build_event(session, so, [school])
    violation = make_violation(session, school, make_staff(session, school, full_name="Hà An"))
    violation.event_id, violation.session_id = built.event.id, built.sessions[0].id
    session.flush()
    body = letter_body(so, school, [violation], copy_to=["Lưu: VT, TCCB"])
    del body["place"]  # from the letterhead
    created = client.post(C, json=body)
    assert created.status_code == 201, created.text
    if before_issue is not None:
        before_issue(so)
    url = f"{C}/{created.json()['id']}"
    r = client.post(f"{url}/issue", headers={"If-Match": created.headers["etag"]})
    assert r.status_code == 200, r.text
    return r.json()


def test_letter_takes_symbol_place_and_signer_from_the_letterhead_and_numbers_with_two_digits(
    client: TestClient, session: Session
) -> None:
    letter = issued(client, session)
    assert letter["document_number"] == "01/SGDĐT-TCCB"
    assert letter["document_symbol"] == "SGDĐT-TCCB"
    assert (letter["place"], letter["signer_name"]) == ("Bình Phước", "Lê Văn Đức")
    assert letter["managing_body"] == "UBND tỉnh Bình Phước"


def test_pdf_follows_the_decree_form_by_position(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    letter = issued(client, session)
    pdf = client.get(f"{C}/{letter['id']}/document").content
    render_png(pdf, tmp_path, "letter")
    managing = find(pdf, "UBND TỈNH BÌNH PHƯỚC")
    unit = find(pdf, "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    motto = find(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    slogan = find(pdf, "Độc lập - Tự do - Hạnh phúc")
    number = find(pdf, "Số: 01/SGDĐT-TCCB")
    subject = find(pdf, "V/v phê bình")
    place = find(pdf, "Bình Phước, ngày")
    copies = find(pdf, "Nơi nhận:")
    title = find(pdf, "PHÓ GIÁM ĐỐC")
    signer = find(pdf, "Lê Văn Đức")
    # top left: the managing body above the issuer's name; top right: quốc hiệu, tiêu ngữ
    assert managing.x < MIDDLE
    assert unit.x < MIDDLE
    assert motto.x + 10 > MIDDLE * 0.95
    assert managing.y > unit.y
    assert abs(managing.y - motto.y) < 4
    assert slogan.y < motto.y
    assert A4[1] - motto.y < 30 * mm  # on the first lines under the 20 mm top margin
    assert "Bold" not in managing.font
    assert "Bold" in unit.font
    assert "Bold" in motto.font
    assert (managing.size, unit.size, motto.size, slogan.size) == (13, 13, 12.5, 14)
    # under the issuer: number and trích yếu; under the motto, on the number's line: the date
    assert number.x < MIDDLE
    assert number.y < unit.y
    assert subject.y < number.y
    assert place.x > MIDDLE * 0.95
    assert abs(place.y - number.y) < 4
    assert "Italic" in place.font
    assert number.size == 13
    assert place.size == 14
    # the closing: "Nơi nhận" bold italic at the left, the signer at the right with room
    # for the signature and the seal between the title and the name
    assert copies.x < MIDDLE < title.x
    assert "BoldItalic" in copies.font
    assert copies.size == 12
    assert title.y - signer.y > 30 * mm
    fonts = {str(f) for f in _fonts(pdf)}
    assert any("LiberationSerif" in f for f in fonts), fonts
    assert not any("DejaVu" in f for f in fonts)


def _fonts(pdf: bytes) -> set[str]:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    resources = page["/Resources"]["/Font"]
    return {str(resources[k].get_object()["/BaseFont"]) for k in resources}


def test_without_managing_body_the_unit_heads_the_letter(
    client: TestClient, session: Session
) -> None:
    so = make_unit(session, kind=UnitKind.department, name="Sở Giáo dục và Đào tạo")
    school = make_unit(session, so)
    body = letter_body(so, school, [make_violation(session, school)])
    draft = client.post(C, json=body).json()
    assert draft["document_symbol"] == "SGDĐT"
    assert draft["signer_title"] == "GIÁM ĐỐC"
    pdf = client.get(f"{C}/{draft['id']}/document").content
    unit = find(pdf, "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    assert abs(unit.y - find(pdf, "CỘNG HÒA XÃ HỘI").y) < 4
    del body["place"]
    r = client.post(C, json=body)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "letterhead_missing"
    assert r.json()["errors"][0]["loc"] == ["body", "place"]


def test_docx_follows_the_form(client: TestClient, session: Session) -> None:
    letter = issued(client, session)
    r = client.get(f"{C}/{letter['id']}/document", params={"format": "docx"})
    doc = Document(io.BytesIO(r.content))
    heading = doc.tables[0]
    left = list(heading.cell(0, 0).paragraphs)
    assert [p.text for p in left[:2]] == ["UBND TỈNH BÌNH PHƯỚC", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"]
    assert not left[0].runs[0].bold
    assert left[1].runs[0].bold
    assert heading.cell(0, 1).paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert heading.cell(1, 0).paragraphs[0].text == "Số: 01/SGDĐT-TCCB"
    closing = doc.tables[-1].cell(0, 0).paragraphs[0]
    assert closing.text == "Nơi nhận:"
    assert closing.runs[0].bold
    assert closing.runs[0].italic
    assert closing.runs[0].font.name == "Times New Roman"


def test_letterhead_is_its_units_admins_to_set_and_scoped(
    session: Session, client_for: ClientFor
) -> None:
    t = make_tree(session)
    url = f"/api/v1/units/{t['d1'].id}/letterhead"
    officer = client_for(Role.department_officer, t["d1"])
    assert officer.get(url).status_code == 404  # none yet
    head = {**LETTERHEAD, "abbreviation": "PGDĐT", "drafting_unit": "VP"}
    r = officer.put(url, json=head)
    assert r.status_code == 200, r.text
    assert r.json()["symbol"] == "PGDĐT-VP"
    assert officer.put(url, json=head, headers={"If-Match": '"9"'}).status_code == 412
    again = officer.put(
        url, json={**head, "place": "Đồng Xoài"}, headers={"If-Match": r.headers["etag"]}
    )
    assert again.json()["place"] == "Đồng Xoài"
    assert client_for(Role.inspector, t["d1"]).put(url, json=head).status_code == 403
    assert client_for(Role.department_officer, t["d2"]).get(url).status_code == 404
    for bad in ("PGD ĐT", " PGDĐT", "PGDĐT\u0085", "PGD-ĐT"):
        r = officer.put(url, json={**head, "abbreviation": bad})
        assert r.status_code == 422, bad
