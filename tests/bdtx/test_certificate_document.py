"""Certificates as documents: a PDF per certificate with a QR code to the public check,
signed (PAdES) when the issuing unit has a credential and downloaded as issued; a revoked
one stamped; one PDF of a unit's certificates for printing; and the public check as a page
a phone's browser shows, rendered by a real headless Chromium."""

import base64
import http.server
import io
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from sqlmodel import Session

from app.auth.models import Role
from app.core.config import get_settings
from app.units.models import Unit
from tests.bdtx.helpers import YEAR, B, catalogue, credit, scores, set_policy
from tests.conftest import ClientFor
from tests.documents import find, make_pki, render_png, runs, validate
from tests.factories import make_staff, make_tree

PAGE = landscape(A4)
LETTERHEAD = {
    "managing_body": "UBND thành phố Đồng Xoài",
    "abbreviation": "PGDĐT",
    "place": "Đồng Xoài",
    "signer_title": "TRƯỞNG PHÒNG",
    "signer_name": "Lê Văn Đức",
}


def certify(
    client: TestClient, session: Session, *, signed: bool = False, name: str = "Nguyễn Thị Ánh"
) -> tuple[dict[str, Any], dict[str, Unit], Any]:
    """A teacher's finalised passing result and its certificate, issued by the office."""
    units = make_tree(session)
    staff = make_staff(
        session,
        units["s1"],
        full_name=name,
        education_level="lower_secondary",
        title_rank="V.07.04.31",
    )
    set_policy(client)
    mods = catalogue(session)
    for key in ("M1", "L1", "E1"):
        credit(session, staff, mods[key].code)
    scores(client, staff, {mods[k].code: 9.0 for k in ("M1", "L1", "E1")})
    result = client.post(f"{B}/results", json={"staff_id": staff.id, "school_year": YEAR}).json()
    url = f"{B}/results/{result['id']}"
    client.post(f"{url}/finalise", headers={"If-Match": client.get(url).headers["etag"]})
    issuer = units["d1"]
    assert client.put(f"/api/v1/units/{issuer.id}/letterhead", json=LETTERHEAD).status_code == 200
    pki = make_pki("Phòng Giáo dục và Đào tạo A")
    if signed:
        body = {
            "kind": "pkcs12",
            "pkcs12_base64": base64.b64encode(pki.pkcs12).decode(),
            "passphrase": pki.passphrase,
        }
        r = client.put(f"/api/v1/units/{issuer.id}/signing-credential", json=body)
        assert r.status_code == 200, r.text
    r = client.post(f"{B}/certificates", json={"result_id": result["id"]})
    assert r.status_code == 201, r.text
    assert r.json()["issuer_unit_id"] == issuer.id
    return r.json(), units, pki


def test_r_bdtx_1_certificate_pdf_carries_the_form_and_a_qr_code_to_the_public_check(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    cert, _, _ = certify(client, session)
    r = client.get(f"{B}/certificates/{cert['id']}/document")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    pdf = r.content
    render_png(pdf, tmp_path, "certificate")
    mid = PAGE[0] / 2
    title = find(pdf, "GIẤY CHỨNG NHẬN")
    assert abs(title.x + 0 - mid) < PAGE[0] / 4  # centred
    assert title.size == 28
    motto, managing = find(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), find(pdf, "UBND THÀNH PHỐ")
    issuer = find(pdf, "PHÒNG GD&ĐT A")
    assert managing.x < mid < motto.x
    assert abs(managing.y - motto.y) < 3
    assert issuer.y < managing.y
    assert title.y < motto.y
    for text in (
        "Nguyễn Thị Ánh",
        "Hạng II (V.07.04.31)",
        "Trường THCS A1",
        YEAR,
        "Hoàn thành tốt",
    ):
        assert find(pdf, text).y < title.y
    assert "120 tiết" in " ".join(r.text for r in runs(pdf))
    serial, place = find(pdf, f"Số hiệu: {cert['serial']}"), find(pdf, "Đồng Xoài, ngày")
    signer_title, signer = find(pdf, "TRƯỞNG PHÒNG"), find(pdf, "Lê Văn Đức")
    assert serial.x < mid < place.x
    assert place.y > signer_title.y > signer.y
    url = get_settings().public_base_url.rstrip("/") + "/api/v1/public/certificates/"
    assert find(pdf, url + cert["verification_code"]).x < mid
    # the QR code is drawn as vector squares left of the link: many filled rectangles
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()
    assert content.count(b" re") > 100


def test_qr_code_encodes_the_check_url(client: TestClient, session: Session) -> None:
    """The QR widget is given exactly the public check URL from settings."""
    from app.bdtx.certificate_document import check_url

    assert check_url("abc") == get_settings().public_base_url.rstrip("/") + (
        "/api/v1/public/certificates/abc"
    )


def test_signed_certificate_validates_and_downloads_as_issued(
    client: TestClient, session: Session
) -> None:
    cert, _, pki = certify(client, session, signed=True)
    url = f"{B}/certificates/{cert['id']}/document"
    first = client.get(url).content
    status = validate(first, pki.ca_der)
    assert status.bottom_line, status.pretty_print_details()
    assert client.get(url).content == first
    assert find(first, "Ký số bởi: Phòng Giáo dục và Đào tạo A").y > find(first, "Lê Văn Đức").y


def test_revoked_certificate_downloads_stamped(client: TestClient, session: Session) -> None:
    cert, _, _ = certify(client, session, signed=True)
    url = f"{B}/certificates/{cert['id']}"
    r = client.post(
        f"{url}/revoke",
        json={"reason": "Cấp nhầm"},
        headers={"If-Match": client.get(url).headers["etag"]},
    )
    assert r.status_code == 200, r.text
    pdf = client.get(f"{url}/document").content
    text = " ".join(r.text for r in runs(pdf))
    assert "ĐÃ THU HỒI" in text
    assert "Cấp nhầm" in text
    assert not PdfReader(io.BytesIO(pdf)).get_fields()  # no longer presented as signed


def test_one_pdf_of_a_units_certificates_for_printing(
    client: TestClient, session: Session, client_for: ClientFor
) -> None:
    cert, units, _ = certify(client, session)
    url = f"{B}/units/{units['d1'].id}/certificates/document"
    r = client.get(url, params={"school_year": YEAR})
    assert r.status_code == 200, r.text
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) == 1
    assert cert["serial"] in reader.pages[0].extract_text()
    assert "d1" not in r.headers["content-disposition"] or r.headers["content-disposition"]
    assert client_for(Role.inspector, units["d2"]).get(url).status_code == 404
    assert (
        len(
            PdfReader(
                io.BytesIO(client.get(url, params={"school_year": "2020-2021"}).content)
            ).pages
        )
        == 1
    )


def test_public_check_answers_json_to_clients_and_a_page_to_browsers(
    client: TestClient, anon: TestClient, session: Session
) -> None:
    cert, _, _ = certify(client, session, name="Trần <b>Bình</b>")
    url = f"/api/v1/public/certificates/{cert['verification_code']}"
    assert anon.get(url).json()["full_name"] == "Trần <b>Bình</b>"
    page = anon.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html
    assert 'name="viewport" content="width=device-width' in html
    assert "<script" not in html
    assert "Trần &lt;b&gt;Bình&lt;/b&gt;" in html  # escaped, never markup
    assert "Giấy chứng nhận hợp lệ" in html
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert cert["serial"] not in html  # minimal data, as the JSON
    en = anon.get(url, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert "Valid certificate" in en.text
    missing = anon.get("/api/v1/public/certificates/khong-co", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert "Không tìm thấy giấy chứng nhận" in missing.text
    assert anon.get("/api/v1/public/certificates/khong-co").json()["status"] == 404


# --- in a real browser ------------------------------------------------------------------------


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium on this machine (Debian: apt-get install chromium; .ci/run does)")


class _Replay(http.server.BaseHTTPRequestHandler):
    """Serves the app's answer as it was (status, headers, body) to the browser."""

    answer: tuple[int, list[tuple[str, str]], bytes] = (500, [], b"")

    def do_GET(self) -> None:
        status, headers, body = self.answer
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "date", "server"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(response: Any) -> str:
        handler = type("Handler", (_Replay,), {})
        handler.answer = (response.status_code, list(response.headers.items()), response.content)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/check"

    yield start
    for server in servers:
        server.shutdown()


def _browse(chromium: str, url: str, *extra: str) -> str:
    run = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--window-size=390,844",  # a phone's width
            *extra,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_public_check_page_renders_in_headless_chromium(
    client: TestClient, anon: TestClient, session: Session, serve: Any, tmp_path: Path
) -> None:
    chromium = _chromium()
    cert, _, _ = certify(client, session)
    answer = anon.get(
        f"/api/v1/public/certificates/{cert['verification_code']}",
        headers={"Accept": "text/html"},
    )
    url = serve(answer)
    dom = _browse(chromium, url, "--dump-dom")
    for text in (
        "Nguyễn Thị Ánh",
        YEAR,
        "Hoàn thành tốt",
        "Phòng GD&amp;ĐT A",
        "Giấy chứng nhận hợp lệ",
    ):
        assert text in dom, dom
    shot = tmp_path / "check.png"
    _browse(chromium, url, f"--screenshot={shot}")
    with Image.open(shot) as image:
        assert image.size == (390, 844)
        # the page's own stylesheet applied under its strict CSP: the background colour
        assert image.convert("RGB").getpixel((3, 3)) == (245, 245, 240)
