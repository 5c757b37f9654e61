"""Instructions per request of one read, in-process, under callgrind (issue 21).

Timings on a shared two-core machine move by a third between identical runs; the count of
instructions the app's process executes per request moves by less than half a percent, so
a change of a few percent shows. The app runs in this process on uvloop, against the
database ``BDTX_DATABASE_URL`` holds (``bdtx generate --scale province``); PostgreSQL's own
work is not counted. Needs valgrind.

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/dev/null \\
        .venv/bin/python -m bench.instructions by_id 200

prints nothing itself: callgrind's "Collected" line, divided by the count, is the figure.
"""

import os
import subprocess
import sys
from collections.abc import MutableMapping
from typing import Any

import uvloop

os.environ.setdefault("BDTX_ENV", "production")
os.environ.setdefault("BDTX_SECRET_KEY", "instructions-" + "x" * 40)

from app.main import app
from bench.figures import World

WARM_UP = 100


def _paths(world: World) -> dict[str, Any]:
    ids, offices = world.staff_ids, world.office_ids
    return {
        "by_id": lambda i: (f"/api/v1/staff/{ids[i % len(ids)]}", b""),
        "list_50": lambda i: (
            "/api/v1/staff",
            f"unit_id={offices[i % len(offices)]}&include_descendants=true&limit=50".encode(),
        ),
    }


async def _get(target: tuple[str, bytes], headers: list[tuple[bytes, bytes]]) -> None:
    path, query = target
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 200, sent


def _callgrind(*flags: str) -> None:
    subprocess.run(["callgrind_control", *flags, str(os.getpid())], check=True, capture_output=True)


async def main(read: str, count: int) -> None:
    world = World.load(os.environ["BDTX_DATABASE_URL"])
    headers = [(k.lower().encode(), v.encode()) for k, v in world.headers(world.officer_id).items()]
    target = _paths(world)[read]
    async with app.router.lifespan_context(app):
        for i in range(WARM_UP):
            await _get(target(i), headers)
        _callgrind("--instr=on")
        for i in range(count):
            await _get(target(i), headers)
        _callgrind("--instr=off")


if __name__ == "__main__":
    uvloop.run(main(sys.argv[1], int(sys.argv[2])))
