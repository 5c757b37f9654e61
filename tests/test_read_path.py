"""The read path on the real engine and session (issue 9: a read costs what it returns).

A primary-key read sends one statement once the worker holds the caller's grants (two the
first time: the caller with their grants, then the row) and no commit, audit or feed work;
an API key's ``last_used_at`` is still written by a successful read, and still not by a
refused one.
"""

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, Enum, String, event, select
from sqlalchemy.util import greenlet_spawn
from sqlmodel import Session

from app.auth.actor import get_actor
from app.auth.models import ApiKey, Role
from app.core import db
from app.core.model_base import stored_columns
from app.core.offload import blocking
from app.core.pg_cursor import LazyDescriptionCursor
from app.core.routing import api_routes
from app.main import create_app
from app.staff.models import Staff
from app.web.routing import TransactionalRoute
from tests.factories import (
    auth_headers,
    issue_api_key,
    make_staff,
    make_unit,
    make_user,
    read_with_cached_grants,
)


@pytest.fixture
def statements(committed_client: TestClient) -> Iterator[list[str]]:
    """SQL the app's own engine sends (BEGIN on SQLite is ours, not a request's work)."""
    seen: list[str] = []
    # writes run on the engine, reads on its twin for the event loop (in the tests the
    # same engine, on the same pool: app.core.db.make_test_loop_engine)
    engines = {id(e.pool): e for e in (db.get_engine(), db.get_loop_engine())}.values()

    def listener(_c: object, _cur: object, statement: str, *_: object) -> None:
        if statement.strip().upper() != "BEGIN":
            seen.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", listener)
    yield seen
    for engine in engines:
        event.remove(engine, "before_cursor_execute", listener)


def _person_and_reader(engine: Engine) -> tuple[int, dict[str, str]]:
    """A person, committed, and the headers of an officer of their unit."""
    with Session(engine, expire_on_commit=False) as s:
        unit = make_unit(s)
        person = make_staff(s, unit)
        officer = make_user(s, [(Role.department_officer, unit)])
        s.commit()
        return person.id or 0, auth_headers(officer)


def test_a_primary_key_read_sends_one_statement_once_the_caller_is_known(
    committed_client: TestClient, engine: Engine, statements: list[str]
) -> None:
    person_id, headers = _person_and_reader(engine)
    statements.clear()
    url = f"/api/v1/staff/{person_id}"
    r = committed_client.get(url, headers=headers)
    assert r.status_code == 200
    assert r.json()["id"] == person_id
    # one for the caller (user, grants, own staff unit), one for the row; nothing written
    assert len(statements) == 2, statements
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)
    again = read_with_cached_grants(committed_client, url, statements, headers)
    assert again.status_code == 200
    assert again.headers["ETag"] == r.headers["ETag"]
    # the caller's grants come from the worker's cache: the row's statement, scope joined in
    assert len(statements) == 1, statements
    assert "unit_closure" in statements[0]


def test_api_key_last_use_is_written_by_successful_reads_only(
    committed_client: TestClient, engine: Engine
) -> None:
    key, key_id = issue_api_key(committed_client, engine)

    def last_used() -> object:
        with Session(engine) as s:
            return s.scalar(select(ApiKey.last_used_at).where(ApiKey.id == key_id))

    missing = committed_client.get("/api/v1/units/999999", headers={"X-API-Key": key})
    assert missing.status_code == 404
    assert last_used() is None  # a refused request changes nothing
    ok = committed_client.get("/api/v1/me", headers={"X-API-Key": key})
    assert ok.status_code == 200
    assert last_used() is not None


@pytest.fixture
def pg_engine(database_url: str) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("the idle ping guards network connections (PostgreSQL)")
    eng = db.make_engine(database_url)
    yield eng
    eng.dispose()


def _kill_pooled_backend(eng: Engine) -> None:
    """Check the pool's one connection out and back in, then end it from the server side."""
    with eng.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with db.get_engine().connect() as other:
        other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid or 0)})")


def test_an_idle_pooled_connection_is_pinged_and_replaced(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kill_pooled_backend(pg_engine)
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # every checkout counts as idle
    with pg_engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        # the ping leaves no transaction open (reads switch the connection to autocommit)
        assert raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_a_connection_in_steady_use_is_not_pinged(pg_engine: Engine) -> None:
    # the trade-off of skipping the per-checkout ping: a connection the server dropped
    # within PING_AFTER_IDLE_S of its last use fails its next statement (and is discarded)
    _kill_pooled_backend(pg_engine)
    with (
        pytest.raises(Exception, match=r"terminat|closed|connection"),
        pg_engine.connect() as conn,
    ):
        conn.exec_driver_sql("SELECT 1")
    with pg_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_reads_run_on_the_loop_writes_and_documents_in_threads() -> None:
    """Issue 21: a read's endpoint runs in a greenlet on the event loop over the async
    driver; writes, and reads that mostly render a document, keep the thread pool."""
    routes = {r.name: r for r in api_routes(create_app().routes)}
    assert routes["staff-get"].on_loop
    assert routes["staff-list"].on_loop
    assert routes["reports-emulation"].on_loop
    assert not routes["staff-create"].on_loop
    assert not routes["staff-update"].on_loop
    assert not routes["bdtx-certificates-document"].on_loop
    assert not routes["criticisms-document"].on_loop
    # a service's reads: the async drivers (nothing connects until a statement)
    for url in ("sqlite:///unused.db", "postgresql+psycopg://nobody@127.0.0.1/unused"):
        assert db.make_loop_engine(db.make_engine(url)).dialect.is_async


def test_rendering_inside_a_read_leaves_the_loop() -> None:
    """``blocking``: from the loop's greenlet the work goes to a worker thread; elsewhere it
    runs where it is called."""

    async def main() -> tuple[int, int, int]:
        here = threading.get_ident()
        inside = await greenlet_spawn(blocking, threading.get_ident)
        return here, inside, blocking(threading.get_ident)

    here, inside, plain = asyncio.run(main())
    assert inside != here
    assert plain == here


def _depends_on(dependant: Any, calls: set[Any]) -> bool:
    return dependant.call in calls or any(_depends_on(d, calls) for d in dependant.dependencies)


def test_every_route_that_may_open_the_session_closes_it() -> None:
    """``get_session`` is a plain coroutine (issue 21) and ``get_actor`` opens the request's
    session when the caller is not cached: ``TransactionalRoute`` closes it, so every route
    that may open one must be one."""
    opening = {db.get_session, get_actor}
    routes = [r for r in api_routes(create_app().routes) if _depends_on(r.dependant, opening)]
    assert len(routes) > 100
    assert [r.name for r in routes if not isinstance(r, TransactionalRoute)] == []


def test_every_request_hands_its_connection_back(
    committed_client: TestClient, engine: Engine
) -> None:
    person_id, headers = _person_and_reader(engine)
    url = f"/api/v1/staff/{person_id}"
    answers = [
        committed_client.get(url, headers=headers).status_code,  # a read
        committed_client.get(f"{url}0", headers=headers).status_code,  # a refused read
        committed_client.get(url, headers={"Authorization": "Bearer x"}).status_code,
        committed_client.patch(url, json={"position": "x"}, headers=headers).status_code,
    ]
    assert answers == [200, 404, 401, 428]
    pools = {id(e.pool): e.pool for e in (db.get_engine(), db.get_loop_engine())}.values()
    assert [p.checkedout() for p in pools] == [0] * len(pools)  # type: ignore[attr-defined]


def test_the_reads_rollback_still_ends_a_transaction_a_read_opened(pg_engine: Engine) -> None:
    """The reads' engine skips the ROLLBACKs of a connection holding no transaction (issue
    21); one that holds a transaction is still rolled back."""
    loop_engine = db.make_loop_engine(pg_engine)

    def in_transaction_then_rollback() -> tuple[Any, Any]:
        with loop_engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.cursor().execute("BEGIN")
            before = raw.driver_connection.info.transaction_status  # type: ignore[attr-defined]
            loop_engine.dialect.do_rollback(raw)
            return before, raw.driver_connection.info.transaction_status  # type: ignore[attr-defined]

    async def main() -> tuple[Any, Any]:
        try:
            return await greenlet_spawn(in_transaction_then_rollback)
        finally:
            await greenlet_spawn(loop_engine.dispose)

    before, after = asyncio.run(main())
    assert before == psycopg.pq.TransactionStatus.INTRANS
    assert after == psycopg.pq.TransactionStatus.IDLE


def test_reads_answer_enums_from_their_stored_text() -> None:
    columns = {c.name: c for c in stored_columns(Staff.__table__)}  # type: ignore[attr-defined]
    assert list(columns) == [c.name for c in Staff.__table__.c]  # type: ignore[attr-defined]
    assert isinstance(columns["category"].type, String)
    assert not isinstance(columns["category"].type, Enum)
    assert columns["full_name"] is Staff.__table__.c.full_name  # type: ignore[attr-defined]


def test_the_reads_description_is_made_when_read_and_describes_its_own_result(
    pg_engine: Engine,
) -> None:
    """The reads' cursor makes ``description``'s columns at the first look (issue 21): as
    psycopg's, of the result it described even after the cursor ran another statement, and
    ``None`` when there are no rows to describe."""
    loop_engine = db.make_loop_engine(pg_engine)

    def run() -> tuple[Any, ...]:
        with loop_engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("SELECT 1 AS one, 'x'::text AS two")
            first = cursor.description
            assert isinstance(cursor._cursor, LazyDescriptionCursor)  # type: ignore[attr-defined]
            assert first._columns is None  # nothing made yet
            cursor.execute("SELECT 1.5::numeric AS three")
            second = cursor.description
            cursor.execute("SET application_name = 'bdtx-test'")
            none = cursor.description
            via_sa = conn.execute(select(Staff.id, Staff.full_name).limit(1)).keys()
            return first, second, none, list(via_sa)

    async def main() -> tuple[Any, ...]:
        try:
            return await greenlet_spawn(run)
        finally:
            await greenlet_spawn(loop_engine.dispose)

    first, second, none, keys = asyncio.run(main())
    assert len(first) == 2
    assert [c.name for c in first] == ["one", "two"]  # made now, from its own result
    assert [(c.name, c.type_code) for c in second] == [("three", 1700)]
    assert first[1].type_code == 25
    assert first == list(first)
    assert none is None
    assert keys == ["id", "full_name"]


def test_fastapi_param_facts_are_kept_per_declaration() -> None:
    """``app.core.param_facts`` (issue 21): each helper answers as FastAPI's own, once per
    declaration."""
    from fastapi.dependencies import utils

    from app.core import param_facts

    param_facts.install()
    calls: list[Any] = []

    def helper(declared: Any, **options: Any) -> Any:
        calls.append(declared)
        return (declared, options)

    kept = param_facts._kept(helper)
    a, b = list[int], int | None
    assert kept(a) == (a, {})
    assert kept(a) == (a, {})
    assert kept(b) == (b, {})
    assert kept(a, convert_underscores=True) == (a, {"convert_underscores": True})
    assert calls == [a, b, a]
    assert utils.field_annotation_is_sequence(list[int] | None) is True
    assert utils.field_annotation_is_sequence(int | None) is False
    assert getattr(utils._get_param_aliases, "kept", False)


def test_fastapi_telemetry_is_off_unless_asked() -> None:
    from app.ops.observe import otel_config

    assert otel_config(True) is None  # FastAPI's default: on when providers are configured
    off = otel_config(False)
    assert off == {"tracing": False, "metrics": False, "logs": False}
    assert not create_app()._native_telemetry.enabled()  # type: ignore[attr-defined]
