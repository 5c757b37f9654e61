from collections.abc import Iterator

import pytest
from sqlalchemy import Connection
from sqlmodel import Session

from app.core.config import Settings, get_settings
from app.notify.worker import Worker
from tests.webhooks.receiver import Receiver, serve


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from serve()


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API accepts the local receiver's URL (loopback, plain http)."""
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)


@pytest.fixture
def hook_settings() -> Settings:
    # retries at once (no backoff wait) so a test runs the three attempts in three rounds
    return get_settings().model_copy(
        update={"webhook_allow_private": True, "webhook_backoff_seconds": 0.0, "smtp_host": None}
    )


def make_worker(connection: Connection, settings: Settings, name: str) -> Worker:
    """A worker on the test's connection: it sees the test's data, the test rolls it back."""
    return Worker(
        connection.engine,
        settings,
        name=name,
        sessions=lambda: Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
    )


@pytest.fixture
def worker(connection: Connection, hook_settings: Settings) -> Worker:
    return make_worker(connection, hook_settings, "worker-a")
