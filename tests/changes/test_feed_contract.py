"""The feed's items are what the contract says: one variant per resource, `data` typed by
the resource's row schema (app.changes.contract)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.main import create_app
from tests.auth.test_route_matrix import CASES, send
from tests.changes.test_feed import drain
from tests.matrix.base import build_world

CONTRACT = create_app().openapi()
COMPONENTS = CONTRACT["components"]["schemas"]
JSON_TYPES = {
    "integer": int,
    "number": (int, float),
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _matches(value: Any, schema: dict[str, Any]) -> bool:
    if "$ref" in schema:
        return _matches(value, COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]])
    if "anyOf" in schema:
        return any(_matches(value, s) for s in schema["anyOf"])
    if "enum" in schema:
        return value in schema["enum"]
    if "type" not in schema:
        return True  # a JSON column: any value
    if schema["type"] == "integer" and isinstance(value, bool):
        return False
    return isinstance(value, JSON_TYPES[schema["type"]])


def _mismatches(item: dict[str, Any]) -> list[str]:
    union = COMPONENTS["ChangeRead"]
    variant = COMPONENTS[union["discriminator"]["mapping"][item["resource"]].rsplit("/", 1)[-1]]
    if item["data"] is None:
        return []
    row = COMPONENTS[variant["properties"]["data"]["anyOf"][0]["$ref"].rsplit("/", 1)[-1]]
    declared = row["properties"]
    return [
        f"{item['resource']}.{key}={value!r}"
        for key, value in item["data"].items()
        if key not in declared or not _matches(value, declared[key])
    ]


def test_every_feed_item_fits_its_resource_variant(client: TestClient, session: Session) -> None:
    """Every write route of the route matrix, once, as the admin; then the whole feed."""
    world = build_world(session, client)
    for case in CASES:
        if case.method == "POST" and "{" not in case.path:  # creates: they do not collide
            send(world.admin, case, case.call(world))
    items = drain(client, limit=500)
    resources = {i["resource"] for i in items}
    assert len(resources) >= 10, resources
    assert [m for i in items for m in _mismatches(i)] == []


def test_the_union_names_every_resource_once() -> None:
    union = COMPONENTS["ChangeRead"]
    mapping = union["discriminator"]["mapping"]
    assert len(union["oneOf"]) == len(mapping) > 30
    staff = COMPONENTS["StaffChange"]["properties"]
    assert staff["resource"]["const"] == "staff"
    assert "name_search" not in COMPONENTS["StaffRow"]["properties"]
    assert COMPONENTS["StaffRow"]["properties"]["category"] == {
        "$ref": "#/components/schemas/StaffCategory"
    }
