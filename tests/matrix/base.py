"""The route matrix's building blocks: a small world of units, people and keys, and a Case
per route. Each domain lists its routes in ``tests/matrix/<domain>.py``."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import ApiKey, Role, RoleAssignment, User
from app.core.security import new_api_key
from app.staff.models import Staff
from app.units.models import Unit
from tests.factories import make_staff, make_tree, make_unit, make_user

PUBLIC = {
    ("POST", "/api/v1/auth/token"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/api/v1/public/certificates/{code}"),  # certificate verification (R-BDTX-1)
    ("GET", "/api/v1/public/problems"),  # the problem-code catalogue documents the contract
    ("GET", "/api/v1/public/problems/{code}"),
}


@dataclass
class World:
    """Sở → office d1 → school s1 (the target) and s1b; office d2 → school s2 (the sibling)."""

    session: Session
    admin: TestClient
    units: dict[str, Unit]
    staff: Staff
    user: User
    assignment: RoleAssignment
    key: ApiKey

    def etag(self, url: str) -> dict[str, str]:
        return {"If-Match": self.admin.get(url).headers["etag"]}

    def leaf(self) -> Unit:
        return make_unit(self.session, self.units["s1"], name="Điểm trường lẻ")


def build_world(session: Session, admin: TestClient) -> World:
    units = make_tree(session)
    units["s1b"] = make_unit(session, units["d1"], name="Trường THCS A2")
    staff = make_staff(session, units["s1"])
    user = make_user(session, [], staff=staff)
    assignment = RoleAssignment(user_id=user.id or 0, role=Role.staff, unit_id=units["s1"].id)
    _, prefix, key_hash = new_api_key()
    key = ApiKey(
        name="Phần mềm trường",
        prefix=prefix,
        key_hash=key_hash,
        role=Role.integration,
        unit_id=units["s1"].id or 0,
    )
    session.add_all([assignment, key])
    session.flush()
    # one audited write inside s1, so audit readers have something to (not) see
    admin.patch(
        f"/api/v1/units/{units['s1'].id}",
        json={"name": "Trường THCS A1 (mới)"},
        headers={"If-Match": admin.get(f"/api/v1/units/{units['s1'].id}").headers["etag"]},
    )
    return World(session, admin, units, staff, user, assignment, key)


Request = tuple[str, dict[str, Any] | None, dict[str, str]]


@dataclass
class Case:
    method: str
    path: str
    allowed: Role
    call: Callable[[World], Request]
    expect: int = 200
    wrong: Role | None = None
    # for lists: does this answer include the target? (siblings must not see it)
    sees_target: Callable[[World, Any], bool] | None = None
    siblings: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    # where the callers' roles sit: the target's side and the sibling's side of the tree
    unit: str = "d1"
    sibling_unit: str = "d2"
    # callers acting as a person (e.g. an attendee) are linked to the world's staff member
    as_staff: bool = False


def ids_in(body: Any) -> set[int]:
    items = body["items"] if isinstance(body, dict) else body
    return {i.get("id") for i in items}


def u(w: World, key: str = "s1") -> int:
    return w.units[key].id or 0
