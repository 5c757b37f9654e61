"""One error hierarchy rendered as RFC 9457 ``application/problem+json``."""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.i18n import language, localize, render
from app.core.validation_text import message

log = logging.getLogger("bdtx.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
# RFC 9457 lets ``type`` be a URI reference: relative, it resolves on this server to the
# code's entry in the catalogue (app.web.problems), so a client can look any code up
PROBLEM_TYPE_BASE = "/api/v1/public/problems/"
HTTP_CODES = {404: "route_not_found", 405: "method_not_allowed", 413: "body_too_large"}


class AppError(Exception):
    """A refusal with a stable ``code``; ``params`` fill the localised detail."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        code: str | None = None,
        *,
        rule: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> None:
        self.code = code or self.code
        self.rule = rule
        self.errors = errors
        self.headers = headers
        self.params = params
        super().__init__(self.code)


class BadRequest(AppError):
    status, code = 400, "malformed_request"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"

    def __init__(self, resource: str, id: Any) -> None:
        super().__init__(resource=resource, id=id)


class UnknownReference(AppError):
    """An id in the body that does not exist or lies outside the caller's scope (alike)."""

    status, code = 404, "unknown_reference"

    def __init__(self, field: str, value: Any) -> None:
        item = {"loc": ["body", field], "msg": "not found", "code": "unknown_reference"}
        super().__init__(errors=[item], field=field, id=value)


class Conflict(AppError):
    status, code = 409, "conflict"


class NotAcceptable(AppError):
    status, code = 406, "not_acceptable"


class Gone(AppError):
    status, code = 410, "gone"


class PreconditionFailed(AppError):
    status, code = 412, "precondition_failed"


class InvalidInput(AppError):
    status, code = 422, "validation_error"


class PreconditionRequired(AppError):
    status, code = 428, "precondition_required"


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    code: str


class Problem(BaseModel):
    """Problem details (RFC 9457) as every 4xx/5xx answer carries them."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    rule: str | None = None
    errors: list[ErrorItem] | None = None
    request_id: str | None = None


def problem_response(
    request: Request,
    status: int,
    code: str,
    params: dict[str, Any] | None = None,
    *,
    rule: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    lang = language(request)
    title, detail = render(code, lang, params or {})
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
    }
    if rule:
        body["rule"] = rule
    if errors:
        body["errors"] = [{**e, "msg": localize(e.get("msg"), lang)} for e in errors]
    headers = {**(headers or {}), "Content-Language": lang}
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        # also here: a 500 is rendered outside the middleware that adds it to responses
        body["request_id"] = headers["X-Request-ID"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _loc(loc: tuple[Any, ...]) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in loc]


def _validation_items(exc: RequestValidationError, lang: str) -> list[dict[str, Any]]:
    return [
        {"loc": _loc(err.get("loc", ())), "msg": message(err, lang), "code": err.get("type", "")}
        for err in exc.errors()
    ]


def _field_names(items: list[dict[str, Any]]) -> str:
    names = []
    for item in items:
        loc = [str(p) for p in item["loc"] if p not in ("body", "query", "path", "header")]
        names.append(".".join(loc) or "body")
    return ", ".join(dict.fromkeys(names))


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(
        request,
        exc.status,
        exc.code,
        exc.params,
        rule=exc.rule,
        errors=exc.errors,
        headers=exc.headers,
    )


def _only_if_match_missing(items: list[dict[str, Any]]) -> bool:
    # The contract marks If-Match required; leaving it out is RFC 6585's 428, not a 422.
    return bool(items) and all(
        i["code"] == "missing" and i["loc"] == ["header", "If-Match"] for i in items
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = _validation_items(exc, language(request))
    if any(i["code"] == "json_invalid" for i in items):
        return problem_response(request, 400, "malformed_request", errors=items)
    if _only_if_match_missing(items):
        return problem_response(request, 428, PreconditionRequired.code)
    return problem_response(
        request, 422, "validation_error", {"fields": _field_names(items)}, errors=items
    )


def _route_methods(routes: Iterable[Any], path: str) -> set[str]:
    """Every method some route serves at ``path``, also inside included routers."""
    methods: set[str] = set()
    for route in routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(getattr(route, "methods", None) or ())
        original = getattr(route, "original_router", None)
        if original is not None:
            methods |= _route_methods(original.routes, path)
    return methods


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = HTTP_CODES.get(status) or ("malformed_request" if status < 500 else "internal_error")
    headers = dict(exc.headers or {})
    if status == 405:
        # Starlette names only the methods of the first route matching the path; a path is
        # often served by several (GET list, POST create), and `Allow` must list them all.
        methods = _route_methods(request.app.routes, request.url.path)
        if methods:
            headers["Allow"] = ", ".join(sorted(methods))
    return problem_response(request, status, code, headers=headers)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # A constraint caught what a service check missed (usually a concurrent write).
    log.info("integrity error on %s: %s", request.url.path, exc)
    return problem_response(request, 409, "conflict")


async def _stale_error(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 412, "precondition_failed", {"current": "?"})


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "-")
    log.exception("unhandled error, request_id=%s", request_id)
    return problem_response(request, 500, "internal_error", {"request_id": request_id})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(StaleDataError, _stale_error)
    app.add_exception_handler(Exception, _unhandled)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries so generated clients get a typed error model."""
    return {
        s: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "Problem"}
        for s in statuses
    }
