"""Operations: Prometheus metrics (names, labels, reach) and the JSON request log line."""

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, delete
from sqlmodel import Session, col

from app.core import config
from app.main import create_app
from app.notify.models import WorkerCursor
from app.ops.logs import JsonFormatter, configure_logging


@pytest.fixture
def metrics_on(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Metrics on, against the suite's migrated database (``engine`` points the app at it)."""
    monkeypatch.setenv("BDTX_METRICS_ENABLED", "true")
    monkeypatch.setenv("BDTX_METRICS_ALLOW", '["127.0.0.1/32"]')
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def test_metrics_are_off_by_default(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 404


def test_metrics_answer_only_allowed_networks(
    metrics_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BDTX_METRICS_ALLOW", '["10.0.0.0/8"]')
    config.get_settings.cache_clear()
    with TestClient(create_app(), client=("127.0.0.1", 5000)) as c:
        assert c.get("/metrics").status_code == 404


def test_metrics_names_and_labels(metrics_on: None) -> None:
    with TestClient(create_app(), client=("127.0.0.1", 5000)) as c:
        before = _samples(c.get("/metrics").text)
        c.get("/api/v1/staff/12345")  # 401: labelled by the template, not the id
        c.get("/api/v1/units")  # 401 too
        c.get("/healthz")
        body = c.get("/metrics")
    assert body.status_code == 200
    assert body.headers["content-type"].startswith("text/plain")
    found = _samples(body.text)

    def count(name: str, **labels: str) -> float:
        def total(samples: dict[str, list[tuple[dict[str, str], float]]]) -> float:
            return sum(
                v
                for s, v in samples.get(name, [])
                if all(s.get(k) == want for k, want in labels.items())
            )

        return total(found) - total(before)

    requests = "bdtx_http_requests_total"
    assert count(requests, method="GET", route="/api/v1/staff/{staff_id}", status="401") == 1
    assert count(requests, method="GET", route="/healthz", status="200") == 1
    assert not any("12345" in s["route"] for s, _ in found[requests])
    assert count("bdtx_http_request_duration_seconds_count", route="/healthz") == 1
    assert count("bdtx_http_request_duration_seconds_bucket", route="/healthz", le="+Inf") == 1
    # a refused token costs no SQL; a scrape (the feed gauges) is not a request statement
    assert count("bdtx_db_statements_total", route="/api/v1/staff/{staff_id}") == 0
    for gauge in (
        "bdtx_gate_in_flight",
        "bdtx_gate_waiting",
        "bdtx_change_feed_last_id",
        "bdtx_login_lockouts_total",
        "bdtx_db_up",
    ):
        assert gauge in found, gauge


def test_statements_are_counted_per_route(metrics_on: None, client: TestClient) -> None:
    with TestClient(create_app(), client=("127.0.0.1", 5000)) as scraper:
        before = _samples(scraper.get("/metrics").text)
        assert client.get("/api/v1/units").status_code == 200
        after = _samples(scraper.get("/metrics").text)

    def statements(samples: dict[str, list[tuple[dict[str, str], float]]]) -> float:
        rows = samples.get("bdtx_db_statements_total", [])
        return sum(v for s, v in rows if s["route"] == "/api/v1/units")

    assert statements(after) - statements(before) >= 1


def test_login_lockouts_are_counted(metrics_on: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BDTX_LOGIN_MAX_FAILURES", "1")
    config.get_settings.cache_clear()

    def lockouts(c: TestClient) -> float:
        found = _samples(c.get("/metrics").text)
        return sum(v for _, v in found["bdtx_login_lockouts_total"])

    with TestClient(create_app(), client=("127.0.0.1", 5000)) as c:
        before = lockouts(c)
        form = {"username": "khong.ton.tai.metrics", "password": "sai-mat-khau-1"}
        statuses = [c.post("/api/v1/auth/token", data=form).status_code for _ in range(3)]
        assert 429 in statuses
        assert lockouts(c) == before + statuses.count(429)


def test_json_log_line_per_request(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    configure_logging("json")
    try:
        with caplog.at_level(logging.INFO, logger="bdtx.access"):
            r = client.get("/api/v1/units", headers={"X-Request-ID": "req-log-1"})
        assert r.status_code == 200
        (record,) = [rec for rec in caplog.records if rec.name == "bdtx.access"]
        line = json.loads(JsonFormatter().format(record))
    finally:
        configure_logging("text")
    assert line["request_id"] == "req-log-1"
    assert line["route"] == "/api/v1/units"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["user_id"] is not None
    assert line["db_statements"] >= 1
    assert line["duration_ms"] > 0
    assert line["time"].endswith("Z")
    assert line["level"] == "info"


def test_text_mode_writes_no_request_line(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging("text")
    with caplog.at_level(logging.INFO, logger="bdtx.access"):
        client.get("/healthz")
    assert not [rec for rec in caplog.records if rec.name == "bdtx.access"]


def test_worker_lag_and_queues_are_gauged(metrics_on: None, engine: Engine) -> None:
    """The lag is counted from the newest feed row to each consumer's cursor, so an alert on
    a growing lag finds a stopped worker; the outbox gauges count both queues."""
    with Session(engine) as s:
        s.add(WorkerCursor(name="metrics-test", position=0))
        s.commit()
    try:
        with TestClient(create_app(), client=("127.0.0.1", 5000)) as c:
            found = _samples(c.get("/metrics").text)
    finally:
        with Session(engine) as s:
            s.execute(delete(WorkerCursor).where(col(WorkerCursor.name) == "metrics-test"))
            s.commit()
    (last_id,) = [v for _, v in found["bdtx_change_feed_last_id"]]
    lag = {s["consumer"]: v for s, v in found["bdtx_worker_feed_lag"]}
    assert lag["metrics-test"] == last_id
    assert {s["queue"] for s, _ in found["bdtx_outbox_pending"]} == {"email", "webhook"}
