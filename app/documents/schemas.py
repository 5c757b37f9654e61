import base64
import binascii
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from app.core.schemas import InputModel, ReadModel

Secret = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class Pkcs12Credential(InputModel):
    """A PKCS#12 file (.p12/.pfx) with the unit's signing key and certificate."""

    kind: Literal["pkcs12"]
    pkcs12_base64: Annotated[str, StringConstraints(min_length=1, max_length=200_000)] = Field(
        description="The .p12/.pfx file, base64."
    )
    passphrase: Secret | None = Field(default=None, description="The file's passphrase.")

    @field_validator("pkcs12_base64")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("not base64") from exc
        return value


class Pkcs11Credential(InputModel):
    """A USB token or an HSM on the server, reached through its PKCS#11 module."""

    kind: Literal["pkcs11"]
    module_path: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="The vendor's PKCS#11 library on the server, one of those the operator "
        "listed in `BDTX_PKCS11_MODULES`, e.g. `/usr/lib/softhsm/libsofthsm2.so`."
    )
    slot: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    token_label: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    key_label: Annotated[str, StringConstraints(min_length=1, max_length=255)] = Field(
        description="Label of the key and of its certificate on the token."
    )
    pin: Secret = Field(description="The token's user PIN; stored encrypted.")


class CredentialRead(ReadModel):
    """What the unit signs with; never the key, passphrase or PIN."""

    unit_id: int
    kind: str
    subject: str
    not_after: datetime | None
    fingerprint: str | None
    pkcs11_module: str | None
    pkcs11_slot: int | None
    pkcs11_token_label: str | None
    pkcs11_key_label: str | None
    version: int
    updated_at: datetime
