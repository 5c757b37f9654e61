"""the BDTX cycle (R-BDTX-1..5): year policies, modules, personal plans, self-study,
module scores, results, certificates, unit plans, unit reports

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 20:25:14.466881
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bdtx_module",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("block", sa.String(length=32), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("education_levels", sa.JSON(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("issuer_unit_id", sa.Integer(), nullable=True),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.CheckConstraint("periods > 0", name=op.f("ck_bdtx_module_periods_positive")),
        sa.ForeignKeyConstraint(
            ["issuer_unit_id"],
            ["unit.id"],
            name=op.f("fk_bdtx_module_issuer_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdtx_module")),
        sa.UniqueConstraint("code", name=op.f("uq_bdtx_module_code")),
    )
    op.create_table(
        "bdtx_module_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("module_code", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "score >= 0 AND score <= 10", name=op.f("ck_bdtx_module_score_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_bdtx_module_score_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdtx_module_score")),
        sa.UniqueConstraint("staff_id", "school_year", "module_code", name="uq_bdtx_score"),
    )
    op.create_table(
        "bdtx_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("preset", sa.String(length=32), nullable=True),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_bdtx_policy_created_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdtx_policy")),
        sa.UniqueConstraint("school_year", "revision", name="uq_bdtx_policy_rev"),
    )
    with op.batch_alter_table("bdtx_policy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bdtx_policy_school_year"), ["school_year"], unique=False
        )

    op.create_table(
        "bdtx_self_study",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("module_code", sa.String(length=64), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("evidence_url", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "approved",
                "rejected",
                name="self_study_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("inspected_by_user_id", sa.Integer(), nullable=True),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("inspection_note", sa.String(length=2000), nullable=True),
        sa.CheckConstraint("periods > 0", name=op.f("ck_bdtx_self_study_periods_positive")),
        sa.ForeignKeyConstraint(
            ["inspected_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_bdtx_self_study_inspected_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_bdtx_self_study_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_bdtx_self_study_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdtx_self_study")),
    )
    with op.batch_alter_table("bdtx_self_study", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bdtx_self_study_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bdtx_self_study_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "bdtx_personal_plan",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("module_codes", sa.JSON(), nullable=False),
        sa.Column("self_evaluation", sa.JSON(), nullable=False),
        sa.Column("self_evaluation_overall", sa.String(length=16), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "returned",
                name="bdtx_plan_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_bdtx_personal_plan_decided_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["bdtx_policy.id"],
            name=op.f("fk_bdtx_personal_plan_policy_id_bdtx_policy"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_bdtx_personal_plan_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_bdtx_personal_plan_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdtx_personal_plan")),
        sa.UniqueConstraint("staff_id", "school_year", name="uq_bdtx_plan_staff"),
    )
    with op.batch_alter_table("bdtx_personal_plan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bdtx_personal_plan_staff_id"), ["staff_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bdtx_personal_plan_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "bdtx_result",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("policy_revision", sa.Integer(), nullable=False),
        sa.Column("credited_periods", sa.Integer(), nullable=False),
        sa.Column("average_score", sa.Float(), nullable=True),
        sa.Column("result_class", sa.String(length=64), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "computed",
                "finalised",
                name="bdtx_result_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("finalised_by_user_id", sa.Integer(), nullable=True),
        sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["finalised_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_bdtx_result_finalised_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["bdtx_policy.id"],
            name=op.f("fk_bdtx_result_policy_id_bdtx_policy"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_bdtx_result_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_bdtx_result_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdtx_result")),
        sa.UniqueConstraint("staff_id", "school_year", name="uq_bdtx_result_staff"),
    )
    with op.batch_alter_table("bdtx_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bdtx_result_school_year"), ["school_year"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bdtx_result_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bdtx_result_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "bdtx_unit_report",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "accepted",
                "returned",
                name="bdtx_report_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("annual_plan_url", sa.String(length=500), nullable=True),
        sa.Column("nd2_materials", sa.JSON(), nullable=False),
        sa.Column("sent_to_ministry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_bdtx_unit_report_decided_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["bdtx_policy.id"],
            name=op.f("fk_bdtx_unit_report_policy_id_bdtx_policy"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_bdtx_unit_report_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdtx_unit_report")),
        sa.UniqueConstraint("unit_id", "school_year", name="uq_bdtx_report_unit"),
    )
    with op.batch_alter_table("bdtx_unit_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bdtx_unit_report_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "bdtx_certificate",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("result_class", sa.String(length=64), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("verification_code", sa.String(length=64), nullable=False),
        sa.Column("issuer_unit_id", sa.Integer(), nullable=True),
        sa.Column("issued_by_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "issued",
                "revoked",
                name="bdtx_certificate_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("revoked_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_bdtx_certificate_issued_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_unit_id"],
            ["unit.id"],
            name=op.f("fk_bdtx_certificate_issuer_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["bdtx_result.id"],
            name=op.f("fk_bdtx_certificate_result_id_bdtx_result"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_bdtx_certificate_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_bdtx_certificate_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdtx_certificate")),
        sa.UniqueConstraint("serial", name=op.f("uq_bdtx_certificate_serial")),
        sa.UniqueConstraint(
            "verification_code", name=op.f("uq_bdtx_certificate_verification_code")
        ),
    )
    with op.batch_alter_table("bdtx_certificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bdtx_certificate_result_id"), ["result_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bdtx_certificate_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "uq_bdtx_certificate_live",
            ["result_id"],
            unique=True,
            sqlite_where=sa.text("status = 'issued'"),
            postgresql_where=sa.text("status = 'issued'"),
        )
    op.create_table(
        "bdtx_unit_plan",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("module_codes", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("nd2_materials", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "returned",
                name="bdtx_unit_plan_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("sent_to_ministry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_bdtx_unit_plan_decided_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["bdtx_policy.id"],
            name=op.f("fk_bdtx_unit_plan_policy_id_bdtx_policy"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_bdtx_unit_plan_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bdtx_unit_plan")),
        sa.UniqueConstraint("unit_id", "school_year", name="uq_bdtx_unit_plan"),
    )
    with op.batch_alter_table("bdtx_unit_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bdtx_unit_plan_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bdtx_unit_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bdtx_unit_plan_unit_id"))

    op.drop_table("bdtx_unit_plan")
    with op.batch_alter_table("bdtx_certificate", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bdtx_certificate_live",
            sqlite_where=sa.text("status = 'issued'"),
            postgresql_where=sa.text("status = 'issued'"),
        )
        batch_op.drop_index(batch_op.f("ix_bdtx_certificate_unit_id"))
        batch_op.drop_index(batch_op.f("ix_bdtx_certificate_result_id"))

    op.drop_table("bdtx_certificate")
    with op.batch_alter_table("bdtx_unit_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bdtx_unit_report_unit_id"))

    op.drop_table("bdtx_unit_report")
    with op.batch_alter_table("bdtx_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bdtx_result_unit_id"))
        batch_op.drop_index(batch_op.f("ix_bdtx_result_staff_id"))
        batch_op.drop_index(batch_op.f("ix_bdtx_result_school_year"))

    op.drop_table("bdtx_result")
    with op.batch_alter_table("bdtx_personal_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bdtx_personal_plan_unit_id"))
        batch_op.drop_index(batch_op.f("ix_bdtx_personal_plan_staff_id"))

    op.drop_table("bdtx_personal_plan")
    with op.batch_alter_table("bdtx_self_study", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bdtx_self_study_unit_id"))
        batch_op.drop_index(batch_op.f("ix_bdtx_self_study_staff_id"))

    op.drop_table("bdtx_self_study")
    with op.batch_alter_table("bdtx_policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bdtx_policy_school_year"))

    op.drop_table("bdtx_policy")
    op.drop_table("bdtx_module_score")
    op.drop_table("bdtx_module")
