"""The baseline: the same staff queries through the raw driver, answered as JSON by a bare
ASGI callable (no framework, no auth, no validation). Served by uvicorn like the app.

``BDTX_DATABASE_URL`` picks the driver: psycopg for PostgreSQL, sqlite3 for SQLite.
``BENCH_SCOPE_ROOT`` is the unit whose subtree the caller may read (the app's
department officer), so the SQL is the app's: scope filter included.
"""

import datetime
import json
import os
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from app.core.tcp import ensure_tcp_nodelay

COLUMNS = (
    "version, created_at, updated_at, id, external_code, full_name, name_search, unit_id, "
    "category, position, subjects, education_level, title_rank, date_of_birth, gender, email, "
    "status"
)
SCOPE = "unit_id IN (SELECT descendant_id FROM unit_closure WHERE ancestor_id = {root})"
BY_ID = f"SELECT {COLUMNS} FROM staff WHERE id = {{id}} AND {SCOPE}"
# the app's (app.auth.policies.StaffScope.in_subtree): the subtree narrowed to the scope
SUBTREE = (
    f"SELECT {COLUMNS} FROM staff WHERE unit_id IN "
    "(SELECT descendant_id FROM unit_closure WHERE ancestor_id = {unit} AND descendant_id IN "
    "(SELECT descendant_id FROM unit_closure WHERE ancestor_id = {root})) "
    "ORDER BY id LIMIT {limit}"
)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Db:
    def __init__(self, url: str) -> None:
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(url.replace("+psycopg", ""), autocommit=True)
            mark = "%({})s"
        else:
            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), check_same_thread=False)
            mark = ":{}"
        self.by_id = BY_ID.format(id=mark.format("id"), root=mark.format("root"))
        self.subtree = SUBTREE.format(
            root=mark.format("root"), unit=mark.format("unit"), limit=mark.format("limit")
        )

    def rows(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        cur = self.conn.cursor()
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        out = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        cur.close()
        return out


def _default(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    raise TypeError(type(value))


DB: Db | None = None
ROOT = int(os.environ.get("BENCH_SCOPE_ROOT", "0"))


async def _send(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload, default=_default, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    global DB
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                ensure_tcp_nodelay()  # the same socket handling as the app (app.core.tcp)
                DB = Db(os.environ["BDTX_DATABASE_URL"])
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    assert DB is not None
    path = scope["path"]
    query = dict(p.split("=", 1) for p in scope["query_string"].decode().split("&") if "=" in p)
    if path.startswith("/staff/"):
        rows = DB.rows(DB.by_id, {"id": int(path[7:]), "root": ROOT})
        if not rows:
            await _send(send, 404, {"detail": "not found"})
            return
        await _send(send, 200, rows[0])
    elif path == "/staff":
        limit = int(query.get("limit", "50"))
        rows = DB.rows(DB.subtree, {"root": ROOT, "unit": int(query["unit_id"]), "limit": limit})
        await _send(send, 200, {"items": rows, "next_cursor": None})
    else:
        await _send(send, 200, {"status": "ok"})
