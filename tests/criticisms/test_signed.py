"""PAdES-signed letters: a unit installs its PKCS#12 credential; letters it issues are
signed in the signature's place, validate with pyHanko against the unit's CA, download
byte for byte as issued, and a tampered copy fails validation."""

import base64
import io
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import Role
from app.documents.models import SigningCredential
from tests.conftest import ClientFor
from tests.criticisms.test_form import LETTERHEAD, issued
from tests.documents import Pki, find, make_pki, render_png, validate
from tests.factories import make_tree

C = "/api/v1/criticisms"


def install(client: TestClient, unit_id: int | None, pki: Pki) -> dict:
    body = {
        "kind": "pkcs12",
        "pkcs12_base64": base64.b64encode(pki.pkcs12).decode(),
        "passphrase": pki.passphrase,
    }
    r = client.put(f"/api/v1/units/{unit_id}/signing-credential", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_issued_letter_is_signed_validates_and_downloads_as_issued(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    pki = make_pki()
    letter = issued(client, session, before_issue=lambda so: install(client, so.id, pki))
    first = client.get(f"{C}/{letter['id']}/document").content
    status = validate(first, pki.ca_der)
    details = status.pretty_print_details()
    assert status.intact, details
    assert status.valid, details
    assert status.trusted, details
    assert status.bottom_line
    # the same bytes every time, though the letterhead changed since
    so_id = letter["issuing_unit_id"]
    client.put(f"/api/v1/units/{so_id}/letterhead", json={**LETTERHEAD, "managing_body": "Khác"})
    assert client.get(f"{C}/{letter['id']}/document").content == first
    # the visible signature sits between the signer's title and name
    reader = PdfReader(io.BytesIO(first))
    widget = next(
        a.get_object() for a in reader.pages[-1]["/Annots"] if a.get_object().get("/FT") == "/Sig"
    )
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    title, name = find(first, "PHÓ GIÁM ĐỐC"), find(first, "Lê Văn Đức")
    assert name.y < y1 < y2 < title.y
    assert x1 < name.x < x2
    render_png(first, tmp_path, "signed")


def test_a_tampered_letter_fails_validation(client: TestClient, session: Session) -> None:
    pki = make_pki()
    letter = issued(client, session, before_issue=lambda so: install(client, so.id, pki))
    signed = client.get(f"{C}/{letter['id']}/document").content
    # change one byte of the signed content: the page's text
    at = signed.index(b"stream") + 20
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1 :]
    status = validate(tampered, pki.ca_der)
    assert not status.intact
    assert not status.bottom_line


def test_a_letter_signed_under_another_ca_is_not_trusted(
    client: TestClient, session: Session
) -> None:
    pki = make_pki()
    letter = issued(client, session, before_issue=lambda so: install(client, so.id, pki))
    signed = client.get(f"{C}/{letter['id']}/document").content
    status = validate(signed, make_pki().ca_der)
    assert status.intact
    assert not status.trusted


def test_credential_is_for_the_units_admins_stored_encrypted_and_never_shown(
    session: Session, client_for: ClientFor
) -> None:
    t = make_tree(session)
    pki = make_pki("Phòng GD&ĐT A")
    url = f"/api/v1/units/{t['d1'].id}/signing-credential"
    admin = client_for(Role.admin, t["d1"])
    officer = client_for(Role.department_officer, t["d1"])
    body = {
        "kind": "pkcs12",
        "pkcs12_base64": base64.b64encode(pki.pkcs12).decode(),
        "passphrase": pki.passphrase,
    }
    assert officer.put(url, json=body).status_code == 403
    wrong = admin.put(url, json={**body, "passphrase": "sai"})
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["code"] == "signing_credential_invalid"
    assert session.get(SigningCredential, t["d1"].id) is None  # refused: nothing written
    r = admin.put(url, json=body)
    assert r.status_code == 200, r.text
    shown = r.json()
    assert "Phòng GD&ĐT A" in shown["subject"]
    assert "passphrase" not in shown
    assert "pkcs12_base64" not in shown
    stored = session.scalar(
        select(SigningCredential).where(SigningCredential.unit_id == t["d1"].id)
    )
    assert stored is not None
    assert stored.pkcs12_encrypted is not None
    assert pki.pkcs12 not in stored.pkcs12_encrypted
    assert pki.passphrase.encode() not in (stored.secret_encrypted or b"")
    assert officer.get(url).json()["fingerprint"] == shown["fingerprint"]
    assert client_for(Role.admin, t["d2"]).get(url).status_code == 404
    assert admin.delete(url).status_code == 204
    assert admin.get(url).status_code == 404
