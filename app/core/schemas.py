"""Base classes for the API contract (never table classes)."""

import types
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Generic, TypeVar, Union, get_args, get_origin

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    FutureDate,
    GetJsonSchemaHandler,
    NaiveDatetime,
    PastDate,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from app.core.text import nfc

T = TypeVar("T")


class JsonTypes(BaseModel):
    """Values of the JSON type the contract states: no lax coercion of other types."""

    @field_validator("*", mode="before")
    @classmethod
    def _json_types(cls, value: Any, info: ValidationInfo) -> Any:
        # Pydantic's lax mode reads `false` as 0, "5" as 5 and 0.5 as a timestamp; the
        # contract says integer, boolean, date-time, and a body must be what it says.
        shape = _field_shape(cls, info.field_name or "")
        if shape is not None:
            _check_shape(value, shape)
        return value


class InputModel(JsonTypes):
    """Request bodies: unknown fields refused (no mass assignment), text normalised to NFC."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _normalise_text(cls, data: Any) -> Any:
        return nfc(data)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler.resolve_ref_schema(handler(core_schema))
        for prop in schema.get("properties", {}).values():
            _require_visible_text(prop)
        return schema


# Unicode White_Space, what pydantic strips, spelled out for patterns: `\s` means another set
# in each regex engine (the server's Rust regex, ECMA in clients and validators, Python's re).
WHITE_SPACE = r"\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Text is stripped before its length is checked, so "at least one character" means one that
# is not stripped.
VISIBLE_TEXT = rf"[^{WHITE_SPACE}]"


def _require_visible_text(schema: dict[str, Any]) -> None:
    """Say so in the contract: a `minLength` string without a `pattern` gets one."""
    if schema.get("type") == "string" and schema.get("minLength", 0) >= 1:
        schema.setdefault("pattern", VISIBLE_TEXT)
    for branch in schema.get("anyOf", []):
        _require_visible_text(branch)
    if isinstance(schema.get("items"), dict):
        _require_visible_text(schema["items"])


_NUMBERS = (int, float)
_TEMPORAL = (date, datetime)
# pydantic's constrained date types are classes of their own, not subclasses of date
_TEMPORAL_TYPES = {date, datetime, AwareDatetime, NaiveDatetime, PastDate, FutureDate}


def _members(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) is Annotated:
        return _members(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(m for arg in get_args(annotation) for m in _members(arg))
    return (annotation,)


# What a field's JSON type refuses that lax validation would coerce: (the JSON type to name
# in the error, the Python types that pass, the subclasses of those that still do not).
Rule = tuple[str, tuple[type, ...], tuple[type, ...]]


def _rule(kinds: set[Any]) -> Rule | None:
    """How to tell a value that would only pass by lax coercion, else None (any value)."""
    if bool in kinds:
        return None if str in kinds else ("boolean", (bool,), ())
    if kinds & set(_NUMBERS) and str not in kinds:
        return "number", _NUMBERS, (bool,)
    if kinds & _TEMPORAL_TYPES and str not in kinds:
        # a date object never comes from JSON; Python callers (bulk imports) may pass one
        return "string", (str, *_TEMPORAL), ()
    return None


# An annotation's rule, and the shapes of its list items: worked out once per field, not once
# per value (the typing introspection was a sixth of a 25,000-row import, the set arithmetic
# per value a tenth of its row validation). None: nothing to check in any value.
Shape = tuple[Rule | None, tuple["Shape", ...]]


def _shape(annotation: Any) -> Shape | None:
    members = _members(annotation)
    kinds = {m for m in members if isinstance(m, type)}
    items = tuple(
        shape
        for m in members
        if get_origin(m) in (list, set, frozenset)
        for a in get_args(m)
        if (shape := _shape(a)) is not None
    )
    rule = _rule(kinds)
    return None if rule is None and not items else (rule, items)


@lru_cache(maxsize=4096)
def _field_shape(model: type[BaseModel], name: str) -> Shape | None:
    field = model.model_fields.get(name)
    return None if field is None else _shape(field.annotation)


def _check_shape(value: Any, shape: Shape) -> None:
    rule, items = shape
    if rule is not None and value is not None and not isinstance(value, (dict, list)):
        expected, passing, refused = rule
        if not isinstance(value, passing) or isinstance(value, refused):
            raise PydanticCustomError(
                "json_type", "Input should be a JSON {expected}", {"expected": expected}
            )
    if items and isinstance(value, list):
        for item_shape in items:
            for item in value:
                _check_shape(item, item_shape)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page."
    )


def whole(items: Sequence[T]) -> "Page[T]":
    """A sub-collection answered whole (an event's sessions, a user's roles): a page like
    every list, so clients page the same way everywhere, with no next page."""
    return Page(items=list(items), next_cursor=None)


class PatchModel(InputModel):
    """PATCH bodies: omitted fields stay as they are; `NOT_NULL` fields refuse an explicit null."""

    NOT_NULL: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.NOT_NULL:
            raise PydanticCustomError("not_null", "may be left out, but not set to null")
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # The Python type is `X | None` only so that "left out" can be told apart; the contract
        # must not offer null for these fields, or clients (and fuzzers) send what is refused.
        schema = super().__get_pydantic_json_schema__(core_schema, handler)
        for name in cls.NOT_NULL:
            prop = schema.get("properties", {}).get(name)
            if prop is not None:
                _drop_null(prop)
        return schema


def _drop_null(prop: dict[str, Any]) -> None:
    branches = [b for b in prop.get("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        del prop["anyOf"]
        prop.update(branches[0])
    elif branches:
        prop["anyOf"] = branches
    if prop.get("default", ...) is None:
        del prop["default"]


def examples(*items: dict[str, Any]) -> ConfigDict:
    """Real Vietnamese values for the contract's examples (Swagger would invent `"c"`);
    ``tests/test_contract_walk.py`` validates each against its model."""
    return ConfigDict(json_schema_extra={"examples": list(items)})
