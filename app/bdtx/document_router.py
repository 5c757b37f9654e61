"""Certificates as printed documents (giấy chứng nhận kết quả BDTX)."""

from typing import Annotated, Any

from fastapi import Query, Response

from app.auth.actor import ActorDep
from app.bdtx import results
from app.bdtx.certificate_document import (
    certificate_data,
    certificate_pdf,
    render_certificates,
    unit_certificates,
)
from app.bdtx.models import Certificate
from app.bdtx.policies import owned_filter
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.exports import content_disposition
from app.core.offload import in_thread
from app.core.school_year import SchoolYear
from app.core.types import Id
from app.units.service import get_unit, subtree_ids
from app.web.routing import api_router

router = api_router("/api/v1/bdtx", "bdtx")
PDF = "application/pdf"
PDF_RESPONSE = {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}}}


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content, media_type=PDF, headers={"Content-Disposition": content_disposition(filename)}
    )


@router.get(
    "/certificates/{certificate_id}/document",
    name="bdtx-certificates-document",
    response_class=Response,
    responses={
        200: {
            "description": "The certificate as issued (signed, PAdES, when the issuing unit "
            "has a signing credential), with a QR code to its public check; a revoked one "
            "stamped ĐÃ THU HỒI.",
            **PDF_RESPONSE,
        },
        **problem_responses(404),
    },
)
@in_thread
def certificate_document(session: SessionDep, actor: ActorDep, certificate_id: Id) -> Any:
    cert = results.get_certificate(session, actor, certificate_id)
    return _pdf(certificate_pdf(session, cert), f"giay-chung-nhan-{cert.serial}.pdf")


@router.get(
    "/units/{unit_id}/certificates/document",
    name="bdtx-unit-certificates-document",
    response_class=Response,
    responses={
        200: {
            "description": "Every live certificate of the unit and the units below it, one "
            "page each, by holder's name: for printing (not signed).",
            **PDF_RESPONSE,
        },
        **problem_responses(404),
    },
)
@in_thread
def unit_certificates_document(
    session: SessionDep,
    actor: ActorDep,
    unit_id: Id,
    school_year: Annotated[SchoolYear | None, Query()] = None,
) -> Any:
    unit = get_unit(session, actor, unit_id)
    visible = owned_filter(actor, Certificate.unit_id, Certificate.staff_id)
    certs = unit_certificates(session, subtree_ids(unit_id), school_year, visible)
    pages = [certificate_data(session, c) for c in certs]
    title = f"Giấy chứng nhận kết quả BDTX - {unit.name}"
    suffix = f"-{school_year}" if school_year else ""
    content = render_certificates(pages, title).content
    return _pdf(content, f"giay-chung-nhan-{unit.external_code}{suffix}.pdf")
