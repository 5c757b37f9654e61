"""Security headers, body size limit, CORS and docs off in production."""

import pytest
from fastapi.testclient import TestClient

from app.core import config
from app.main import create_app


def test_security_headers_on_api_answers(client: TestClient) -> None:
    r = client.get("/api/v1/me")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in client.get("/docs").headers["content-security-policy"]


def test_oversized_body_is_413_problem(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    big = b'{"name": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    r = client.post("/api/v1/units", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "body_too_large"


def test_production_hides_docs_and_allows_configured_origins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BDTX_ENV", "production")
    monkeypatch.setenv("BDTX_SECRET_KEY", "p" * 40)
    monkeypatch.setenv("BDTX_CORS_ORIGINS", '["https://qlgd.binhphuoc.edu.vn"]')
    config.get_settings.cache_clear()
    try:
        app = TestClient(create_app())
        assert app.get("/docs").status_code == 404
        assert app.get("/openapi.json").status_code == 200
        pre = app.options(
            "/api/v1/units",
            headers={
                "Origin": "https://qlgd.binhphuoc.edu.vn",
                "Access-Control-Request-Method": "GET",
            },
        )
        assert pre.headers["access-control-allow-origin"] == "https://qlgd.binhphuoc.edu.vn"
        assert "strict-transport-security" in app.get("/healthz").headers
        other = app.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    finally:
        monkeypatch.undo()
        config.get_settings.cache_clear()


def test_cors_headers_on_every_answer_and_the_headers_clients_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 413 from the body-size guard carried no CORS headers: the browser showed a network
    error instead of the problem. Retry-After and Content-Disposition are readable too."""
    origin = "https://qlgd.dongnai.edu.vn"
    monkeypatch.setenv("BDTX_CORS_ORIGINS", f'["{origin}"]')
    config.get_settings.cache_clear()
    try:
        app = TestClient(create_app())
        big = b'{"name": "' + b"x" * (11 * 1024 * 1024) + b'"}'
        r = app.post(
            "/api/v1/units",
            content=big,
            headers={"Origin": origin, "content-type": "application/json"},
        )
        assert r.status_code == 413
        assert r.headers["access-control-allow-origin"] == origin
        exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
        assert {"etag", "location", "retry-after", "content-disposition"} <= exposed
        assert (
            app.get("/api/v1/me", headers={"Origin": origin}).headers["access-control-allow-origin"]
            == origin
        )  # a 401 too
    finally:
        monkeypatch.undo()
        config.get_settings.cache_clear()
