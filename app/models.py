"""Every table, imported in one place for Alembic's metadata."""

from app.audit.models import AuditLog
from app.auth.models import ApiKey, LoginThrottle, RoleAssignment, User
from app.bdtx.models import (
    BdtxModule,
    BdtxResult,
    Certificate,
    ModuleScore,
    PersonalPlan,
    SelfStudy,
    UnitPlan,
    UnitReport,
    YearPolicy,
)
from app.changes.models import Change
from app.core.idempotency import IdempotencyRecord
from app.criticisms.models import Criticism, CriticismCounter, CriticismViolation
from app.documents.models import IssuedDocument, SigningCredential
from app.events.models import (
    AbsenceExcuse,
    AttendanceMark,
    Event,
    EventSession,
    LateConsent,
    Nomination,
    NominationChange,
    Requirement,
    RequirementTarget,
    SessionAmendment,
    TrainingCredit,
)
from app.external.models import ExternalEvent, ParticipationRequest
from app.notify.models import EmailOutbox, Notification, NotificationPreference, WorkerCursor
from app.staff.models import Staff, StaffAssignment
from app.units.models import Unit, UnitClosure, UnitLetterhead, UnitMove
from app.violations.models import Violation
from app.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = [
    "AbsenceExcuse",
    "ApiKey",
    "AttendanceMark",
    "AuditLog",
    "BdtxModule",
    "BdtxResult",
    "Certificate",
    "Change",
    "Criticism",
    "CriticismCounter",
    "CriticismViolation",
    "EmailOutbox",
    "Event",
    "EventSession",
    "ExternalEvent",
    "IdempotencyRecord",
    "IssuedDocument",
    "LateConsent",
    "LoginThrottle",
    "ModuleScore",
    "Nomination",
    "NominationChange",
    "Notification",
    "NotificationPreference",
    "ParticipationRequest",
    "PersonalPlan",
    "Requirement",
    "RequirementTarget",
    "RoleAssignment",
    "SelfStudy",
    "SessionAmendment",
    "SigningCredential",
    "Staff",
    "StaffAssignment",
    "TrainingCredit",
    "Unit",
    "UnitClosure",
    "UnitLetterhead",
    "UnitMove",
    "UnitPlan",
    "UnitReport",
    "User",
    "Violation",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkerCursor",
    "YearPolicy",
]
