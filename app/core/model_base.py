"""Shared column types and the metadata naming convention.

Imported by every ``models.py`` so the naming convention is set before any table exists.
"""

import enum
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_text(moment: datetime) -> str:
    """A moment as offices write it, in Vietnam's time: ``08:00 05/12/2026``."""
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y")


def to_local_date(moment: datetime) -> date:
    """The calendar day in Vietnam (UTC+7) of a timestamp."""
    return moment.astimezone(LOCAL_TZ).date()


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware timestamps stored in UTC; SQLite hands back naive values, fixed here."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused; timestamps are stored in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def enum_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A VARCHAR plus CHECK constraint: no native PostgreSQL enum types to migrate."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def stored_columns(table: sa.Table) -> list[sa.ColumnElement[Any]]:
    """``table``'s columns for a read that only answers: ``enum_type`` columns come as their
    stored text (the enum's value), which the response model turns into the enum itself,
    in pydantic's compiled code. Through ``sa.Enum`` every value became an enum member in
    Python first: four per person, 200 for a page of 50 (issue 21)."""
    return [
        sa.type_coerce(c, sa.String(c.type.length)).label(c.name)
        if isinstance(c.type, sa.Enum)
        else c
        for c in table.c
    ]


class Tracked(SQLModel):
    """``version`` for optimistic locking (SQLAlchemy checks it on every UPDATE) and timestamps."""

    version: int = Field(default=1)
    created_at: datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    updated_at: datetime = Field(
        sa_type=UTCDateTime, default_factory=utcnow, sa_column_kwargs={"onupdate": utcnow}
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - declared_attr takes the class
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
