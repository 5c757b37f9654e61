"""`bdtx backup` / `bdtx restore`: a running service's data comes back whole, on both databases."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from app.auth.models import Role
from app.cli import main
from app.core import config, db
from app.main import create_app
from app.synthetic.generate import generate
from tests.factories import auth_headers, make_user


@contextmanager
def serving(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The service on ``url``, as a global admin."""
    monkeypatch.setenv("BDTX_DATABASE_URL", url)
    for cached in (config.get_settings, db.get_engine, db.get_write_engine):
        cached.cache_clear()
    try:
        with Session(db.get_engine()) as s:
            admin = make_user(s, [(Role.admin, None)])
            s.commit()
            headers = auth_headers(admin)
        with TestClient(create_app(), headers=headers, raise_server_exceptions=False) as c:
            yield c
    finally:
        db.get_engine().dispose()
        for cached in (config.get_settings, db.get_engine, db.get_write_engine):
            cached.cache_clear()


@pytest.fixture
def own_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings this test may point elsewhere; the suite's come back after it."""
    yield monkeypatch
    monkeypatch.undo()
    for cached in (config.get_settings, db.get_engine, db.get_write_engine):
        cached.cache_clear()


def _counts(url: str) -> dict[str, int]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: conn.scalar(select(func.count()).select_from(t)) or 0
                for t in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_backup_of_a_running_service_restores_whole(
    fresh_database_url: Callable[[], str],
    tmp_path: Path,
    own_settings: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch = own_settings
    source, target = fresh_database_url(), fresh_database_url()
    generate(source, "tiny", progress=False)
    with serving(source, monkeypatch) as live:
        created = live.post(
            "/api/v1/units",
            json={"name": "Trường THCS Sao Lưu", "kind": "school", "external_code": "SAOLUU-01"},
        )
        assert created.status_code == 201, created.text
        report = live.get("/api/v1/reports/emulation").json()
        # backed up while the service is up (its pool holds connections)
        assert main(["backup", str(tmp_path / "bdtx.backup")]) == 0
        before = _counts(source)
    monkeypatch.setenv("BDTX_DATABASE_URL", target)
    config.get_settings.cache_clear()
    assert main(["restore", str(tmp_path / "bdtx.backup")]) == 0
    after = _counts(target)
    assert before == after
    assert after["staff"] > 0
    assert after["violation"] > 0
    with serving(target, monkeypatch) as restored:
        assert restored.get("/api/v1/reports/emulation").json() == report
        assert restored.get(f"/api/v1/units/{created.json()['id']}").status_code == 200
    # a second restore over the data now there is refused, one line, no traceback
    monkeypatch.setenv("BDTX_DATABASE_URL", target)
    config.get_settings.cache_clear()
    capsys.readouterr()
    assert main(["restore", str(tmp_path / "bdtx.backup")]) == 1
    err = capsys.readouterr().err
    assert "--force" in err
    assert "Traceback" not in err


def test_restore_of_a_missing_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["restore", str(tmp_path / "none.backup")]) == 1
    assert "Không có tệp sao lưu" in capsys.readouterr().err
