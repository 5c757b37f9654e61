from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from app.core.schemas import WHITE_SPACE, InputModel, PatchModel, ReadModel, examples
from app.core.types import Id, patterned
from app.units.models import EducationLevel, UnitKind

ExternalCode = Annotated[str, patterned(r"^[A-Za-z0-9._\-/]+$", min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
# a part of a ký hiệu: letters (Đ included), digits; no white space, dashes or slashes, not
# even around it (refused before stripping, so the contract's pattern and maxLength hold)
SymbolPart = Annotated[str, patterned(rf"^[^{WHITE_SPACE}/-]+$", min_length=1, max_length=20)]
Place = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class UnitCreate(InputModel):
    model_config = examples(
        {
            "external_code": "DNI.THCS.TANPHU",
            "name": "Trường THCS Tân Phú",
            "kind": "school",
            "education_levels": ["lower_secondary"],
            "parent_id": 3,
        }
    )

    external_code: ExternalCode
    name: Name
    kind: UnitKind
    education_levels: list[EducationLevel] = Field(default_factory=list, max_length=5)
    parent_id: Id | None = Field(default=None, description="The managing unit; null for a root.")


class UnitUpdate(PatchModel):
    """Only the fields sent change. Re-parenting goes through `POST /units/{id}/move`."""

    NOT_NULL = frozenset({"external_code", "name", "kind", "education_levels"})

    external_code: ExternalCode | None = None
    name: Name | None = None
    kind: UnitKind | None = None
    education_levels: list[EducationLevel] | None = Field(default=None, max_length=5)
    head_staff_id: Id | None = Field(default=None, description="A staff member of this unit.")


class UnitMoveRequest(InputModel):
    new_parent_id: Id | None = Field(description="The new managing unit; null makes a root.")
    reason: Reason


class UnitRead(ReadModel):
    id: int
    external_code: str
    name: str
    kind: UnitKind
    education_levels: list[EducationLevel]
    parent_id: int | None
    head_staff_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class UnitMoveRead(ReadModel):
    id: int
    unit_id: int
    from_parent_id: int | None
    to_parent_id: int | None
    reason: str
    moved_at: datetime


class LetterheadWrite(InputModel):
    """A unit's heading on the documents it issues (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

    managing_body: Name | None = Field(
        default=None,
        description="Tên cơ quan chủ quản, printed above the unit's name, e.g. "
        "`UBND TỈNH BÌNH PHƯỚC`; null for none.",
    )
    abbreviation: SymbolPart = Field(description="Chữ viết tắt of the unit, e.g. `SGDĐT`.")
    drafting_unit: SymbolPart | None = Field(
        default=None, description="Đơn vị soạn thảo, e.g. `TCCB`: ký hiệu `SGDĐT-TCCB`."
    )
    place: Place = Field(description='Địa danh: "<place>, ngày … tháng … năm …".')
    signer_title: Name = Field(
        description="Quyền hạn, chức vụ người ký; a line break separates `KT. GIÁM ĐỐC` "
        "from `PHÓ GIÁM ĐỐC`."
    )
    signer_name: Name | None = None

    @field_validator("abbreviation", "drafting_unit", mode="before")
    @classmethod
    def _no_space_around(cls, value: object) -> object:
        if isinstance(value, str) and value != value.strip():
            raise ValueError("no white space in a ký hiệu")
        return value


class LetterheadRead(ReadModel):
    unit_id: int
    managing_body: str | None
    abbreviation: str
    drafting_unit: str | None
    symbol: str = Field(description="Ký hiệu of its công văn: `SGDĐT-TCCB`.")
    place: str
    signer_title: str
    signer_name: str | None
    version: int
    updated_at: datetime
