"""`bdtx seed-demo`: a usable province on a fresh database, and a second run changes nothing."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.auth.models import User
from app.core import config, db
from app.events.models import Event, Nomination


def test_seed_demo_is_usable_and_idempotent(
    monkeypatch: pytest.MonkeyPatch, fresh_database_url: Callable[[], str]
) -> None:
    from app.cli import main
    from app.demo import DEMO_PASSWORD
    from app.main import create_app

    monkeypatch.setenv("BDTX_DATABASE_URL", fresh_database_url())
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.get_write_engine.cache_clear()
    try:
        assert main(["seed-demo"]) == 0
        assert main(["seed-demo"]) == 0
        with Session(db.get_engine()) as s:
            assert s.scalar(select(func.count()).select_from(User)) == 8
            assert s.scalar(select(Event.status)) == "summoned"
            assert s.scalar(select(func.count()).select_from(Nomination)) == 2
        with TestClient(create_app()) as c:
            token = c.post(
                "/api/v1/auth/token",
                data={"username": "hieutruong.thcstp", "password": DEMO_PASSWORD},
            )
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            events = c.get("/api/v1/events", headers=headers).json()["items"]
            assert events[0]["title"].startswith("Tập huấn")
            to_fill = c.get(f"/api/v1/events/{events[0]['id']}/to-fill", headers=headers).json()[
                "items"
            ]
            assert to_fill[0]["remaining"] == 0
    finally:
        db.get_engine().dispose()
        monkeypatch.undo()
        config.get_settings.cache_clear()
        db.get_engine.cache_clear()
        db.get_write_engine.cache_clear()
