"""One suite for both databases.

SQLite (default): a fresh file per run. PostgreSQL: set ``BDTX_TEST_DATABASE_URL`` to any
database on the server (e.g. ``postgresql+psycopg://postgres@127.0.0.1/postgres``); the run
creates its own database next to it and drops it at the end, so runs never collide.
The schema always comes from ``alembic upgrade head``; each test runs inside a transaction
that is rolled back.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

# Before any app import: tests run as "test", which refuses the public development key.
os.environ["BDTX_ENV"] = "test"
os.environ.setdefault("BDTX_SECRET_KEY", "test-" + uuid.uuid4().hex + uuid.uuid4().hex)

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlmodel import Session, SQLModel

from app.auth.models import Role
from app.core import config, db
from app.core.db import make_engine
from app.core.migrate import alembic_config
from app.main import create_app
from app.units.models import Unit
from tests.factories import auth_headers, make_user

PG_URL = os.environ.get("BDTX_TEST_DATABASE_URL")


def _create_pg_database(base_url: str) -> tuple[str, str]:
    url = make_url(base_url)
    name = f"bdtx_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def _drop_pg_database(base_url: str, name: str) -> None:
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A factory of empty databases on the backend under test, dropped at the end."""
    created: list[str] = []

    def make() -> str:
        if PG_URL:
            url, name = _create_pg_database(PG_URL)
            created.append(name)
            return url
        path = tmp_path_factory.mktemp("db") / f"{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}"

    yield make
    for name in created:
        assert PG_URL
        _drop_pg_database(PG_URL, name)


@pytest.fixture(scope="session")
def database_url(fresh_database_url: object) -> Iterator[str]:
    url = fresh_database_url()  # type: ignore[operator]
    os.environ["BDTX_DATABASE_URL"] = url
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.get_write_engine.cache_clear()
    yield url
    db.get_engine().dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    from alembic import command

    eng = make_engine(database_url)
    with eng.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "head")
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as s:
        yield s


@pytest.fixture
def app(connection: Connection) -> object:
    application = create_app()

    def bound_session(request: Request) -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    application.state.session_factory = bound_session  # app.core.db.open_session
    return application


@pytest.fixture
def anon(app: object) -> Iterator[TestClient]:
    """No credentials."""
    with TestClient(app, raise_server_exceptions=False) as c:  # type: ignore[arg-type]
        yield c


ClientFor = Callable[..., TestClient]


@pytest.fixture
def client_for(app: object, session: Session) -> ClientFor:
    """``client_for(Role.unit_head, unit)``: a client acting as a new user with that role."""

    def make(role: Role, unit: Unit | None = None, **kw: object) -> TestClient:
        user = make_user(session, [(role, unit)], **kw)
        return TestClient(
            app,  # type: ignore[arg-type]
            raise_server_exceptions=False,
            headers=auth_headers(user),
        )

    return make


@pytest.fixture
def client(anon: TestClient, client_for: ClientFor) -> TestClient:
    """A system-wide admin: for tests about behaviour rather than permissions."""
    return client_for(Role.admin, None)


@pytest.fixture
def committed_client(engine: Engine) -> Iterator[TestClient]:
    """A client on the real engine: commits are real (for concurrency tests); cleaned after."""
    with Session(engine) as s:
        admin = make_user(s, [(Role.admin, None)])
        s.commit()
        headers = auth_headers(admin)
    with TestClient(create_app(), raise_server_exceptions=False, headers=headers) as c:
        yield c
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name == "unit":  # self and circular references, checked row by row
                conn.execute(table.update().values(head_staff_id=None, parent_id=None))
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name != "audit_log":  # append-only, even for tests
                conn.execute(table.delete())


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
