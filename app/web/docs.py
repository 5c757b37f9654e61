"""/docs (Swagger UI) and /redoc from files the package ships, under a CSP naming them.

FastAPI's own pages load their scripts from a CDN: blank on an office intranet without
internet, and no CSP could be strict while they did. The scripts and styles come from
fastapi-offline's vendored copies, served at ``/docs/assets``; the inline boot script of each
page is allowed by its SHA-256, nothing else inline runs.
"""

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

ASSETS_URL = "/docs/assets"
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)


def _hashes(html: str, tag: str) -> str:
    """``'sha256-…'`` of each inline ``tag`` element, as CSP matches them (exact bytes)."""
    found = [body for kind, body in _INLINE.findall(html) if kind == tag]
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in found
    )


def _with_csp(
    page: HTMLResponse, *, styles_inline: bool = False, workers: bool = False
) -> HTMLResponse:
    """The page's CSP: scripts and styles from here (and the page's own boot script), the
    contract from here, nothing from elsewhere. ReDoc writes its styles at run time and
    parses the contract in a worker it makes from a blob."""
    html = bytes(page.body).decode()
    style = "'self' 'unsafe-inline'" if styles_inline else f"'self' {_hashes(html, 'style')}"
    policy = [
        "default-src 'none'",
        f"script-src 'self' {_hashes(html, 'script')}".rstrip(),
        f"style-src {style}".rstrip(),
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
    if workers:
        policy.append("worker-src blob:")
    page.headers["Content-Security-Policy"] = "; ".join(policy)
    return page


def install_docs(app: FastAPI, title: str) -> None:
    """Serve the two pages and their assets: plain routes, outside the contract and the
    authenticated API (their HTML is the same for everyone, so it is built once)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    redirect_url = "/docs/oauth2-redirect"
    swagger = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=f"{title} - Swagger UI",
        oauth2_redirect_url=redirect_url,
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )
    redoc = get_redoc_html(
        openapi_url="/openapi.json",
        title=f"{title} - ReDoc",
        redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
        with_google_fonts=False,
    )
    pages = {
        "/docs": _with_csp(swagger),
        redirect_url: _with_csp(get_swagger_ui_oauth2_redirect_html()),
        "/redoc": _with_csp(redoc, styles_inline=True, workers=True),
    }
    for path, page in pages.items():
        app.add_route(path, _serving(page), include_in_schema=False)


def _serving(page: HTMLResponse) -> Callable[[Request], Awaitable[Response]]:
    body, headers = bytes(page.body), dict(page.headers)
    headers.pop("content-length", None)

    async def serve(_: Request) -> Response:
        return HTMLResponse(body, headers=headers)

    return serve
