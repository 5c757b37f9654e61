"""Reading documents back in tests: text with its position and font, and a PNG rendering."""

import io
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader


@dataclass(frozen=True)
class Run:
    """A run of text as drawn: its baseline's start (points from the page's bottom left)."""

    text: str
    x: float
    y: float
    font: str
    size: float


def runs(content: bytes, page: int = 0) -> list[Run]:
    found: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        text = unicodedata.normalize("NFC", text).strip()
        if not text:
            return
        # the text matrix in the current transformation: the run's position on the page
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str(font.get("/BaseFont", "")) if font else ""
        found.append(Run(text, x, y, name, size * (tm[0] or 1)))

    PdfReader(io.BytesIO(content)).pages[page].extract_text(visitor_text=visit)
    return found


def find(content: bytes, text: str, page: int = 0) -> Run:
    """The first run containing ``text``."""
    all_runs = runs(content, page)
    for run in all_runs:
        if text in run.text:
            return run
    raise AssertionError(f"{text!r} not drawn on page {page}: {[r.text for r in all_runs]}")


def render_png(content: bytes, tmp_path: Path, name: str = "page") -> Path:
    """Page 1 at 60 dpi through poppler's pdftoppm: the document really renders."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed; .ci/run installs it")
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / name)],
        check=True,
        timeout=60,
    )
    png = next(tmp_path.glob(f"{name}*.png"))
    assert png.read_bytes().startswith(b"\x89PNG")
    assert png.stat().st_size > 5000  # something was drawn, not a blank page
    return png


# --- a test PKI: a CA of our own and a unit's signing certificate -----------------------------


@dataclass(frozen=True)
class Pki:
    ca_der: bytes
    pkcs12: bytes
    passphrase: str


def make_pki(common_name: str = "Sở Giáo dục và Đào tạo Bình Phước", days: int = 365) -> Pki:
    """A root CA and a unit certificate it issued, the unit's as PKCS#12 (cryptography)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC) - timedelta(minutes=5)

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("CA thử nghiệm bdtx"))
        .issuer_name(name("CA thử nghiệm bdtx"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(common_name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    passphrase = "mat-khau-p12"
    p12 = pkcs12.serialize_key_and_certificates(
        b"unit",
        key,
        cert,
        [ca],
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    return Pki(ca.public_bytes(serialization.Encoding.DER), p12, passphrase)


def validate(content: bytes, ca_der: bytes) -> object:
    """pyHanko's validation of the document's one signature against our CA."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(content), strict=False)
    signatures = reader.embedded_signatures
    assert len(signatures) == 1, f"{len(signatures)} signatures"
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(ca_der)])
    return validate_pdf_signature(signatures[0], context)
