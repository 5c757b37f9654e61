"""Pure ASGI middleware (no BaseHTTPMiddleware: it breaks exception handling and streaming)."""

import random
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


class AnswerHeadersMiddleware:
    """The headers every answer carries: ``X-Request-ID`` (a sane client id is kept, else a
    fresh one, also in ``scope["state"]`` for the log lines) and the security headers (the
    API serves JSON and files, never pages to frame).

    One layer for both: a layer costs a call and a send wrapper on every request (issue 21).
    Outermost but for CORS, so the answers of every other middleware (413, 503 from the
    gate) carry them too. A header the app set itself is left alone (the documentation pages
    set their own CSP, as strict: ``app.web.docs``)."""

    API_HEADERS = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    }

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        headers = dict(self.API_HEADERS)
        if hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else _new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        own = [(b"x-request-id", request_id.encode()), *self.headers]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message["headers"] = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in own if pair[0] not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _new_request_id() -> str:
    # A correlation id, not a secret: 128 bits from the process's generator. ``secrets``
    # asked the kernel for fresh entropy on every request (issue 21).
    return f"{random.getrandbits(128):032x}"


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""


class BodySizeLimitMiddleware:
    """413 before a handler reads more than ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int, import_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.import_max_bytes = import_max_bytes

    def _limit(self, scope: Scope) -> int:
        # bulk imports (``POST .../bulk``, app.bulk) carry whole spreadsheets
        if self.import_max_bytes and scope["path"].endswith("/bulk"):
            return max(self.max_bytes, self.import_max_bytes)
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, limit)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await self._too_large(scope, receive, send, limit)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        from starlette.requests import Request

        from app.core.errors import problem_response

        request = Request(scope, receive)
        response = problem_response(request, 413, "body_too_large", {"limit": limit})
        await response(scope, receive, send)


class BodyTooLarge(Exception):
    pass
