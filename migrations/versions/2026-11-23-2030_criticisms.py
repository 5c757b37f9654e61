"""criticism letters (R-VIO-1): letters, the violations they cite, number counters

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 20:13:05.089745
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "criticism_counter",
        sa.Column("issuing_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_number >= 0", name=op.f("ck_criticism_counter_not_negative")),
        sa.ForeignKeyConstraint(
            ["issuing_unit_id"],
            ["unit.id"],
            name=op.f("fk_criticism_counter_issuing_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issuing_unit_id", "year", name=op.f("pk_criticism_counter")),
    )
    op.create_table(
        "criticism",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "issued",
                name="criticism_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("issuing_unit_id", sa.Integer(), nullable=False),
        sa.Column("recipient_unit_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("propose_emulation", sa.Boolean(), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("document_symbol", sa.String(length=32), nullable=False),
        sa.Column("signer_title", sa.String(length=255), nullable=False),
        sa.Column("signer_name", sa.String(length=255), nullable=True),
        sa.Column("copy_to", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("issued_year", sa.Integer(), nullable=True),
        sa.Column("document_number", sa.String(length=64), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_by_user_id", sa.Integer(), nullable=True),
        sa.Column("issued_by_name", sa.String(length=255), nullable=True),
        sa.CheckConstraint(
            "status <> 'issued' OR (number IS NOT NULL AND issued_on IS NOT NULL)",
            name=op.f("ck_criticism_issued_has_number"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_criticism_created_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_criticism_issued_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issuing_unit_id"],
            ["unit.id"],
            name=op.f("fk_criticism_issuing_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_unit_id"],
            ["unit.id"],
            name=op.f("fk_criticism_recipient_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criticism")),
        sa.UniqueConstraint("issuing_unit_id", "issued_year", "number", name="uq_criticism_number"),
    )
    with op.batch_alter_table("criticism", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criticism_issuing_unit_id"), ["issuing_unit_id"], unique=False
        )
        batch_op.create_index(
            "ix_criticism_recipient_year", ["recipient_unit_id", "school_year"], unique=False
        )

    op.create_table(
        "criticism_violation",
        sa.Column("criticism_id", sa.Integer(), nullable=False),
        sa.Column("violation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criticism_id"],
            ["criticism.id"],
            name=op.f("fk_criticism_violation_criticism_id_criticism"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["violation_id"],
            ["violation.id"],
            name=op.f("fk_criticism_violation_violation_id_violation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "criticism_id", "violation_id", name=op.f("pk_criticism_violation")
        ),
    )
    with op.batch_alter_table("criticism_violation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_criticism_violation_violation_id"), ["violation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("criticism_violation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_criticism_violation_violation_id"))

    op.drop_table("criticism_violation")
    with op.batch_alter_table("criticism", schema=None) as batch_op:
        batch_op.drop_index("ix_criticism_recipient_year")
        batch_op.drop_index(batch_op.f("ix_criticism_issuing_unit_id"))

    op.drop_table("criticism")
    op.drop_table("criticism_counter")
