"""Units' signing credentials, and documents stored as issued (signed when the issuing unit
has a credential)."""

import base64
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlmodel import Session

import app.documents.messages  # noqa: F401 - registers the problem texts
from app.auth.actor import Actor
from app.auth.models import Role
from app.core.config import get_settings
from app.core.errors import Conflict, InvalidInput, NotFound
from app.documents import crypto, signing
from app.documents.models import IssuedDocument, SigningCredential
from app.documents.schemas import Pkcs11Credential, Pkcs12Credential
from app.units.models import Unit
from app.violations.policies import allow

ADMINS = frozenset({Role.admin})  # only a unit's administrators handle its signing key


def get_credential(session: Session, unit: Unit) -> SigningCredential:
    found = session.get(SigningCredential, unit.id)
    if found is None:
        raise NotFound("signing_credential", unit.id)
    return found


def _invalid(field: str, reason: str) -> InvalidInput:
    item = {"loc": ["body", field], "msg": reason, "code": "signing_credential_invalid"}
    return InvalidInput("signing_credential_invalid", errors=[item], reason=reason)


def _pkcs12(data: Pkcs12Credential) -> dict[str, object]:
    raw = base64.b64decode(data.pkcs12_base64)
    secret = data.passphrase.encode() if data.passphrase else None
    try:
        signer = signing.pkcs12_signer(raw, secret)
    except signing.SigningError as exc:
        raise _invalid("pkcs12_base64", "not a PKCS#12 file or wrong passphrase") from exc
    info = signing.describe(signer.signing_cert)
    return {
        "pkcs12_encrypted": crypto.encrypt(raw),
        "secret_encrypted": crypto.encrypt(secret) if secret else None,
        "subject": info.subject,
        "not_after": info.not_after,
        "fingerprint": info.fingerprint,
    }


def _pkcs11(data: Pkcs11Credential) -> dict[str, object]:
    """Tried once now, so a wrong path, slot or PIN is refused at once, not at issue."""
    if data.module_path not in get_settings().pkcs11_modules:
        # loading a library runs its code: only the ones the operator listed
        raise _invalid("module_path", "not a PKCS#11 module listed in BDTX_PKCS11_MODULES")
    try:
        with signing.pkcs11_signer(
            data.module_path, data.slot, data.token_label, data.key_label, data.pin
        ) as signer:
            cert = signer.signing_cert
    except signing.SigningError as exc:
        raise _invalid("module_path", "token not reachable with this module, slot and PIN") from exc
    except Exception as exc:  # python-pkcs11: no such key or certificate label
        raise _invalid("key_label", "no key and certificate with this label") from exc
    info = signing.describe(cert)
    return {
        "pkcs11_module": data.module_path,
        "pkcs11_slot": data.slot,
        "pkcs11_token_label": data.token_label,
        "pkcs11_key_label": data.key_label,
        "secret_encrypted": crypto.encrypt(data.pin.encode()),
        "subject": info.subject,
        "not_after": info.not_after,
        "fingerprint": info.fingerprint,
    }


EMPTY = {
    "pkcs12_encrypted": None,
    "secret_encrypted": None,
    "pkcs11_module": None,
    "pkcs11_slot": None,
    "pkcs11_token_label": None,
    "pkcs11_key_label": None,
    "not_after": None,
    "fingerprint": None,
}


def put_credential(
    session: Session, actor: Actor, unit: Unit, data: Pkcs12Credential | Pkcs11Credential
) -> SigningCredential:
    assert unit.id is not None
    allow(session, actor, ADMINS, unit.id, "manage_signing_credential")
    values = {**EMPTY, **(_pkcs12(data) if isinstance(data, Pkcs12Credential) else _pkcs11(data))}
    found = session.get(SigningCredential, unit.id)
    if found is None:
        found = SigningCredential(unit_id=unit.id, kind=data.kind, **values)
        session.add(found)
    else:
        found.kind = data.kind
        for field, value in values.items():
            setattr(found, field, value)
    session.flush()
    return found


def delete_credential(session: Session, actor: Actor, unit: Unit) -> None:
    assert unit.id is not None
    allow(session, actor, ADMINS, unit.id, "manage_signing_credential")
    session.delete(get_credential(session, unit))
    session.flush()


@contextmanager
def unit_signer(credential: SigningCredential) -> Iterator[object]:
    secret = crypto.decrypt(credential.secret_encrypted) if credential.secret_encrypted else None
    if credential.kind == "pkcs12":
        assert credential.pkcs12_encrypted is not None
        yield signing.pkcs12_signer(crypto.decrypt(credential.pkcs12_encrypted), secret)
        return
    assert credential.pkcs11_module is not None
    assert credential.pkcs11_key_label is not None
    assert secret is not None
    with signing.pkcs11_signer(
        credential.pkcs11_module,
        credential.pkcs11_slot,
        credential.pkcs11_token_label,
        credential.pkcs11_key_label,
        secret.decode(),
    ) as signer:
        yield signer


# --- documents as issued --------------------------------------------------------------------


def stored(session: Session, kind: str, ref_id: int) -> IssuedDocument | None:
    return session.scalar(
        select(IssuedDocument).where(IssuedDocument.kind == kind, IssuedDocument.ref_id == ref_id)
    )


def issue(
    session: Session,
    *,
    kind: str,
    ref_id: int,
    unit_id: int,
    render: Callable[[str | None], tuple[bytes, signing.Placement]],
    reason: str,
    location: str,
) -> IssuedDocument:
    """Render once, sign with the unit's credential when it has one, and keep the bytes.

    Signing failure refuses the whole request (409 ``signing_failed``): a document the
    unit means to sign is not issued unsigned behind its back.
    """
    found = stored(session, kind, ref_id)
    if found is not None:
        return found
    credential = session.get(SigningCredential, unit_id)
    # the page shows who signs in the signature's place; the signature covers that too
    content, where = render(credential.subject if credential else None)
    signed_by = None
    if credential is not None:
        try:
            with unit_signer(credential) as signer:
                content = signing.sign_pdf(
                    content,
                    signer,
                    where,
                    reason=reason,
                    location=location,
                )
        except signing.SigningError as exc:
            raise Conflict("signing_failed", reason=str(exc)[:200]) from exc
        signed_by = credential.subject
    document = IssuedDocument(
        kind=kind,
        ref_id=ref_id,
        unit_id=unit_id,
        pdf=content,
        sha256=hashlib.sha256(content).hexdigest(),
        signed_by=signed_by,
    )
    session.add(document)
    session.flush()
    return document
