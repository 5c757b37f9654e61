"""Logging through the standard ``logging`` module: plain text, or one JSON object a line.

``BDTX_LOG_FORMAT=json`` is for log shippers (Loki, Elasticsearch, journald): every record,
the per-request line of ``app.ops.observe`` and application events alike, becomes one JSON
object with its ``extra`` fields at the top level. Plain text stays the development default.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

# attributes every LogRecord has; whatever else a record carries came from ``extra=``
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(fmt: str, level: str = "INFO") -> None:
    """Install one handler on the root logger (idempotent: a second call replaces it)."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_bdtx", False)]:
        root.removeHandler(old)
    handler._bdtx = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    # our loggers at the chosen level; libraries (httpx, multipart, ...) only when they warn
    root.setLevel(logging.WARNING)
    logging.getLogger("bdtx").setLevel(level)
    # in text mode uvicorn's own access line already says what the request line would
    logging.getLogger("bdtx.access").disabled = fmt != "json"
    if fmt == "json":
        # uvicorn's loggers write through the root handler, as JSON too
        for name in ("uvicorn", "uvicorn.error"):
            logging.getLogger(name).handlers.clear()
            logging.getLogger(name).propagate = True
            logging.getLogger(name).setLevel(level)


def uvicorn_log_config(fmt: str) -> dict[str, Any] | None:
    """What ``uvicorn.run(log_config=...)`` gets: None keeps our handlers in JSON mode."""
    if fmt == "json":
        return None
    from uvicorn.config import LOGGING_CONFIG

    return LOGGING_CONFIG
