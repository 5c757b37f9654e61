from collections.abc import Iterator

import pytest
from sqlalchemy import Connection
from sqlmodel import Session

from app.core.config import Settings, get_settings
from app.notify.mailer import Mailer
from app.notify.worker import Worker
from tests.notify.smtp import Inbox, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    yield from smtp_server()


@pytest.fixture
def mail_settings(smtp: tuple[Inbox, int]) -> Settings:
    return get_settings().model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[1],
            "smtp_tls": "none",
            "smtp_sender": "thongbao@sgddt.test",
        }
    )


@pytest.fixture
def worker(connection: Connection, mail_settings: Settings) -> Worker:
    """A worker on the test's connection: it sees the test's data, the test rolls it back."""
    return Worker(
        connection.engine,
        mail_settings,
        name="test-worker",
        mailer=Mailer(mail_settings),
        sessions=lambda: Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
    )
