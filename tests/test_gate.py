"""The per-worker request cap (app.core.gate): waiting happens before the app is entered."""

import asyncio
from typing import Any

from app.core.gate import ConcurrencyGateMiddleware, default_limit


def test_no_more_requests_inside_than_the_limit() -> None:
    inside, peak = 0, 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        await asyncio.sleep(0.01)
        inside -= 1

    gate = ConcurrencyGateMiddleware(app, limit=3)

    async def main() -> None:
        scope = {"type": "http", "path": "/api/v1/staff"}
        await asyncio.gather(*(gate(scope, None, None) for _ in range(20)))

    asyncio.run(main())
    assert peak == 3


def test_liveness_is_never_queued() -> None:
    entered = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/healthz":
            entered.set()
        else:
            await entered.wait()  # holds the only slot until /healthz got through

    gate = ConcurrencyGateMiddleware(app, limit=1)

    async def main() -> None:
        busy = asyncio.create_task(gate({"type": "http", "path": "/api/v1/units"}, None, None))
        await asyncio.sleep(0)
        await asyncio.wait_for(gate({"type": "http", "path": "/healthz"}, None, None), 1)
        await busy

    asyncio.run(main())


def test_default_limit_stays_below_pool_and_threads(database_url: str) -> None:
    from anyio import to_thread

    from app.core.db import get_engine

    async def in_loop() -> tuple[int, int]:  # the limit is read on the first request
        return default_limit(), int(to_thread.current_default_thread_limiter().total_tokens)

    pool = get_engine().pool
    connections = pool.size() + pool._max_overflow  # type: ignore[attr-defined]
    limit, threads = asyncio.run(in_loop())
    assert 1 <= limit < connections
    assert limit < threads


def test_accepted_connections_get_tcp_nodelay_whatever_the_listening_proto() -> None:
    """uvicorn with several workers listens on ``socket.socket(family)`` (proto 0)."""
    import socket

    from app.core.tcp import ensure_tcp_nodelay

    ensure_tcp_nodelay()
    listener = socket.socket(socket.AF_INET)  # as uvicorn's Config.bind_socket does
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    seen: list[int] = []

    async def main() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(main())
    assert seen == [1]
