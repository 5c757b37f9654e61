"""Walks the published contract as a frontend team's generator would (api.md, "What a
generated client needs from the contract")."""

import re
from typing import Any

import pytest

from app.core.openapi import SOMETIMES_SENT, _reached
from app.core.schemas import InputModel
from app.main import create_app

CONTRACT = create_app().openapi()
OPERATIONS = [
    (f"{method.upper()} {path}", op)
    for path, ops in CONTRACT["paths"].items()
    for method, op in ops.items()
]


@pytest.mark.parametrize(("name", "op"), OPERATIONS, ids=[n for n, _ in OPERATIONS])
def test_every_operation_says_what_it_does(name: str, op: dict[str, Any]) -> None:
    assert op.get("description"), name
    summary = op.get("summary", "")
    # not the operation id re-spelled ("Users-List"), as FastAPI does when nothing is said
    assert summary, name
    assert not re.fullmatch(r"[A-Z][a-z]*(-[A-Z][a-z]*)+", summary), summary


def test_every_tag_is_described() -> None:
    described = {t["name"]: t.get("description") for t in CONTRACT.get("tags", [])}
    used = {t for _, op in OPERATIONS for t in op.get("tags", [])}
    assert used <= described.keys()
    assert all(described[t] for t in used)


def test_every_list_is_a_page() -> None:
    arrays = []
    for name, op in OPERATIONS:
        for status, response in op["responses"].items():
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            if status.startswith("2") and schema.get("type") == "array":
                arrays.append(f"{name} {status}")
    assert arrays == []


def test_response_schemas_require_what_the_server_always_sends() -> None:
    answers: set[str] = set()
    requests: set[str] = set()
    for _, op in OPERATIONS:
        _reached(CONTRACT, op["responses"], answers)
        _reached(CONTRACT, [op.get("requestBody", {}), op.get("parameters", [])], requests)
    components = CONTRACT["components"]["schemas"]
    optional = {
        name: sorted(
            set(components[name]["properties"]) - set(components[name].get("required", []))
        )
        for name in answers - requests - SOMETIMES_SENT
        # feed rows: a bulk write's snapshot may hold only the columns its row provided
        if components[name].get("properties") and not name.endswith("Row")
    }
    assert {k: v for k, v in optional.items() if v} == {}
    assert "next_cursor" in components["Page_StaffRead_"]["required"]


def test_created_answers_declare_location_and_reads_declare_etag() -> None:
    for name, op in OPERATIONS:
        created = op["responses"].get("201")
        if created is not None and "application/json" in created.get("content", {}):
            assert "Location" in created.get("headers", {}), name
    staff = CONTRACT["paths"]["/api/v1/staff/{staff_id}"]["get"]["responses"]["200"]
    assert "ETag" in staff["headers"]


def _nodes(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every schema object in the contract with its path, header schemas left out."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            if key != "headers":
                found += _nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _nodes(value, f"{path}/{i}")
    return found


def test_every_enum_carries_vietnamese_labels() -> None:
    enums = [(p, n) for p, n in _nodes(CONTRACT) if isinstance(n.get("enum"), list)]
    assert len(enums) > 40
    for path, node in enums:
        labels = node.get("x-enum-descriptions")
        assert labels, path
        assert len(labels) == len(node["enum"]), path
        assert all(labels), path
        assert len(node["x-enum-descriptions-en"]) == len(node["enum"]), path
    cell = CONTRACT["components"]["schemas"]["CellState"]
    assert dict(zip(cell["enum"], cell["x-enum-descriptions"], strict=True))["excused"] == (
        "Vắng có phép"
    )


# Snapshots of any table's row by nature: the audit trail's before/after, a notification's
# free payload. Everything else a response carries is a typed schema.
FREE_BY_NATURE = {
    "AuditLogRead.before",
    "AuditLogRead.after",
    "NotificationRead.data",
}


def _free(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [schema])
    return any(
        o.get("type") == "object"
        and "properties" not in o
        and o.get("additionalProperties") is True
        for o in options
    ) or any(_free(o["items"]) for o in options if o.get("type") == "array" and "items" in o)


def test_domain_payloads_are_typed_not_free_objects() -> None:
    free = [
        f"{name}.{prop}"
        for name, component in CONTRACT["components"]["schemas"].items()
        for prop, schema in component.get("properties", {}).items()
        if _free(schema)
    ]
    assert sorted(set(free) - FREE_BY_NATURE) == []


def test_limit_states_its_real_maximum() -> None:
    limits = [
        p["schema"]
        for _, op in OPERATIONS
        for p in op.get("parameters", [])
        if p["name"] == "limit"
    ]
    assert len(limits) > 20
    assert all(s["maximum"] == 500 and s["minimum"] == 1 for s in limits)


def _input_models(cls: type = InputModel) -> list[type[InputModel]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_input_models(sub)]
    return found


def test_examples_are_real_and_valid() -> None:
    with_examples = [m for m in _input_models() if m.model_json_schema().get("examples")]
    assert {"StaffCreate", "UnitCreate", "EventCreate", "UserCreate"} <= {
        m.__name__ for m in with_examples
    }
    for model in with_examples:
        for example in model.model_json_schema()["examples"]:
            model.model_validate(example)  # raises when an example drifts from its model
    staff = CONTRACT["components"]["schemas"]["StaffCreate"]["examples"][0]
    assert staff["full_name"] == "Nguyễn Thị Thu Hà"
