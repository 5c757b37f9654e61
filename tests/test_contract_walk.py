"""Walks the published contract as a frontend team's generator would (api.md, "What a
generated client needs from the contract")."""

import re
from typing import Any

import pytest

from app.core.openapi import SOMETIMES_SENT, _reached
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
        if components[name].get("properties")
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
