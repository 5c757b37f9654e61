"""Apply Alembic migrations from code (``bdtx migrate``, ``bdtx serve``, the tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    ini = ROOT / "alembic.ini"
    if not ini.exists():  # installed elsewhere (container): look in the working directory
        ini = Path.cwd() / "alembic.ini"
    cfg = Config(str(ini))
    cfg.attributes["configure_logging"] = False
    if connection is not None:
        cfg.attributes["connection"] = connection
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None) -> None:
    command.upgrade(alembic_config(url=url), "head")
