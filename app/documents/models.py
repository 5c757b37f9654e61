"""Issued documents kept as issued, and the credentials units sign them with."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import Tracked, UTCDateTime, utcnow


class SigningCredential(Tracked, table=True):
    """How a unit signs its documents (PAdES, NĐ 30/2020 chapter on electronic documents).

    ``pkcs12``: the certificate and key as uploaded by the unit's admin, encrypted at rest
    with the key from settings (``BDTX_CREDENTIAL_KEY``). ``pkcs11``: a USB token or an HSM
    reached through its PKCS#11 module on the server; only its coordinates and the PIN
    (encrypted) are kept. ``subject`` and ``not_after`` are read from the certificate.
    """

    __tablename__ = "signing_credential"

    unit_id: int = Field(foreign_key="unit.id", ondelete="CASCADE", primary_key=True)
    kind: str = Field(max_length=16)  # pkcs12 | pkcs11
    pkcs12_encrypted: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    secret_encrypted: bytes | None = Field(default=None, sa_type=sa.LargeBinary)  # passphrase/PIN
    pkcs11_module: str | None = Field(default=None, max_length=500)
    pkcs11_slot: int | None = None
    pkcs11_token_label: str | None = Field(default=None, max_length=64)
    pkcs11_key_label: str | None = Field(default=None, max_length=255)
    subject: str = Field(max_length=500)
    not_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    fingerprint: str | None = Field(default=None, max_length=64)  # SHA-256 of the certificate


class IssuedDocument(SQLModel, table=True):
    """A document's PDF exactly as issued (signed when its unit had a credential): every
    later download returns these bytes, whatever changes in the data it was made from."""

    __tablename__ = "issued_document"
    __table_args__ = (sa.UniqueConstraint("kind", "ref_id", name="uq_issued_document_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # criticism | certificate
    ref_id: int
    unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    pdf: bytes = Field(sa_type=sa.LargeBinary)
    sha256: str = Field(max_length=64)
    signed_by: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
