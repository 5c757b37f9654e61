"""Criticism letters (văn bản phê bình, R-VIO-1): ``draft → issued``; issued ones never change."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.model_base import Tracked, UTCDateTime, enum_type


class CriticismStatus(enum.StrEnum):
    draft = "draft"
    issued = "issued"


class Criticism(Tracked, table=True):
    """A letter from an issuing unit (the Sở, an office) to a unit below it, citing that
    unit's violations and, when ``propose_emulation``, proposing that they count in its
    year-end emulation review.

    The number is ``{number}/{document_symbol}``, ``number`` running per issuing unit and
    calendar year (``criticism_counter``); the unique constraint backs it.
    """

    __tablename__ = "criticism"
    __table_args__ = (
        sa.UniqueConstraint("issuing_unit_id", "issued_year", "number", name="uq_criticism_number"),
        sa.CheckConstraint(
            "status <> 'issued' OR (number IS NOT NULL AND issued_on IS NOT NULL)",
            name="issued_has_number",
        ),
        sa.Index("ix_criticism_recipient_year", "recipient_unit_id", "school_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    status: CriticismStatus = Field(
        default=CriticismStatus.draft, sa_type=enum_type(CriticismStatus, "criticism_status")
    )
    school_year: str = Field(max_length=9)
    issuing_unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT", index=True)
    recipient_unit_id: int = Field(foreign_key="unit.id", ondelete="RESTRICT")
    # V/v phê bình …: what the letter is about, as printed under the number
    subject: str = Field(max_length=500)
    body: str = Field(sa_type=sa.Text)
    propose_emulation: bool = False
    place: str = Field(max_length=100)  # "Bình Phước, ngày … tháng … năm …"
    document_symbol: str = Field(max_length=32)  # ký hiệu, e.g. SGDĐT-TCCB
    # the line above the issuer's name (tên cơ quan chủ quản), from its letterhead
    managing_body: str | None = Field(default=None, max_length=255)
    signer_title: str = Field(max_length=255)
    signer_name: str | None = Field(default=None, max_length=255)
    copy_to: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # Nơi nhận, after "Như trên"
    created_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    # set once, when issued
    number: int | None = None
    issued_year: int | None = None
    document_number: str | None = Field(default=None, max_length=64)
    issued_on: date | None = None
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    issued_by_user_id: int | None = Field(
        default=None, foreign_key="app_user.id", ondelete="SET NULL"
    )
    issued_by_name: str | None = Field(default=None, max_length=255)

    @property
    def unit_id(self) -> int:
        """The unit the audit log files this letter under (it reads ``unit_id``)."""
        return self.issuing_unit_id


class CriticismViolation(SQLModel, table=True):
    """A violation cited by a letter. A violation is cited by one issued letter at most:
    issuing moves it ``open → cited`` and refuses any that is no longer open."""

    __tablename__ = "criticism_violation"

    criticism_id: int = Field(foreign_key="criticism.id", ondelete="CASCADE", primary_key=True)
    violation_id: int = Field(
        foreign_key="violation.id", ondelete="RESTRICT", primary_key=True, index=True
    )


class CriticismCounter(SQLModel, table=True):
    """The last number an issuing unit gave a letter in a calendar year.

    Moved only by ``UPDATE … SET last_number = last_number + 1`` (a row lock on PostgreSQL,
    the write lock on SQLite), so concurrent issues never draw the same number.
    """

    __tablename__ = "criticism_counter"
    __table_args__ = (sa.CheckConstraint("last_number >= 0", name="not_negative"),)

    issuing_unit_id: int = Field(foreign_key="unit.id", ondelete="CASCADE", primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = 0
