"""Base classes for the API contract (never table classes)."""

from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from app.core.text import nfc

T = TypeVar("T")


class InputModel(BaseModel):
    """Request bodies: unknown fields refused (no mass assignment), text normalised to NFC."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _normalise_text(cls, data: Any) -> Any:
        return nfc(data)


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class PatchModel(InputModel):
    """PATCH bodies: omitted fields stay as they are; `NOT_NULL` fields refuse an explicit null."""

    NOT_NULL: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name in cls.NOT_NULL:
            raise PydanticCustomError("not_null", "may be left out, but not set to null")
        return value
