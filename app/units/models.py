import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import Tracked, UTCDateTime, enum_type, utcnow


class UnitKind(enum.StrEnum):
    ministry = "ministry"
    department = "department"
    district_office = "district_office"
    commune = "commune"
    school = "school"
    center = "center"  # type: ignore[assignment]  # shadows str.center, harmlessly
    other = "other"


class EducationLevel(enum.StrEnum):
    """Cấp học: mầm non, tiểu học, THCS, THPT, GDTX."""

    preschool = "preschool"
    primary = "primary"
    lower_secondary = "lower_secondary"
    upper_secondary = "upper_secondary"
    continuing = "continuing"


class Unit(Tracked, table=True):
    """An organisational unit; its parent is its managing unit (cơ quan quản lý)."""

    __tablename__ = "unit"
    __table_args__ = (sa.CheckConstraint("parent_id <> id", name="not_own_parent"),)

    id: int | None = Field(default=None, primary_key=True)
    external_code: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=255)
    kind: UnitKind = Field(sa_type=enum_type(UnitKind, "unit_kind"))
    education_levels: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    parent_id: int | None = Field(
        default=None, foreign_key="unit.id", ondelete="RESTRICT", index=True
    )
    # Added by migration after the staff table exists (the two tables refer to each other).
    head_staff_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("staff.id", ondelete="SET NULL", use_alter=True)
        ),
    )


class UnitClosure(SQLModel, table=True):
    """Every (ancestor, descendant) pair with its distance, self included at depth 0.

    Subtree and scope checks are one indexed lookup whatever the size of the tree.
    """

    __tablename__ = "unit_closure"
    __table_args__ = (sa.Index("ix_unit_closure_descendant", "descendant_id", "depth"),)

    ancestor_id: int = Field(foreign_key="unit.id", ondelete="CASCADE", primary_key=True)
    descendant_id: int = Field(foreign_key="unit.id", ondelete="CASCADE", primary_key=True)
    depth: int


class UnitMove(SQLModel, table=True):
    """History of re-parenting (2025 reorganisations: districts abolished, provinces merged)."""

    __tablename__ = "unit_move"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", ondelete="CASCADE", index=True)
    from_parent_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="SET NULL")
    to_parent_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="SET NULL")
    reason: str = Field(max_length=500)
    moved_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class UnitLetterhead(Tracked, table=True):
    """How a unit heads the documents it issues (Nghị định 30/2020/NĐ-CP, Phụ lục I).

    ``managing_body`` is the line above the unit's name (tên cơ quan chủ quản, e.g.
    "UBND TỈNH BÌNH PHƯỚC"); the ký hiệu of a công văn is ``abbreviation-drafting_unit``
    (``SGDĐT-TCCB``); ``place`` opens the date line; ``signer_title`` heads the signature.
    Edited by the unit's administrators; a unit without one prints its name only.
    """

    __tablename__ = "unit_letterhead"

    unit_id: int = Field(foreign_key="unit.id", ondelete="CASCADE", primary_key=True)
    managing_body: str | None = Field(default=None, max_length=255)
    abbreviation: str = Field(max_length=20)
    drafting_unit: str | None = Field(default=None, max_length=20)
    place: str = Field(max_length=100)
    signer_title: str = Field(max_length=255)
    signer_name: str | None = Field(default=None, max_length=255)

    @property
    def symbol(self) -> str:
        """Ký hiệu of a công văn: the issuer's abbreviation, then the drafting unit's."""
        return "-".join(p for p in (self.abbreviation, self.drafting_unit) if p)
