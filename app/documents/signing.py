"""PAdES signatures (pyHanko) with a unit's credential, visible where NĐ 30/2020 puts the
signature: over the room left between the signer's title and name.

A signature covers the whole file as it was when signed; changing a byte breaks it, so a
signed document is stored once and every download returns it unchanged.
"""

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from asn1crypto import x509
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import TextStampStyle

from app.core.model_base import LOCAL_TZ

FONT_FILE = (
    Path(__file__).resolve().parent.parent / "assets" / "fonts" / "LiberationSerif-Regular.ttf"
)
FIELD = "ChuKySo"


class SigningError(Exception):
    """The credential could not sign (wrong passphrase or PIN, token absent, broken file)."""


@dataclass(frozen=True)
class Placement:
    """Where the visible signature goes: page (0-based) and rectangle in PDF points."""

    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class CertificateInfo:
    subject: str
    not_after: datetime
    fingerprint: str


def describe(cert: x509.Certificate) -> CertificateInfo:
    common_name = cert.subject.native.get("common_name")
    return CertificateInfo(
        subject=str(common_name or cert.subject.human_friendly)[:500],
        not_after=cert.not_valid_after,
        fingerprint=hashlib.sha256(cert.dump()).hexdigest(),
    )


def pkcs12_signer(data: bytes, passphrase: bytes | None) -> signers.SimpleSigner:
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(data, (), passphrase=passphrase)
    except Exception as exc:  # a wrong passphrase or not a PKCS#12 file, whatever raised it
        raise SigningError(str(exc)) from exc
    if signer is None or signer.signing_cert is None:
        raise SigningError("no key and certificate in the PKCS#12 file")
    return signer


@contextmanager
def pkcs11_signer(
    module: str, slot: int | None, token_label: str | None, key_label: str, pin: str
) -> Iterator[signers.Signer]:
    """A signer on a USB token or HSM, through its PKCS#11 module; the session is closed
    after signing."""
    from pkcs11 import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    criteria = TokenCriteria(label=token_label) if token_label else None
    try:
        session = pkcs11.open_pkcs11_session(
            module, slot_no=slot, token_criteria=criteria, user_pin=pin
        )
    except (PKCS11Error, OSError, RuntimeError) as exc:
        raise SigningError(f"PKCS#11 token not reachable: {exc!r}") from exc
    try:
        yield pkcs11.PKCS11Signer(session, key_label=key_label, cert_label=key_label)
    finally:
        session.close()


@cache
def _stamp_style() -> TextStampStyle:
    """The widget draws nothing of its own: the document already shows who signed and when
    in the field's rectangle (drawn with the document's font, which prints Vietnamese
    properly; pyHanko's own text stamp spaces this font's glyphs too wide)."""
    font = GlyphAccumulatorFactory(str(FONT_FILE))
    return TextStampStyle(stamp_text=" ", text_box_style=TextBoxStyle(font=font), border_width=0)


def signature_lines(signed_by: str, at: datetime) -> list[str]:
    """The visible signature's text, as the signed document prints it."""
    local = at.astimezone(LOCAL_TZ)
    return [f"Ký số bởi: {signed_by}", f"Thời gian ký: {local:%d/%m/%Y %H:%M}"]


def sign_pdf(
    content: bytes, signer: signers.Signer, where: Placement, *, reason: str, location: str
) -> bytes:
    """The PDF with a PAdES baseline signature in a visible field at ``where``."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location or None,
    )
    x1, y1, x2, y2 = (round(v) for v in where.box)  # whole points, as the field takes them
    spec = fields.SigFieldSpec(sig_field_name=FIELD, on_page=where.page, box=(x1, y1, x2, y2))
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, stamp_style=_stamp_style(), new_field_spec=spec
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    try:
        out = pdf_signer.sign_pdf(writer)
    except Exception as exc:  # pyHanko and PKCS#11 raise many kinds; all mean "not signed"
        raise SigningError(repr(exc)) from exc
    return out.getvalue()
