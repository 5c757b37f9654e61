"""The feed's items in the contract: one variant per resource, told apart by ``resource``,
each with the columns its ``data`` carries (a generated client narrows on ``resource`` and
gets typed fields, not a free object).

The schemas come from the tables themselves, so they cannot drift from what the feed writes:
a snapshot holds the row's columns, search helpers left out, secrets masked, times as text.
Bulk writes may carry only the columns a row provided, so fields are declared, not required.
"""

from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from app.changes.service import resources, shown

# column type -> JSON schema of its value in a snapshot
_SCHEMAS: list[tuple[type[Any], dict[str, Any]]] = [
    (sa.Boolean, {"type": "boolean"}),
    (sa.Integer, {"type": "integer"}),
    (sa.Float, {"type": "number"}),
    (sa.Numeric, {"type": "number"}),
    (sa.DateTime, {"type": "string", "description": "UTC, ISO 8601"}),
    (sa.Date, {"type": "string", "description": "ISO 8601 date"}),
    (sa.LargeBinary, {"type": "string", "description": "a stored file's size, `<n bytes>`"}),
    (sa.JSON, {}),
]


def _column_schema(column: sa.Column[Any], enums: dict[frozenset[str], str]) -> dict[str, Any]:
    kind = column.type
    values = getattr(kind, "enums", None)
    if values:
        name = enums.get(frozenset(values))
        schema = {"$ref": f"#/components/schemas/{name}"} if name else {"enum": list(values)}
    else:
        schema = next((dict(s) for t, s in _SCHEMAS if isinstance(kind, t)), {"type": "string"})
    return {"anyOf": [schema, {"type": "null"}]} if column.nullable else schema


def row_name(resource: str) -> str:
    return "".join(part.title() for part in resource.split("_")) + "Row"


def _row_schema(table: sa.Table, enums: dict[frozenset[str], str]) -> dict[str, Any]:
    return {
        "title": row_name(table.name),
        "type": "object",
        "description": f"A `{table.name}` as the feed carries it: its columns after the change.",
        "properties": {c.name: _column_schema(c, enums) for c in table.columns if shown(c.name)},
    }


def type_feed_items(schema: dict[str, Any]) -> None:
    """Replace ``ChangeRead`` by a union of one variant per resource (discriminated by
    ``resource``), each pointing ``data`` at that resource's row schema."""
    components = schema["components"]["schemas"]
    base = components.get("ChangeRead")
    if base is None:
        return
    enums = {frozenset(c["enum"]): n for n, c in components.items() if "enum" in c}
    tables = SQLModel.metadata.tables
    variants: dict[str, str] = {}
    for resource in sorted(resources()):
        row = row_name(resource)
        components[row] = _row_schema(tables[resource], enums)
        variant = dict(base, title=f"{row[:-3]}Change")
        variant["properties"] = {
            **base["properties"],
            "resource": {"type": "string", "const": resource},
            "data": {
                "anyOf": [{"$ref": f"#/components/schemas/{row}"}, {"type": "null"}],
                "description": base["properties"]["data"].get("description", ""),
            },
        }
        components[variant["title"]] = variant
        variants[resource] = f"#/components/schemas/{variant['title']}"
    components["ChangeRead"] = {
        "title": "ChangeRead",
        "description": "One change; `resource` tells which object, and so what `data` holds.",
        "oneOf": [{"$ref": ref} for ref in variants.values()],
        "discriminator": {"propertyName": "resource", "mapping": variants},
    }
