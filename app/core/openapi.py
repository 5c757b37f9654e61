"""The published contract: FastAPI's schema, with problem responses under their real media type.

FastAPI puts a ``responses=`` model under ``application/json``; the handlers in
``app.core.errors`` answer ``application/problem+json``. The schema is moved to the media type
actually sent, so validators (and generated clients) check problems against ``Problem``.
"""

import copy
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.core.errors import PROBLEM_MEDIA_TYPE
from app.core.idempotency import idempotency
from app.core.routing import api_routes

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


# Response headers a client reads, declared where they are sent so generated clients expose
# them (openapi-fetch's `response.headers`, typed) and nobody has to read the source.
HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "The object's version, quoted; send it back as `If-Match` to change it.",
        "schema": {"type": "string", "example": '"3"'},
    },
    "Location": {
        "description": "The URL of the object created.",
        "schema": {"type": "string", "example": "/api/v1/staff/42"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same `Idempotency-Key` (nothing was done again).",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Content-Disposition": {
        "description": "`attachment` with the file's name (`filename*` keeps Vietnamese).",
        "schema": {"type": "string", "example": 'attachment; filename="bao-cao.xlsx"'},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "example": 30},
    },
}
NOT_FILES = (JSON, PROBLEM_MEDIA_TYPE, "text/html")


def _component(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    return (
        schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
        if ref
        else {}
    )


def _versioned(schema: dict[str, Any], response: dict[str, Any]) -> bool:
    """Whether the JSON answer is a versioned object (``version``, or a policy's
    ``revision``), or wraps one directly (a close answers its event): it carries an ETag."""
    component = _component(schema, response.get("content", {}).get(JSON, {}).get("schema", {}))
    properties = component.get("properties", {})
    if {"version", "revision"} & properties.keys():
        return True
    return any(
        "version" in _component(schema, p).get("properties", {}) for p in properties.values()
    )


def _idempotent(route: APIRoute) -> bool:
    return any(d.call is idempotency for d in route.dependant.dependencies)


def _headers_of(
    route: APIRoute, status: str, response: dict[str, Any], schema: dict[str, Any]
) -> list[str]:
    if status in ("429", "503"):
        return ["Retry-After"]
    if not status.startswith("2"):
        return []
    names = []
    if _versioned(schema, response):
        names.append("ETag")
    if status == "201":
        names.append("Location")
    if _idempotent(route):
        names.append("Idempotent-Replayed")
    if any(media not in NOT_FILES for media in response.get("content", {})):
        names.append("Content-Disposition")
    return names


def _declare_headers(schema: dict[str, Any], routes: Iterable[APIRoute]) -> None:
    for route in routes:
        for method in route.methods or ():
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            for status, response in (operation or {}).get("responses", {}).items():
                names = _headers_of(route, status, response, schema)
                if names:
                    response.setdefault("headers", {}).update({n: HEADERS[n] for n in names})


# Problem bodies leave out what does not apply (no `rule`, no `errors`): not always sent.
SOMETIMES_SENT = frozenset({"Problem"})


def _reached(schema: dict[str, Any], node: Any, found: set[str]) -> set[str]:
    """The component names ``node`` refers to, directly or through other components."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in found:
                found.add(name)
                _reached(schema, schema["components"]["schemas"].get(name, {}), found)
        for value in node.values():
            _reached(schema, value, found)
    elif isinstance(node, list):
        for value in node:
            _reached(schema, value, found)
    return found


def _outputs_required(schema: dict[str, Any]) -> None:
    """Every field of a response-only schema is sent (nullable where it may be null), so it
    is required: generated types then need no `?` and no undefined checks. A schema that is
    also a request body keeps its defaults optional; answers point at a copy of it."""
    answers: set[str] = set()
    requests: set[str] = set()
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            _reached(schema, operation.get("responses", {}), answers)
            _reached(
                schema,
                [operation.get("requestBody", {}), operation.get("parameters", [])],
                requests,
            )
    components = schema.get("components", {}).get("schemas", {})
    only_sent = answers - requests - SOMETIMES_SENT
    outputs = _split_shared(schema, answers & requests - SOMETIMES_SENT, only_sent)
    for name in sorted(only_sent) + outputs:
        properties = components[name].get("properties")
        if properties:
            components[name]["required"] = list(properties)
    for name in sorted(requests):  # shared ones are request-side only now: answers use copies
        _defaults_in_words(components[name])


def _defaults_in_words(component: dict[str, Any]) -> None:
    """An optional request field keeps its default in its description, not as ``default``:
    generators (openapi-typescript's default options) read ``default`` as "always present"
    and would make a client send what the server fills in itself."""
    required = set(component.get("required", []))
    for name, prop in component.get("properties", {}).items():
        if name in required or "default" not in prop:
            continue
        value = json.dumps(prop.pop("default"), ensure_ascii=False)
        said = f"Mặc định / default: `{value}`."
        prop["description"] = f"{prop['description']} {said}" if prop.get("description") else said


def _split_shared(schema: dict[str, Any], shared: set[str], only_sent: set[str]) -> list[str]:
    """A model both sent and received (a policy's rules, a check-in window) is one schema
    with its defaults optional; answers get a ``…Read`` copy instead (``PolicyRulesRead``),
    so the response side can require what it always sends. Returns the copies' names."""
    components = schema["components"]["schemas"]
    optional = {
        name
        for name in shared
        if set(components[name].get("properties", {})) - set(components[name].get("required", []))
    }
    # a shared model holding one that splits must split too, or it would point at the input
    while True:
        more = {n for n in shared - optional if _reached(schema, components[n], set()) & optional}
        if not more:
            break
        optional |= more
    copies = {n: _read_name(components, n) for n in optional}
    renamed = {f"#/components/schemas/{n}": f"#/components/schemas/{c}" for n, c in copies.items()}

    def point_at_outputs(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("$ref") in renamed:
                node["$ref"] = renamed[node["$ref"]]
            for value in node.values():
                point_at_outputs(value)
        elif isinstance(node, list):
            for value in node:
                point_at_outputs(value)

    for name, read in sorted(copies.items()):
        components[read] = dict(copy.deepcopy(components[name]), title=read)
        point_at_outputs(components[read])
    for name in only_sent:
        point_at_outputs(components[name])
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            point_at_outputs(operation.get("responses", {}))
    return sorted(copies.values())


def _read_name(components: dict[str, Any], name: str) -> str:
    read = name.removesuffix("Create") + "Read"
    if read in components:
        raise ValueError(f"{read} exists: cannot name the response copy of {name}")
    return read


# value -> (Vietnamese, English); kept above the core (app.web.enum_labels) and passed in
EnumLabels = tuple[Mapping[str, Mapping[str, tuple[str, str]]], Sequence[Mapping[str, Any]]]


def _labels_for(node: dict[str, Any], name: str | None, labels: EnumLabels) -> Mapping[str, Any]:
    named, inline = labels
    if name is not None and name in named:
        return named[name]
    values = set(node["enum"])
    candidates = [*inline, *named.values()]
    return next((entry for entry in candidates if set(entry) == values), {})


def _label_enums(schema: dict[str, Any], labels: EnumLabels) -> None:
    """Put each enum's Vietnamese labels beside it (``x-enum-descriptions``, in the enum's
    order; English in ``x-enum-descriptions-en``). Header schemas are left alone."""

    def walk(node: Any, name: str | None = None) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("enum"), list):
                found = _labels_for(node, name, labels)
                if all(v in found for v in node["enum"]):
                    node["x-enum-descriptions"] = [found[v][0] for v in node["enum"]]
                    node["x-enum-descriptions-en"] = [found[v][1] for v in node["enum"]]
            for key, value in node.items():
                if key != "headers":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name, component in schema.get("components", {}).get("schemas", {}).items():
        walk(component, name)
    walk(schema.get("paths", {}))


def install_openapi(
    app: FastAPI,
    enum_labels: EnumLabels | None = None,
    refine: Sequence[Callable[[dict[str, Any]], None]] = (),
) -> None:
    """``refine``: what the domains add to their own schemas (e.g. the feed's typed items),
    after required fields are settled and before enums are labelled."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _problem_media_type(schema)
            _parameters_without_null(schema)
            _declare_headers(schema, api_routes(app.routes))
            _outputs_required(schema)
            for step in refine:
                step(schema)
            if enum_labels:
                _label_enums(schema, enum_labels)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
