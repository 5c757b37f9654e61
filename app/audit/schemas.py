from datetime import datetime
from typing import Any

from app.core.schemas import ReadModel


class AuditLogRead(ReadModel):
    id: int
    at: datetime
    actor_user_id: int | None
    actor_api_key_id: int | None
    actor_name: str | None
    auth_method: str | None
    acting_role: str | None
    acting_unit_id: int | None
    action: str
    change: str | None
    target_type: str | None
    target_id: int | None
    target_unit_id: int | None
    target_unit_path: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    client_ip: str | None
    outcome: str
    status_code: int
    error_code: str | None
