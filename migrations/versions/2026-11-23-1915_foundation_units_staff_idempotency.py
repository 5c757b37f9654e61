"""foundation: units, staff, idempotency

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:15:06.281616
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("response_headers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_idempotency_record_scope")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_record_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "unit",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ministry",
                "department",
                "district_office",
                "commune",
                "school",
                "center",
                "other",
                name="unit_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("education_levels", sa.JSON(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("head_staff_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("parent_id <> id", name=op.f("ck_unit_not_own_parent")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("external_code", name=op.f("uq_unit_external_code")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "staff",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_code", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=255), nullable=False),
        sa.Column("name_search", sa.String(length=255), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "teacher",
                "manager",
                "other",
                name="staff_category",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.String(length=255), nullable=True),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column(
            "education_level",
            sa.Enum(
                "preschool",
                "primary",
                "lower_secondary",
                "upper_secondary",
                "continuing",
                name="education_level",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("title_rank", sa.String(length=32), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column(
            "gender",
            sa.Enum(
                "male",
                "female",
                name="gender",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "on_leave",
                "retired",
                "left",
                name="staff_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_staff_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("external_code", name=op.f("uq_staff_external_code")),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_name_search"), ["name_search"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_unit_id"), ["unit_id"], unique=False)
    # unit and staff refer to each other: the head's foreign key comes once both exist
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_unit_head_staff_id_staff"),
            "staff",
            ["head_staff_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "unit_closure",
        sa.Column("ancestor_id", sa.Integer(), nullable=False),
        sa.Column("descendant_id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ancestor_id"],
            ["unit.id"],
            name=op.f("fk_unit_closure_ancestor_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["descendant_id"],
            ["unit.id"],
            name=op.f("fk_unit_closure_descendant_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ancestor_id", "descendant_id", name=op.f("pk_unit_closure")),
    )
    with op.batch_alter_table("unit_closure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_unit_closure_descendant", ["descendant_id", "depth"], unique=False
        )

    op.create_table(
        "unit_move",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("from_parent_id", sa.Integer(), nullable=True),
        sa.Column("to_parent_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_parent_id"],
            ["unit.id"],
            name=op.f("fk_unit_move_from_parent_id_unit"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["to_parent_id"],
            ["unit.id"],
            name=op.f("fk_unit_move_to_parent_id_unit"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_unit_move_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_move")),
    )
    with op.batch_alter_table("unit_move", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_move_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "staff_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("decision_number", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_staff_assignment_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_staff_assignment_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_assignment")),
    )
    with op.batch_alter_table("staff_assignment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_staff_assignment_staff_started", ["staff_id", "started_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_staff_assignment_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staff_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_assignment_unit_id"))
        batch_op.drop_index("ix_staff_assignment_staff_started")

    op.drop_table("staff_assignment")
    with op.batch_alter_table("unit_move", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_move_unit_id"))

    op.drop_table("unit_move")
    with op.batch_alter_table("unit_closure", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_closure_descendant")

    op.drop_table("unit_closure")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_unit_head_staff_id_staff"), type_="foreignkey")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_unit_id"))
        batch_op.drop_index(batch_op.f("ix_staff_status"))
        batch_op.drop_index(batch_op.f("ix_staff_name_search"))

    op.drop_table("staff")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_parent_id"))

    op.drop_table("unit")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_created_at"))

    op.drop_table("idempotency_record")
