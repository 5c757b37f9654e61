"""Settings read from the environment (prefix ``BDTX_``)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
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
    page_max: int = Field(default=500, ge=1, le=500)  # the contract's `limit` maximum
    # How long a stored Idempotency-Key answer is replayed (hours).
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    # Language of problem details when the client sends no Accept-Language.
    default_language: Literal["vi", "en"] = "vi"
    sql_echo: bool = False
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # First admin, created at start-up when no admin exists yet.
    admin_username: str | None = None
    admin_password: SecretStr | None = None
    # Login throttling: this many failures for a username within the window locks it.
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    login_lockout_seconds: int = Field(default=300, ge=1)

    # Browsers of these origins may call the API (frontends on other hosts); empty: none.
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Bulk imports (app.bulk): whole spreadsheets, so a larger body limit, and a row limit.
    import_max_bytes: int = Field(default=32 * 1024 * 1024, ge=1024)
    import_max_rows: int = Field(default=50000, ge=1)  # a province is ~25,000 staff
    # Where citizens reach this service: printed in the QR code of every certificate, so a
    # phone scanning it opens the public check (GET /api/v1/public/certificates/{code}).
    public_base_url: str = "http://127.0.0.1:8000"
    # Key (any string; 32+ random characters) that encrypts the units' signing credentials
    # at rest. Unset: derived from BDTX_SECRET_KEY.
    credential_key: SecretStr | None = None
    # PKCS#11 libraries (USB tokens, HSMs) a unit's admin may name: the server loads the
    # library, so only those the operator installed and listed here. Empty: tokens off.
    pkcs11_modules: list[str] = Field(default_factory=list)

    # Operations (app.ops): Prometheus metrics at /metrics, off unless enabled and then only
    # for these networks; request logs as one JSON line each, or uvicorn's plain lines.
    # A PostgreSQL streaming replica for reports and exports (app.core.replica); when it lags
    # more than this many seconds, or does not answer, they read the primary.
    replica_database_url: str | None = None
    replica_max_lag_seconds: float = Field(default=30.0, ge=0)
    # Change-feed months kept on PostgreSQL (app.ops.partitions); 0 keeps every month.
    change_retention_months: int = Field(default=0, ge=0)
    metrics_enabled: bool = False
    metrics_allow: list[str] = Field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # FastAPI's own OpenTelemetry (spans, metrics, logs to the globally configured
    # providers): off unless asked, as checking for those providers on every request costs
    # a fortieth of a read by id (issue 21)
    otel_enabled: bool = False

    # E-mail over SMTP (app.notify.mailer); no host: notifications stay in the app only.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    # starttls: upgrade a plain connection (port 587); ssl: TLS from the start (465); none: a
    # relay on a trusted network, or tests
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_sender: str = "bdtx@localhost"
    smtp_timeout_seconds: float = Field(default=20.0, gt=0)
    # The worker (``bdtx worker``): how often it looks for work, how long a claimed e-mail is
    # its own before another worker may take it over, how often a failing e-mail is retried.
    worker_poll_seconds: float = Field(default=2.0, gt=0)
    worker_lease_seconds: int = Field(default=120, ge=5)
    worker_max_attempts: int = Field(default=8, ge=1)
    worker_batch: int = Field(default=200, ge=1, le=5000)
    # Webhooks (app.webhooks): attempts before a delivery is dead, the first retry's delay
    # (doubled each time, capped at 6 h), the receiver's time to answer, and whether URLs may
    # point at loopback, private or link-local addresses (and use plain http): off in
    # production (SSRF), on for a receiver on the same host or network and in tests.
    webhook_max_attempts: int = Field(default=10, ge=1)
    webhook_backoff_seconds: float = Field(default=30.0, ge=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_allow_private: bool = False
    # ``bdtx serve`` on SQLite runs the worker inside the service (one command); set false
    # to run ``bdtx worker`` separately. PostgreSQL deployments run ``bdtx worker`` alone.
    embedded_worker: bool = True
    # Reminders (app.notify.reminders): days before a deadline (each sent once), and how long
    # a decision may wait before its decider, then the unit above, is reminded.
    reminder_nomination_days: list[int] = Field(default_factory=lambda: [3, 1])
    reminder_plan_days: list[int] = Field(default_factory=lambda: [14, 3])
    reminder_decision_days: int = Field(default=5, ge=1)
    # Session check-in: attempts per user within the window, then 429 with Retry-After.
    check_in_max_attempts: int = Field(default=10, ge=1)
    check_in_window_seconds: int = Field(default=60, ge=1)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.env != "development" and self.secret_key.get_secret_value() == DEFAULT_SECRET:
            raise ValueError(
                f"BDTX_SECRET_KEY must be set when BDTX_ENV={self.env}: "
                "the default key is public and only for development"
            )
        if len(self.secret_key.get_secret_value()) < 32 and self.env == "production":
            raise ValueError("BDTX_SECRET_KEY must be at least 32 characters in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
