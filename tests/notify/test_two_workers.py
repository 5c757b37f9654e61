"""Two workers on PostgreSQL deliver 5,000 e-mails with no duplicate and no loss (issue 20)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import SQLModel

from bench.notify import deliver_all, seed
from tests.conftest import PG_URL
from tests.notify.smtp import Inbox


@pytest.fixture
def committed(engine: Engine) -> Iterator[Engine]:
    yield engine
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name == "unit":
                conn.execute(table.update().values(head_staff_id=None, parent_id=None))
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name != "audit_log":
                conn.execute(table.delete())


@pytest.mark.skipif(not PG_URL, reason="SKIP LOCKED sharing is PostgreSQL's")
def test_two_workers_deliver_5000_without_duplicate_or_loss(
    committed: Engine, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    assert seed(committed, 5000) == 5000
    result = deliver_all(committed, port, inbox, workers=2, timeout=280)
    assert result.notifications == 5000
    assert result.received == 5000
    assert result.duplicates == 0
    assert result.missing == 0
    assert all(result.per_worker.get(w, 0) > 0 for w in ("w0", "w1"))  # both shared the work
    print(f"\n{result.per_second:.0f} deliveries/s with 2 workers ({result.seconds:.1f} s)")
