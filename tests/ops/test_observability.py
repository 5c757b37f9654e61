"""Operations: Prometheus metrics (names, labels, reach) and the JSON request log line."""

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.core import config
from app.main import create_app
from app.ops.logs import JsonFormatter, configure_logging


@pytest.fixture
def metrics_on(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
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
        c.get("/api/v1/staff/12345")  # 401: labelled by the template, not the id
        c.get("/healthz")
        body = c.get("/metrics")
    assert body.status_code == 200
    assert body.headers["content-type"].startswith("text/plain")
    found = _samples(body.text)
    requests = {
        (s["method"], s["route"], s["status"]) for s, _ in found["bdtx_http_requests_total"]
    }
    assert ("GET", "/api/v1/staff/{staff_id}", "401") in requests
    assert ("GET", "/healthz", "200") in requests
    assert not any("12345" in route for _, route, _ in requests)
    buckets = found["bdtx_http_request_duration_seconds_bucket"]
    assert any(s["route"] == "/healthz" and s["le"] == "+Inf" and v >= 1 for s, v in buckets)
    statements = {s["route"]: v for s, v in found.get("bdtx_db_statements_total", [])}
    assert statements.get("/api/v1/staff/{staff_id}", 0) == 0  # refused before any SQL
    for gauge in (
        "bdtx_gate_in_flight",
        "bdtx_gate_waiting",
        "bdtx_change_feed_last_id",
        "bdtx_login_lockouts_total",
    ):
        assert gauge in found, gauge


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
