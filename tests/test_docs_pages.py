"""/docs and /redoc work without internet: their scripts come from the package, under a CSP
that allows exactly them and each page's boot script (app.web.docs)."""

import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from app.main import create_app


def _policy(r: object) -> dict[str, str]:
    header = r.headers["content-security-policy"]  # type: ignore[attr-defined]
    return {d.split(" ", 1)[0]: d for d in (p.strip() for p in header.split(";"))}


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_pages_load_only_local_files_under_a_strict_csp(anon: TestClient, page: str) -> None:
    r = anon.get(page)
    assert r.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    for url in urls:
        asset = anon.get(url)
        assert asset.status_code == 200, url
    policy = _policy(r)
    assert policy["default-src"] == "default-src 'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    inline = re.findall(r"<script>(.*?)</script>", r.text, re.S)
    assert policy["script-src"].count("'sha256-") == len(inline)
    assert "http" not in policy["script-src"] + policy["connect-src"]


def test_every_answer_carries_a_csp(anon: TestClient) -> None:
    for path in ("/healthz", "/openapi.json", "/docs/assets/swagger-ui.css", "/nope"):
        assert "default-src 'none'" in anon.get(path).headers["content-security-policy"]


@pytest.fixture
def live_server() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_pages_render_in_headless_chromium_under_their_csp(live_server: str, page: str) -> None:
    chromium = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    if chromium is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium; .ci/run does)")
    run = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--virtual-time-budget=15000",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            live_server + page,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    # the contract was fetched and drawn: the title and an operation's path are in the page
    assert "bdtx-api" in run.stdout
    assert "/api/v1/staff" in run.stdout
    refused = [
        line
        for line in run.stderr.splitlines()
        if "Content Security Policy" in line and "cdn.redoc.ly" not in line  # ReDoc's logo
    ]
    assert refused == []
