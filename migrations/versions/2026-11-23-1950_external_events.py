"""external events: submissions, approvals, participation requests; violation link

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "external_event",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "training",
                "conference",
                "workshop",
                "event",
                name="external_event_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "approved",
                "rejected",
                "revoked",
                name="external_event_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column(
            "organiser_type",
            sa.Enum(
                "organization",
                "individual",
                "internal",
                name="organiser_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("organiser_name", sa.String(length=255), nullable=False),
        sa.Column("organiser_registration_number", sa.String(length=64), nullable=True),
        sa.Column("organiser_issuer", sa.String(length=255), nullable=True),
        sa.Column("organiser_address", sa.String(length=500), nullable=True),
        sa.Column("organiser_contact", sa.String(length=255), nullable=True),
        sa.Column("organiser_unit_id", sa.Integer(), nullable=True),
        sa.Column("organiser_staff_id", sa.Integer(), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("speakers", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("venue", sa.String(length=500), nullable=True),
        sa.Column("is_online", sa.Boolean(), nullable=False),
        sa.Column("expected_audience", sa.String(length=1000), nullable=True),
        sa.Column("expected_participants", sa.Integer(), nullable=True),
        sa.Column("fee_vnd", sa.Integer(), nullable=False),
        sa.Column("host_unit_id", sa.Integer(), nullable=False),
        sa.Column("province_wide", sa.Boolean(), nullable=False),
        sa.Column("authority_unit_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approval_document_number", sa.String(length=64), nullable=True),
        sa.Column("approval_document_on", sa.Date(), nullable=True),
        sa.Column("approval_signer_name", sa.String(length=255), nullable=True),
        sa.Column("rejection_reason", sa.String(length=1000), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_user_id", sa.Integer(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=1000), nullable=True),
        sa.CheckConstraint(
            "organiser_type <> 'internal' OR organiser_unit_id IS NOT NULL",
            name=op.f("ck_external_event_internal_has_unit"),
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_external_event_dates_in_order")),
        sa.CheckConstraint("fee_vnd >= 0", name=op.f("ck_external_event_fee_not_negative")),
        sa.ForeignKeyConstraint(
            ["authority_unit_id"],
            ["unit.id"],
            name=op.f("fk_external_event_authority_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_external_event_decided_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["host_unit_id"],
            ["unit.id"],
            name=op.f("fk_external_event_host_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organiser_staff_id"],
            ["staff.id"],
            name=op.f("fk_external_event_organiser_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["organiser_unit_id"],
            ["unit.id"],
            name=op.f("fk_external_event_organiser_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_external_event_revoked_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_external_event_submitted_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_event")),
    )
    with op.batch_alter_table("external_event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_external_event_authority_status", ["authority_unit_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_external_event_host_unit_id"), ["host_unit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_external_event_organiser_staff_id"), ["organiser_staff_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_external_event_organiser_unit_id"), ["organiser_unit_id"], unique=False
        )

    op.create_table(
        "participation_request",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_event_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "consented",
                "refused",
                "withdrawn",
                name="participation_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("commitment_text", sa.Text(), nullable=False),
        sa.Column("commitment_acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refusal_reason", sa.String(length=1000), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lapsed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "commitment_text <> ''", name=op.f("ck_participation_request_commitment_given")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_participation_request_decided_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["external_event_id"],
            ["external_event.id"],
            name=op.f("fk_participation_request_external_event_id_external_event"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_participation_request_requested_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_participation_request_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_participation_request_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participation_request")),
    )
    with op.batch_alter_table("participation_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participation_request_external_event_id"),
            ["external_event_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_participation_request_staff_id"), ["staff_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_participation_request_unit_id"), ["unit_id"], unique=False
        )
        batch_op.create_index(
            "uq_participation_request_active",
            ["external_event_id", "staff_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('submitted', 'consented')"),
            postgresql_where=sa.text("status IN ('submitted', 'consented')"),
        )

    # R-EXT-4 violations point at the external event; re-imports never record twice
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_event_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_violation_external_event_id"), ["external_event_id"], unique=False
        )
        batch_op.create_index(
            "uq_violation_external",
            ["external_event_id", "staff_id", "kind"],
            unique=True,
            sqlite_where=sa.text("external_event_id IS NOT NULL AND staff_id IS NOT NULL"),
            postgresql_where=sa.text("external_event_id IS NOT NULL AND staff_id IS NOT NULL"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_violation_external_event_id_external_event"),
            "external_event",
            ["external_event_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_violation_external_event_id_external_event"), type_="foreignkey"
        )
        batch_op.drop_index(
            "uq_violation_external",
            sqlite_where=sa.text("external_event_id IS NOT NULL AND staff_id IS NOT NULL"),
            postgresql_where=sa.text("external_event_id IS NOT NULL AND staff_id IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_violation_external_event_id"))
        batch_op.drop_column("external_event_id")

    with op.batch_alter_table("participation_request", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_participation_request_active",
            sqlite_where=sa.text("status IN ('submitted', 'consented')"),
            postgresql_where=sa.text("status IN ('submitted', 'consented')"),
        )
        batch_op.drop_index(batch_op.f("ix_participation_request_unit_id"))
        batch_op.drop_index(batch_op.f("ix_participation_request_staff_id"))
        batch_op.drop_index(batch_op.f("ix_participation_request_external_event_id"))

    op.drop_table("participation_request")
    with op.batch_alter_table("external_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_event_organiser_unit_id"))
        batch_op.drop_index(batch_op.f("ix_external_event_organiser_staff_id"))
        batch_op.drop_index(batch_op.f("ix_external_event_host_unit_id"))
        batch_op.drop_index("ix_external_event_authority_status")

    op.drop_table("external_event")
