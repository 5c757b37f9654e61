"""Every route × every kind of caller (OWASP API1: broken object-level authorization).

Every route is authenticated or listed public, and no token, a bad token, an expired token
and a revoked key get 401. What each role gets at each grant level is the generated matrix's
(``test_reach_matrix.py``, from ``tests/matrix/reach.py``). A route missing from CASES fails.
"""

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.actor import get_actor
from app.auth.models import ApiKey, Role
from app.core.model_base import utcnow
from app.core.routing import api_routes
from app.core.security import new_api_key
from app.main import create_app
from tests.factories import auth_headers, make_user
from tests.matrix import (
    bdtx,
    bulk,
    changes,
    core,
    events,
    external,
    notify,
    violations,
    webhooks,
)
from tests.matrix.base import PUBLIC, Case, Request, World, build_world

CASES: list[Case] = [
    *core.CASES,
    *external.CASES,
    *events.CASES,
    *events.CHECK_IN_CASES,
    *violations.CASES,
    *bdtx.CASES,
    *changes.CASES,
    *bulk.CASES,
    *notify.CASES,
    *webhooks.CASES,
]
CASE_IDS = [f"{c.method} {c.path}" for c in CASES]


def test_every_route_is_in_the_matrix() -> None:
    routes = {(m, r.path_format) for r in api_routes(create_app().routes) for m in r.methods}
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
            if (method, route.path_format) not in PUBLIC:
                assert _depends_on_actor(route), f"{method} {route.path_format} has no auth"


def send(client: TestClient, case: Case, req: Request) -> Any:
    url, body, headers = req
    if isinstance(body, bytes):  # a file upload sent as it is (CSV)
        return client.request(case.method, url, content=body, headers=headers)
    return client.request(case.method, url, json=body, headers=headers)


@pytest.fixture
def world(session: Session, client: TestClient) -> World:
    return build_world(session, client)


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
                revoked_at=utcnow(),
            )
        )
        session.flush()
        headers = {"X-API-Key": key}
    url, body, extra = case.call(world)
    r = send(anon, case, (url, body, {**extra, **headers}))
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"
