from typing import Annotated, Literal

from fastapi import Query

from app.audit import service
from app.audit.schemas import AuditLogRead
from app.auth.actor import ActorDep
from app.core.db import SessionDep
from app.core.errors import problem_responses
from app.core.pagination import PageDep
from app.core.schemas import Page
from app.core.types import Id, Timestamp
from app.web.routing import api_router

router = api_router("/api/v1/audit-log", "audit")


@router.get(
    "", name="audit-log-list", response_model=Page[AuditLogRead], responses=problem_responses(403)
)
def list_audit_log(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    unit_id: Annotated[Id | None, Query(description="Targets in this unit's subtree")] = None,
    actor_user_id: Id | None = None,
    action: Annotated[str | None, Query(max_length=64, description="e.g. staff-transfer")] = None,
    target_type: Annotated[str | None, Query(max_length=64)] = None,
    target_id: Id | None = None,
    outcome: Literal["success", "refused", "error"] | None = None,
    request_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[Timestamp | None, Query(description="RFC 3339 with offset")] = None,
    until: Annotated[Timestamp | None, Query(description="RFC 3339 with offset")] = None,
) -> Page[AuditLogRead]:
    """Newest first. Read-only: the log has no update or delete path."""
    filters = service.AuditFilters(
        unit_id=unit_id,
        actor_user_id=actor_user_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        request_id=request_id,
        since=since,
        until=until,
    )
    items, cursor = service.list_entries(session, actor, page, filters)
    return Page(items=[AuditLogRead.model_validate(e) for e in items], next_cursor=cursor)
