"""The published contract: FastAPI's schema, with problem responses under their real media type.

FastAPI puts a ``responses=`` model under ``application/json``; the handlers in
``app.core.errors`` answer ``application/problem+json``. The schema is moved to the media type
actually sent, so validators (and generated clients) check problems against ``Problem``.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from app.core.errors import PROBLEM_MEDIA_TYPE

JSON = "application/json"
PROBLEM_REF = "#/components/schemas/Problem"


def _problem_media_type(schema: dict[str, Any]) -> None:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if not status.startswith(("4", "5")) or PROBLEM_MEDIA_TYPE not in content:
                    continue
                if content.get(JSON, {}).get("schema", {}).get("$ref") == PROBLEM_REF:
                    response["content"] = {PROBLEM_MEDIA_TYPE: content[JSON]}


def _parameters_without_null(schema: dict[str, Any]) -> None:
    """A header, query or path value is text or absent, never JSON null.

    FastAPI renders an optional parameter (``str | None = None``) as ``anyOf [..., null]``;
    generators then send the text "null" as a value the schema allows. Absence is what
    ``required: false`` already says.
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _drop_null(parameter.get("schema", {}))


def _drop_null(schema: dict[str, Any]) -> None:
    branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
    if "anyOf" not in schema or len(branches) == len(schema["anyOf"]):
        return
    if len(branches) == 1:
        del schema["anyOf"]
        schema.update(branches[0])
    else:
        schema["anyOf"] = branches
    if "default" in schema and schema["default"] is None:
        del schema["default"]


def install_openapi(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _problem_media_type(schema)
            _parameters_without_null(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
