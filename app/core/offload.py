"""Where an endpoint's work runs: reads on the event loop, rendering in the thread pool.

Reads run their endpoint in a greenlet on the loop (``app.core.routing.in_one_hop``); work
that is mostly CPU (a spreadsheet, a PDF, a QR image) would hold every other request of the
worker meanwhile, so it goes to the thread pool.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.util import await_
from sqlalchemy.util.concurrency import in_greenlet
from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


def in_thread(endpoint: Callable[..., T]) -> Callable[..., T]:
    """Keep a read in the thread pool: one whose work is mostly rendering a document (a
    PDF with its signature, a letter) between its statements, which would hold the loop."""
    endpoint.in_thread = True  # type: ignore[attr-defined]
    return endpoint


def blocking(fn: Callable[..., T], *args: Any) -> T:
    """CPU-bound work inside an endpoint (a spreadsheet, a PDF, an image): from the loop's
    greenlet it goes to the thread pool, so the loop keeps serving other requests while it
    renders; in a worker thread it simply runs."""
    if in_greenlet():
        return await_(run_in_threadpool(fn, *args))
    return fn(*args)
