from typing import Annotated

from fastapi import Body, Response, status

from app.auth.actor import ActorDep
from app.core.concurrency import set_etag
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.types import Id
from app.documents import service
from app.documents.models import SigningCredential
from app.documents.schemas import CredentialRead, Pkcs11Credential, Pkcs12Credential
from app.units.service import get_unit
from app.web.routing import api_router

router = api_router("/api/v1/units", "units")
# `kind` tells them apart (a discriminator cannot sit on a field with a before-validator)
CredentialBody = Annotated[Pkcs12Credential | Pkcs11Credential, Body()]


def _read(response: Response, found: SigningCredential) -> CredentialRead:
    set_etag(response, found.version)
    return CredentialRead.model_validate(found)


@router.get(
    "/{unit_id}/signing-credential",
    name="units-signing-credential-get",
    responses=problem_responses(404),
)
def get_signing_credential(
    session: SessionDep, actor: ActorDep, unit_id: Id, response: Response
) -> CredentialRead:
    """What the unit signs its letters and certificates with (subject, expiry); never the
    key, passphrase or PIN."""
    unit = get_unit(session, actor, unit_id)
    return _read(response, service.get_credential(session, unit))


@router.put(
    "/{unit_id}/signing-credential",
    name="units-signing-credential-put",
    responses=problem_responses(403, 404),
)
def put_signing_credential(
    session: SessionDep, actor: ActorDep, unit_id: Id, body: CredentialBody, response: Response
) -> CredentialRead:
    """Install the unit's signing credential (its administrators): a PKCS#12 file, stored
    encrypted with the server's credential key, or a PKCS#11 token (USB token, HSM) by
    module path, slot or token label, key label and PIN. Tried before it is kept: a wrong
    passphrase, PIN or label is 422 `signing_credential_invalid`. From then on letters and
    certificates the unit issues are signed (PAdES) where the signature goes."""
    unit = get_unit(session, actor, unit_id)
    return _read(response, service.put_credential(session, actor, unit, body))


@router.delete(
    "/{unit_id}/signing-credential",
    name="units-signing-credential-delete",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(403, 404),
)
def delete_signing_credential(session: SessionDep, actor: ActorDep, unit_id: Id) -> Response:
    """Documents issued later are not signed; those already signed stay as they are."""
    service.delete_credential(session, actor, get_unit(session, actor, unit_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
