"""A unit signing with a PKCS#11 token (a USB token or an HSM in production): SoftHSM2 from
Debian stands in for it. Skipped, with the reason, where softhsm2 is not installed."""

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.core.config import get_settings
from tests.criticisms.test_form import issued
from tests.documents import make_pki, validate

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PIN, SO_PIN, LABEL = "5678", "12345678", "bdtx-unit"


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, bytes]:
    """A fresh SoftHSM token holding a unit's key and certificate; returns (label, CA)."""
    if not (shutil.which("softhsm2-util") and os.path.exists(MODULE)):
        pytest.skip("softhsm2 is not installed (Debian: apt-get install softhsm2)")
    import pkcs11
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pkcs11 import Attribute, CertificateType, ObjectClass

    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    monkeypatch.setattr(get_settings(), "pkcs11_modules", [MODULE])
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", LABEL, "--so-pin", SO_PIN,
         "--pin", PIN],
        check=True, capture_output=True,
    )  # fmt: skip
    pki = make_pki("Sở GD&ĐT (token)")
    key, cert, _ = pkcs12.load_key_and_certificates(pki.pkcs12, pki.passphrase.encode())
    assert key is not None
    assert cert is not None
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    subprocess.run(
        ["softhsm2-util", "--import", str(pem), "--token", LABEL, "--label", "ky-so",
         "--id", "01", "--pin", PIN],
        check=True, capture_output=True,
    )  # fmt: skip
    lib = pkcs11.lib(MODULE)
    with lib.get_token(token_label=LABEL).open(rw=True, user_pin=PIN) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "ky-so",
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )
    assert isinstance(cert, x509.Certificate)
    return LABEL, pki.ca_der


def test_letter_signed_on_a_pkcs11_token_validates(
    client: TestClient, session: Session, token: tuple[str, bytes]
) -> None:
    label, ca = token
    body = {
        "kind": "pkcs11",
        "module_path": MODULE,
        "token_label": label,
        "key_label": "ky-so",
        "pin": PIN,
    }

    def install(so: object) -> None:
        url = f"/api/v1/units/{so.id}/signing-credential"  # type: ignore[attr-defined]
        wrong = client.put(url, json={**body, "pin": "0000"})
        assert wrong.status_code == 422, wrong.text
        unlisted = client.put(url, json={**body, "module_path": "/tmp/evil.so"})
        assert unlisted.json()["errors"][0]["loc"] == ["body", "module_path"]
        r = client.put(url, json=body)
        assert r.status_code == 200, r.text
        assert r.json()["pkcs11_token_label"] == label
        assert "pin" not in r.json()

    letter = issued(client, session, before_issue=install)
    pdf = client.get(f"/api/v1/criticisms/{letter['id']}/document").content
    status = validate(pdf, ca)
    assert status.bottom_line, status.pretty_print_details()
    assert base64.b64encode(PIN.encode()) not in pdf
