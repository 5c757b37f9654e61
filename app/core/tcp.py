"""TCP_NODELAY on every accepted connection, also with several uvicorn workers.

Why: with ``--workers`` > 1 uvicorn binds the listening socket itself as
``socket.socket(family)``, whose ``proto`` is 0; asyncio sets TCP_NODELAY only on sockets
whose ``proto`` is ``IPPROTO_TCP``, so the accepted connections keep Nagle's algorithm.
A response goes out as two writes (headers, then body); the second waits for the client's
delayed ACK: every answer took 40 ms more. Measured (issue 9, 2 workers): 44 ms for a
primary-key read that takes 0.5 ms with one worker.
"""

import asyncio.base_events
import socket
from typing import Any

_patched = False


def _set_nodelay(sock: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def ensure_tcp_nodelay() -> None:
    """Idempotent; called at start-up in each worker process."""
    global _patched
    if not _patched and hasattr(socket, "TCP_NODELAY"):
        asyncio.base_events._set_nodelay = _set_nodelay  # type: ignore[attr-defined]
        _patched = True
