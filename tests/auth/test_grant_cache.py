"""The callers' grants cached per worker (issue 21, ``app.auth.grant_cache``): a cached read
sends no authentication statement, and every change to who may do what takes effect on the
next request: made through the API, in another worker, or by hand in the database.
R-GOV-2 (grants reach a unit's subtree) holds with the cache as without it."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from app.auth.grant_cache import CACHE, GrantCache
from app.auth.models import Role, RoleAssignment
from tests.factories import auth_headers, issue_api_key, make_staff, make_unit, make_user

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _officer_and_person(engine: Engine) -> tuple[int, int, int, dict[str, str]]:
    """An officer over a unit with one person in it: (user id, assignment id, person id,
    the officer's headers), committed."""
    with Session(engine, expire_on_commit=False) as s:
        unit = make_unit(s)
        person = make_staff(s, unit)
        officer = make_user(s, [(Role.department_officer, unit)])
        s.commit()
        assignment = s.exec(select(RoleAssignment).where(RoleAssignment.user_id == officer.id))
        return officer.id or 0, assignment.one().id or 0, person.id or 0, auth_headers(officer)


def _cached_reader(client: TestClient, engine: Engine) -> tuple[int, int, str, dict[str, str]]:
    """``_officer_and_person``, then the officer reads the person twice (the second time
    with their grants from the cache): (user id, assignment id, the person's URL, headers)."""
    officer_id, assignment_id, person_id, headers = _officer_and_person(engine)
    url = f"/api/v1/staff/{person_id}"
    for _ in range(2):
        assert client.get(url, headers=headers).status_code == 200
    return officer_id, assignment_id, url, headers


def _wait_for_invalidation(generation: int) -> None:
    """PostgreSQL delivers the notification to the worker's listener asynchronously."""
    deadline = time.monotonic() + 5
    while CACHE.generation == generation and time.monotonic() < deadline:
        time.sleep(0.01)


def test_r_gov_2_a_revoked_grant_is_refused_on_the_next_request(
    committed_client: TestClient, engine: Engine
) -> None:
    officer_id, assignment_id, url, headers = _cached_reader(committed_client, engine)
    revoked = committed_client.delete(f"/api/v1/users/{officer_id}/roles/{assignment_id}")
    assert revoked.status_code == 204, revoked.text
    assert committed_client.get(url, headers=headers).status_code == 404


def test_a_deactivated_user_is_refused_on_the_next_request(
    committed_client: TestClient, engine: Engine
) -> None:
    officer_id, _, url, headers = _cached_reader(committed_client, engine)
    user_url = f"/api/v1/users/{officer_id}"
    etag = committed_client.get(user_url).headers["ETag"]
    off = committed_client.patch(user_url, json={"is_active": False}, headers={"If-Match": etag})
    assert off.status_code == 200, off.text
    assert committed_client.get(url, headers=headers).status_code == 401


def test_r_gov_2_a_grant_changed_in_the_database_reaches_the_cache(
    committed_client: TestClient, engine: Engine
) -> None:
    """Not through the API: the triggers (migration 0017) see every writer."""
    officer_id, _, url, headers = _cached_reader(committed_client, engine)
    generation = CACHE.generation
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM role_assignment WHERE user_id = :u"), {"u": officer_id})
    if engine.dialect.name == "postgresql":
        _wait_for_invalidation(generation)
    assert committed_client.get(url, headers=headers).status_code == 404


def test_an_api_key_last_use_stamp_leaves_the_cache_alone(
    committed_client: TestClient, engine: Engine
) -> None:
    """Writing a key's ``last_used_at`` (once a minute) is not a change of grants."""
    key, _ = issue_api_key(committed_client, engine)
    assert committed_client.get("/api/v1/me", headers={"X-API-Key": key}).status_code == 200
    generation = CACHE.generation
    for _ in range(3):
        assert committed_client.get("/api/v1/me", headers={"X-API-Key": key}).status_code == 200
    if engine.dialect.name == "sqlite":  # PostgreSQL: nothing to wait for, nothing notified
        assert CACHE.generation == generation


def test_a_load_overtaken_by_a_change_is_not_kept() -> None:
    cache = GrantCache()
    cache.watch = _AlwaysFresh()
    generation = cache.begin()
    cache.invalidate()  # grants changed while the caller was being read
    cache.put("caller", generation, "stale grants")
    assert cache.get("caller", cache.begin()) is None
    cache.put("caller", cache.begin(), "grants")
    assert cache.get("caller", cache.begin()) == "grants"


def test_nothing_is_cached_without_a_watch() -> None:
    """A command or a test without the app's lifespan: nobody would hear of a change."""
    cache = GrantCache()
    generation = cache.begin()
    assert generation is None
    cache.put("caller", generation, "grants")
    assert cache.get("caller", generation) is None


class _AlwaysFresh:
    def fresh(self, _cache: GrantCache) -> bool:
        return True


# --- two workers (PostgreSQL): the revoking request reaches one, the next the other ------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def two_workers(committed_client: TestClient, database_url: str) -> Iterator[str]:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers share one database on PostgreSQL")
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)]
    cmd += ["--workers", "2", "--log-level", "warning", "--no-access-log"]
    # as a service runs: reads on the pooled async driver (app.core.db.make_loop_engine)
    env = {**os.environ, "BDTX_ENV": "development"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(20)


def test_r_gov_2_revocation_reaches_every_worker_on_the_next_request(
    two_workers: str, engine: Engine
) -> None:
    officer_id, assignment_id, person_id, headers = _officer_and_person(engine)
    with Session(engine) as s:
        admin = make_user(s, [(Role.admin, None)])
        s.commit()
        admin_headers = auth_headers(admin)
    url = f"{two_workers}/api/v1/staff/{person_id}"
    # a new connection per request: the kernel hands them to either worker, so both cache
    before = [httpx.get(url, headers=headers).status_code for _ in range(30)]
    assert set(before) == {200}
    revoke = f"{two_workers}/api/v1/users/{officer_id}/roles/{assignment_id}"
    assert httpx.delete(revoke, headers=admin_headers).status_code == 204
    after = [httpx.get(url, headers=headers).status_code for _ in range(30)]
    assert set(after) == {404}
