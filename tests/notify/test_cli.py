from pathlib import Path

import pytest

from app.cli import main
from app.core import config, db


def test_bdtx_worker_once_migrates_and_exits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command exists and runs a round on a fresh SQLite database (then stops)."""
    monkeypatch.setenv("BDTX_DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        assert main(["worker", "--once"]) == 0
    finally:
        db.get_engine().dispose()
        config.get_settings.cache_clear()
        db.get_engine.cache_clear()
