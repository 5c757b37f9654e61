"""Settings read from the environment (prefix ``BDTX_``)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BDTX_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./bdtx.db"
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1)
    page_max: int = Field(default=500, ge=1)
    # How long a stored Idempotency-Key answer is replayed (hours).
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    # Language of problem details when the client sends no Accept-Language.
    default_language: Literal["vi", "en"] = "vi"
    sql_echo: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
