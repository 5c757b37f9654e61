"""The generated route matrix (R-GOV-2): every route × every role × every grant level.

What each caller should get comes from the reach table (``tests/matrix/reach.py``); how to
call each route on its target comes from the route's case (``tests/matrix/<domain>.py``).
Every route is sent by each of the seven roles holding its grant at each level of the world
(a system-wide admin, the Sở, the target's office and school, the sibling office), by an
organiser bound to an event, by the person themself, and by API keys with each role at the
office and its sibling. Each call runs in a savepoint rolled back after it, so one world
serves them all and every call sees it unchanged.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Connection
from sqlmodel import Session

from app.auth.models import ApiKey, Role, RoleAssignment
from app.core.security import new_api_key
from app.events.models import Event
from app.main import create_app
from tests.auth.test_route_matrix import CASE_IDS, CASES, send
from tests.events.builders import build_event
from tests.factories import auth_headers, make_user
from tests.matrix.base import Case, World, build_world
from tests.matrix.reach import GONE, KEY_LEVELS, LEVELS, OK, REACH, expected, key_expected

Caller = tuple[str, dict[str, str], int]  # who, their credentials, what the table says
CONTRACT = create_app().openapi()
# headers a client reads: every 2xx that sends one must declare it (api.md, generated clients)
READ_HEADERS = ("etag", "location", "idempotent-replayed", "content-disposition")


def test_every_route_has_a_reach() -> None:
    routes = {(c.method, c.path) for c in CASES}
    assert routes - REACH.keys() == set(), "add these routes to tests/matrix/reach.py"
    assert REACH.keys() - routes == set(), "the reach table names routes without a case"


def _event_of(world: World) -> Event:
    """The case's own event, or one the office organises for the event-bound organiser."""
    built = world.__dict__.get("built")
    if built is not None:
        return built[0].event
    units = world.units
    return build_event(world.session, units["d1"], [units["s1"]], summon=True).event


def _key(session: Session, world: World, role: Role, level: str) -> dict[str, str]:
    key, prefix, key_hash = new_api_key()
    unit_id = world.units[level].id or 0
    session.add(
        ApiKey(name="Khoá thử", prefix=prefix, key_hash=key_hash, role=role, unit_id=unit_id)
    )
    return {"X-API-Key": key}


def _callers(session: Session, world: World, case: Case) -> list[Caller]:
    reach = REACH[(case.method, case.path)]
    callers: list[Caller] = []
    for role in Role:
        for level in LEVELS:
            if level == "global" and role != Role.admin:
                continue  # only an admin may hold a grant without a unit
            unit = None if level == "global" else world.units[level]
            user = make_user(session, [(role, unit)])
            callers.append((f"{role}@{level}", auth_headers(user), expected(reach, role, level)))
        for level in KEY_LEVELS:
            headers = _key(session, world, role, level)
            callers.append((f"key {role}@{level}", headers, key_expected(reach, role, level)))
    event = _event_of(world)
    bound = make_user(session, [])
    session.add(
        RoleAssignment(
            user_id=bound.id or 0,
            role=Role.organizer,
            unit_id=event.organizer_unit_id,
            event_id=event.id,
        )
    )
    callers.append(
        ("organizer@event", auth_headers(bound), expected(reach, Role.organizer, "event"))
    )
    callers.append(("staff@self", auth_headers(world.user), expected(reach, Role.staff, "self")))
    session.flush()
    return callers


def _undeclared(case: Case, r: Response) -> list[str]:
    """Headers of a 2xx answer that the contract does not declare for it."""
    if not 200 <= r.status_code < 300:
        return []
    operation = CONTRACT["paths"][case.path][case.method.lower()]
    declared = operation["responses"].get(str(r.status_code), {}).get("headers", {})
    names = {n.lower() for n in declared}
    return [
        f"{h} undeclared on {r.status_code}"
        for h in READ_HEADERS
        if h in r.headers and h not in names
    ]


def _answer(case: Case, world: World, r: Response) -> int:
    """OK, or on a list GONE when the page leaves the target out; else the status."""
    if r.status_code >= 300:
        assert r.headers["content-type"] == "application/problem+json", r.text
        return r.status_code
    if r.status_code != case.expect:
        return r.status_code
    if case.sees_target is not None and not case.sees_target(world, r.json()):
        return GONE
    return OK


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_every_role_at_every_grant_level_gets_what_the_reach_table_says(
    case: Case, session: Session, client: TestClient, app: Any, connection: Connection
) -> None:
    world = build_world(session, client)
    request = case.call(world)  # before the savepoints: what it builds must outlive them
    wrong = []
    for who, headers, want in _callers(session, world, case):
        caller = TestClient(app, raise_server_exceptions=False, headers=headers)  # type: ignore[arg-type]
        savepoint = connection.begin_nested()
        try:
            r = send(caller, case, request)
            wrong += _undeclared(case, r)
            got = _answer(case, world, r)
        finally:
            savepoint.rollback()
            session.expire_all()
        if got != want:
            wrong.append(f"{who}: {got}, the table says {want}")
    assert wrong == []
