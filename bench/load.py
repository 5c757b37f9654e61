"""A small HTTP load generator: threads with keep-alive ``http.client`` connections.

The standard library client costs the load generator less CPU than httpx, which matters
on a two-core machine where the generator and the servers share the cores.
"""

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    status: int
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One keep-alive connection; reconnects once if the server closed it."""

    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.headers = headers or {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        all_headers = {**self.headers, **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=all_headers)
                response = self.conn.getresponse()
                payload = response.read()
                return Reply(response.status, payload, time.perf_counter() - started)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def close(self) -> None:
        self.conn.close()


@dataclass
class Stats:
    requests: int
    seconds: float
    latencies: list[float] = field(repr=False)
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def as_dict(self) -> dict[str, float]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.pct(0.50), 2),
            "p99_ms": round(self.pct(0.99), 2),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 2) if self.latencies else 0,
        }


def hammer(
    port: int,
    paths: Callable[[int], str],
    *,
    concurrency: int,
    seconds: float,
    headers: dict[str, str] | None = None,
    warmup: float = 1.0,
) -> Stats:
    """GET ``paths(i)`` from ``concurrency`` threads for ``seconds`` after a warm-up."""
    stop = threading.Event()
    measuring = threading.Event()
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def worker(n: int) -> None:
        client = Client(port, headers)
        i = n
        mine: list[float] = []
        bad = 0
        while not stop.is_set():
            reply = client.get(paths(i))
            i += concurrency
            if measuring.is_set():
                mine.append(reply.seconds)
                bad += reply.status != 200
        client.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    measuring.set()
    started = time.perf_counter()
    time.sleep(seconds)
    measuring.clear()
    elapsed = time.perf_counter() - started
    stop.set()
    for t in threads:
        t.join()
    return Stats(len(latencies), elapsed, latencies, errors[0])
