"""Commit order under concurrent writers, on whichever database the suite runs.

Each writing transaction sleeps a random moment between inserting its feed rows and
committing, which is exactly when a plain autoincrement id would let a later id commit
first. Pollers running meanwhile (two that keep up, one that lags behind in small pages)
must each see every change once, in increasing order.
"""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session

from app.changes import service as feed
from app.changes.models import Change
from tests.factories import make_tree

WRITERS, WRITES_EACH = 6, 10
POLLER_LIMITS = (500, 500, 3)


@pytest.fixture
def slow_commits(monkeypatch: pytest.MonkeyPatch) -> None:
    record = feed.record

    def record_then_dawdle(session: Session, changes: Any) -> None:
        record(session, changes)
        time.sleep(random.uniform(0, 0.05))  # the commit follows right after this

    monkeypatch.setattr(feed, "record", record_then_dawdle)


def test_concurrent_writers_and_a_poller_see_every_change_once_in_order(
    committed_client: TestClient, engine: Engine, slow_commits: None
) -> None:
    with Session(engine, expire_on_commit=False) as s:
        parent = make_tree(s)["s1"]
        s.commit()
    done = threading.Event()

    def write(writer: int) -> list[int]:
        made = []
        for n in range(WRITES_EACH):
            body = {
                "external_code": f"C-{writer}-{n}",
                "name": f"Điểm trường {writer}-{n}",
                "kind": "school",
                "parent_id": parent.id,
            }
            r = committed_client.post("/api/v1/units", json=body)
            assert r.status_code == 201, r.text
            made.append(r.json()["id"])
        return made

    def poll(limit: int) -> list[list[dict[str, Any]]]:
        pages, after = [], None
        while True:
            finished = done.is_set()  # read before the poll: one more full pass after it
            params = {"limit": limit, **({"after": after} if after else {})}
            r = committed_client.get("/api/v1/changes", params=params)
            assert r.status_code == 200, r.text
            body = r.json()
            pages.append(body["items"])
            after = body["next_cursor"]
            if finished and not body["has_more"]:
                return pages

    with ThreadPoolExecutor(max_workers=WRITERS + len(POLLER_LIMITS)) as pool:
        pollers = [pool.submit(poll, limit) for limit in POLLER_LIMITS]
        created = [u for made in pool.map(write, range(WRITERS)) for u in made]
        done.set()
        polled = [p.result() for p in pollers]

    assert len(created) == WRITERS * WRITES_EACH
    with Session(engine) as s:
        stored = list(s.scalars(select(Change.id).order_by(Change.id)))
    for pages in polled:
        seen = [item["id"] for page in pages for item in page]
        assert len(seen) == len(set(seen)), "a change was delivered twice"
        assert seen == sorted(seen), "changes went backwards"
        assert seen == stored, "a poller missed changes"
        units = {i["resource_id"] for page in pages for i in page if i["op"] == "create"}
        assert units == set(created)
        assert sum(1 for page in pages if page) > 2, "the poller never overlapped the writers"
