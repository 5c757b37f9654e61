"""Factories for external events and participation requests: through the services, flushed."""

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from app.core.model_base import utcnow
from app.external import service
from app.external.models import ExternalEvent, ParticipationRequest, ParticipationStatus
from app.external.schemas import (
    ExternalEventApproval,
    ExternalEventCreate,
    ParticipationRequestCreate,
)
from app.staff.models import Staff
from app.units.models import Unit
from tests.factories import SYSTEM

COMMITMENT = (
    "Tôi cam kết việc tham gia không ảnh hưởng đến việc thực hiện nhiệm vụ chuyên môn "
    "được phân công."
)


# Ahead of today, so the authority may still approve it beforehand (R-EXT-2).
STARTS = date.today() + timedelta(days=60)


def event_body(host: Unit, **kw: Any) -> dict[str, Any]:
    """A complete submission by a registered company (R-EXT-1 fields present)."""
    return {
        "title": "Tập huấn ứng dụng trí tuệ nhân tạo trong dạy học",
        "kind": "training",
        "organiser_type": "organization",
        "organiser_name": "Công ty Cổ phần Giáo dục Sao Việt",
        "organiser_registration_number": "3801234567",
        "organiser_issuer": "Sở Kế hoạch và Đầu tư tỉnh Bình Phước",
        "organiser_address": "12 Phú Riềng Đỏ, phường Tân Bình, TP Đồng Xoài",
        "organiser_contact": "0271 3888 999",
        "agenda": "Buổi sáng: tổng quan; buổi chiều: thực hành soạn bài với công cụ AI.",
        "topics": ["Trí tuệ nhân tạo", "Soạn giáo án"],
        "speakers": [{"full_name": "TS. Lê Minh Tâm", "affiliation": "Trường ĐH Sư phạm"}],
        "starts_on": STARTS.isoformat(),
        "ends_on": (STARTS + timedelta(days=1)).isoformat(),
        "venue": "Hội trường Trường THCS Tân Phú",
        "expected_audience": "Giáo viên THCS",
        "fee_vnd": 0,
        "host_unit_id": host.id,
        **kw,
    }


def make_event(session: Session, host: Unit, *, approved: bool = False, **kw: Any) -> ExternalEvent:
    event = service.create_event(session, SYSTEM, ExternalEventCreate(**event_body(host, **kw)))
    if approved:
        approve(session, event)
    return event


def approve(session: Session, event: ExternalEvent) -> ExternalEvent:
    body = ExternalEventApproval(
        document_number="123/PGDĐT-CM", document_on=date(2024, 10, 1), signer_name="Trần Văn Bình"
    )
    return service.approve_event(session, SYSTEM, event, body, event.version)


def make_request(
    session: Session, event: ExternalEvent, staff: Staff, *, consented: bool = False
) -> ParticipationRequest:
    body = ParticipationRequestCreate(
        external_event_id=event.id or 0,
        staff_id=staff.id,
        commitment_text=COMMITMENT,
        commitment_acknowledged=True,
    )
    request = service.create_request(session, SYSTEM, body)
    if consented:
        # the factory stands in for the head of the person's own unit
        request.status, request.decided_at = ParticipationStatus.consented, utcnow()
        session.flush()
    return request
