"""Every route × every kind of caller (OWASP API1: broken object-level authorization).

For each route: no token, a bad token and an expired token get 401; the right role in scope
succeeds; the same role in a sibling unit gets 404 (or, on lists, does not see the target);
a role without the permission gets 403. A route missing from CASES fails the test.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.actor import get_actor
from app.auth.models import ApiKey, Role, RoleAssignment, User
from app.core.routing import api_routes
from app.core.security import new_api_key
from app.main import create_app
from app.staff.models import Staff
from app.units.models import Unit
from tests.factories import SYSTEM, auth_headers, make_staff, make_tree, make_unit, make_user

PUBLIC = {("POST", "/api/v1/auth/token"), ("GET", "/healthz"), ("GET", "/readyz")}


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


def ids_in(body: Any) -> set[int]:
    items = body["items"] if isinstance(body, dict) else body
    return {i.get("id") for i in items}


def u(w: World, key: str = "s1") -> int:
    return w.units[key].id or 0


CASES = [
    Case("GET", "/api/v1/me", Role.staff, lambda w: ("/api/v1/me", None, {}), siblings=False),
    Case(
        "GET",
        "/api/v1/units",
        Role.inspector,
        lambda w: ("/api/v1/units", None, {}),
        sees_target=lambda w, b: u(w) in ids_in(b),
    ),
    Case(
        "POST",
        "/api/v1/units",
        Role.department_officer,
        lambda w: (
            "/api/v1/units",
            {"external_code": "NEW-1", "name": "Trường mới", "kind": "school", "parent_id": u(w)},
            {},
        ),
        expect=201,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/units/{unit_id}",
        Role.inspector,
        lambda w: (f"/api/v1/units/{u(w)}", None, {}),
    ),
    Case(
        "PATCH",
        "/api/v1/units/{unit_id}",
        Role.department_officer,
        lambda w: (f"/api/v1/units/{u(w)}", {"name": "Tên mới"}, w.etag(f"/api/v1/units/{u(w)}")),
        wrong=Role.inspector,
    ),
    Case(
        "DELETE",
        "/api/v1/units/{unit_id}",
        Role.department_officer,
        lambda w: (
            lambda leaf: (f"/api/v1/units/{leaf.id}", None, w.etag(f"/api/v1/units/{leaf.id}"))
        )(w.leaf()),
        expect=204,
        wrong=Role.unit_head,
    ),
    Case(
        "POST",
        "/api/v1/units/{unit_id}/move",
        Role.department_officer,
        lambda w: (
            lambda leaf: (
                f"/api/v1/units/{leaf.id}/move",
                {"new_parent_id": u(w, "d1"), "reason": "Sắp xếp"},
                w.etag(f"/api/v1/units/{leaf.id}"),
            )
        )(w.leaf()),
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/units/{unit_id}/moves",
        Role.inspector,
        lambda w: (f"/api/v1/units/{u(w)}/moves", None, {}),
    ),
    Case(
        "GET",
        "/api/v1/staff",
        Role.inspector,
        lambda w: ("/api/v1/staff", None, {}),
        sees_target=lambda w, b: w.staff.id in ids_in(b),
    ),
    Case(
        "POST",
        "/api/v1/staff",
        Role.unit_head,
        lambda w: (
            "/api/v1/staff",
            {
                "external_code": "GV-NEW",
                "full_name": "Lý Thị Mới",
                "unit_id": u(w),
                "category": "teacher",
            },
            {},
        ),
        expect=201,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/staff/{staff_id}",
        Role.inspector,
        lambda w: (f"/api/v1/staff/{w.staff.id}", None, {}),
    ),
    Case(
        "PATCH",
        "/api/v1/staff/{staff_id}",
        Role.unit_head,
        lambda w: (
            f"/api/v1/staff/{w.staff.id}",
            {"position": "Tổ trưởng"},
            w.etag(f"/api/v1/staff/{w.staff.id}"),
        ),
        wrong=Role.organizer,
    ),
    Case(
        "POST",
        "/api/v1/staff/{staff_id}/transfer",
        Role.department_officer,
        lambda w: (
            f"/api/v1/staff/{w.staff.id}/transfer",
            {"unit_id": u(w, "s1b")},
            w.etag(f"/api/v1/staff/{w.staff.id}"),
        ),
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/staff/{staff_id}/unit-history",
        Role.inspector,
        lambda w: (f"/api/v1/staff/{w.staff.id}/unit-history", None, {}),
    ),
    Case(
        "GET",
        "/api/v1/users",
        Role.inspector,
        lambda w: ("/api/v1/users", None, {}),
        sees_target=lambda w, b: w.user.id in ids_in(b),
    ),
    Case(
        "POST",
        "/api/v1/users",
        Role.department_officer,
        lambda w: (
            "/api/v1/users",
            {
                "username": "gv.moi",
                "password": "mat-khau-rat-dai",
                "full_name": "Giáo viên mới",
                "roles": [{"role": "staff", "unit_id": u(w)}],
            },
            {},
        ),
        expect=201,
        wrong=Role.unit_head,
    ),
    Case(
        "GET",
        "/api/v1/users/{user_id}",
        Role.inspector,
        lambda w: (f"/api/v1/users/{w.user.id}", None, {}),
    ),
    Case(
        "PATCH",
        "/api/v1/users/{user_id}",
        Role.department_officer,
        lambda w: (
            f"/api/v1/users/{w.user.id}",
            {"is_active": False},
            w.etag(f"/api/v1/users/{w.user.id}"),
        ),
        wrong=Role.unit_head,
    ),
    Case(
        "GET",
        "/api/v1/users/{user_id}/roles",
        Role.inspector,
        lambda w: (f"/api/v1/users/{w.user.id}/roles", None, {}),
    ),
    Case(
        "POST",
        "/api/v1/users/{user_id}/roles",
        Role.department_officer,
        lambda w: (f"/api/v1/users/{w.user.id}/roles", {"role": "inspector", "unit_id": u(w)}, {}),
        expect=201,
        wrong=Role.unit_head,
    ),
    Case(
        "DELETE",
        "/api/v1/users/{user_id}/roles/{assignment_id}",
        Role.department_officer,
        lambda w: (f"/api/v1/users/{w.user.id}/roles/{w.assignment.id}", None, {}),
        expect=204,
        wrong=Role.unit_head,
    ),
    Case(
        "GET",
        "/api/v1/api-keys",
        Role.department_officer,
        lambda w: ("/api/v1/api-keys", None, {}),
        sees_target=lambda w, b: w.key.id in ids_in(b),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        "/api/v1/api-keys",
        Role.department_officer,
        lambda w: (
            "/api/v1/api-keys",
            {"name": "SMAS", "role": "integration", "unit_id": u(w)},
            {},
        ),
        expect=201,
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/api-keys/{key_id}",
        Role.department_officer,
        lambda w: (f"/api/v1/api-keys/{w.key.id}", None, {}),
        wrong=Role.inspector,
    ),
    Case(
        "POST",
        "/api/v1/api-keys/{key_id}/revoke",
        Role.department_officer,
        lambda w: (f"/api/v1/api-keys/{w.key.id}/revoke", None, {}),
        wrong=Role.inspector,
    ),
    Case(
        "GET",
        "/api/v1/audit-log",
        Role.inspector,
        lambda w: ("/api/v1/audit-log", None, {}),
        sees_target=lambda w, b: any(e["target_id"] == u(w) for e in b["items"]),
        wrong=Role.department_officer,
    ),
]
CASE_IDS = [f"{c.method} {c.path}" for c in CASES]


def test_every_route_is_in_the_matrix() -> None:
    routes = {(m, r.path) for r in api_routes(create_app().routes) for m in r.methods}
    covered = {(c.method, c.path) for c in CASES} | PUBLIC
    assert routes - covered == set(), "add these routes to CASES"
    assert covered - routes == set(), "CASES names routes that do not exist"


def _depends_on_actor(route: APIRoute) -> bool:
    stack = [route.dependant]
    while stack:
        dep = stack.pop()
        if dep.call is get_actor:
            return True
        stack.extend(dep.dependencies)
    return False


def test_deny_by_default_every_route_is_authenticated_or_listed_public() -> None:
    routes = list(api_routes(create_app().routes))
    assert len(routes) > 20
    for route in routes:
        for method in route.methods:
            if (method, route.path) not in PUBLIC:
                assert _depends_on_actor(route), f"{method} {route.path} has no authentication"


def _send(client: TestClient, case: Case, req: Request) -> Any:
    url, body, headers = req
    return client.request(case.method, url, json=body, headers=headers)


@pytest.fixture
def world(session: Session, client: TestClient) -> World:
    return build_world(session, client)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_right_role_in_scope_succeeds(case: Case, world: World, client_for: Any) -> None:
    caller = client_for(case.allowed, world.units["d1"])
    r = _send(caller, case, case.call(world))
    assert r.status_code == case.expect, r.text
    if case.sees_target:
        assert case.sees_target(world, r.json())


@pytest.mark.parametrize("case", [c for c in CASES if c.siblings], ids=lambda c: c.path)
def test_same_role_in_sibling_unit_gets_404(case: Case, world: World, client_for: Any) -> None:
    caller = client_for(case.allowed, world.units["d2"])
    r = _send(caller, case, case.call(world))
    if case.sees_target:
        assert r.status_code == 200, r.text
        assert not case.sees_target(world, r.json())
    else:
        assert r.status_code == 404, r.text
        assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("case", [c for c in CASES if c.wrong], ids=lambda c: c.path)
def test_wrong_role_in_scope_gets_403(case: Case, world: World, client_for: Any) -> None:
    assert case.wrong is not None
    caller = client_for(case.wrong, world.units["d1"])
    r = _send(caller, case, case.call(world))
    assert r.status_code == 403, r.text
    assert r.json()["code"] in {"forbidden", "role_too_wide"}


@pytest.mark.parametrize("credential", ["none", "garbage", "expired", "revoked-key"])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_missing_bad_or_expired_credentials_get_401(
    case: Case, credential: str, world: World, anon: TestClient, session: Session
) -> None:
    headers: dict[str, str] = {}
    if credential == "garbage":
        headers = {"Authorization": "Bearer not.a.token"}
    elif credential == "expired":
        user = make_user(session, [(Role.admin, None)])
        headers = auth_headers(user, minutes=-1)
    elif credential == "revoked-key":
        key, prefix, key_hash = new_api_key()
        session.add(
            ApiKey(
                name="cũ",
                prefix=prefix,
                key_hash=key_hash,
                role=Role.admin,
                unit_id=world.units["so"].id or 0,
                revoked_at=SYSTEM_NOW(),
            )
        )
        session.flush()
        headers = {"X-API-Key": key}
    url, body, extra = case.call(world)
    r = anon.request(case.method, url, json=body, headers={**extra, **headers})
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"


def SYSTEM_NOW() -> Any:  # noqa: N802 - reads as a constant at the call site
    from app.core.model_base import utcnow

    return utcnow()


assert SYSTEM  # the factories' system actor is what built the world
