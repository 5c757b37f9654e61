"""The README's shell examples run, as written, against a live demo server.

A fresh SQLite database is seeded with ``bdtx seed-demo``, uvicorn serves it on a free port,
and every ```sh block of the README's API sections runs in one bash, stopping at the first
failing call (``curl -f`` plus ``set -euo pipefail``). Editing the demo or the API so that an
example stops working fails this test.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## How a district system calls the API"

pytestmark = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("jq") and shutil.which("bash")),
    reason="the README examples need bash, curl and jq",
)


def readme_script() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) : text.index("\n## ", text.index(SECTION) + 1)]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 2, "the API examples and the bulk example"
    return "set -euo pipefail\n" + "\n".join(blocks)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("readme")
    env = {
        **os.environ,
        "BDTX_DATABASE_URL": f"sqlite:///{workdir / 'demo.db'}",
        "BDTX_PORT": str(_free_port()),
        "BDTX_HOST": "127.0.0.1",
        # as a service runs: reads on the pooled async driver (app.core.db.make_loop_engine)
        "BDTX_ENV": "development",
    }
    env.pop("BDTX_TEST_DATABASE_URL", None)
    bdtx = [sys.executable, "-m", "app.cli"]
    subprocess.run([*bdtx, "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    server = subprocess.Popen(
        [*bdtx, "serve"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{env['BDTX_PORT']}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"demo server did not start: {server.stderr.read()!r}")  # type: ignore[union-attr]
                time.sleep(0.3)
        yield f"{base}/api/v1"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_readme_examples_run_against_the_demo(demo_server: str, tmp_path: Path) -> None:
    run = subprocess.run(
        ["bash", "-c", readme_script()],
        env={**os.environ, "API": demo_server},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    # the transfer answered the person now in the new school; the bulk row was created
    assert '"position":"Tổ trưởng chuyên môn"' in run.stdout
    assert '"status":"created"' in run.stdout.replace(" ", "")
