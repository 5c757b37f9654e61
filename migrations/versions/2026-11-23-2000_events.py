"""so events: sessions, requirements, nominations, attendance, excuses, credits

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:44:59.655921
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "training",
                "conference",
                "workshop",
                "event",
                name="event_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("organizer_unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column("summons_number", sa.String(length=64), nullable=True),
        sa.Column("summons_date", sa.Date(), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column(
            "mode",
            sa.Enum(
                "in_person",
                "online",
                "hybrid",
                name="event_mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("nomination_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bdtx_module_code", sa.String(length=64), nullable=True),
        sa.Column("bdtx_periods", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "summoned",
                "in_progress",
                "closed",
                "cancelled",
                name="event_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("cancel_reason", sa.String(length=1000), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "bdtx_periods IS NULL OR bdtx_periods >= 0", name=op.f("ck_event_periods_positive")
        ),
        sa.ForeignKeyConstraint(
            ["organizer_unit_id"],
            ["unit.id"],
            name=op.f("fk_event_organizer_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_organizer_status", ["organizer_unit_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_school_year"), ["school_year"], unique=False)

    op.create_table(
        "event_session",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_event_session_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_session_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_session")),
    )
    with op.batch_alter_table("event_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_session_event_id"), ["event_id"], unique=False)

    op.create_table(
        "summons_requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.Column("education_levels", sa.JSON(), nullable=False),
        sa.Column("title_ranks", sa.JSON(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=True),
        sa.Column(
            "quota_mode",
            sa.Enum(
                "exactly",
                "up_to",
                name="quota_mode",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.CheckConstraint(
            "(staff_id IS NOT NULL) OR (quota IS NOT NULL AND quota > 0)",
            name=op.f("ck_summons_requirement_named_or_quota"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_summons_requirement_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_summons_requirement_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summons_requirement")),
    )
    with op.batch_alter_table("summons_requirement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_summons_requirement_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "training_credit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("school_year", sa.String(length=9), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "event",
                "self_study",
                "lms",
                name="credit_source",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("module_code", sa.String(length=64), nullable=True),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("credited_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("periods >= 0", name=op.f("ck_training_credit_periods_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_training_credit_event_id_event"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_training_credit_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_training_credit_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_credit")),
    )
    with op.batch_alter_table("training_credit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_credit_staff_year", ["staff_id", "school_year"], unique=False
        )
        batch_op.create_index(
            "uq_training_credit_event",
            ["staff_id", "event_id"],
            unique=True,
            sqlite_where=sa.text("event_id IS NOT NULL"),
            postgresql_where=sa.text("event_id IS NOT NULL"),
        )

    op.create_table(
        "absence_excuse",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("attachment_ref", sa.String(length=500), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "confirmed",
                "rejected",
                name="excuse_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("submitted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_absence_excuse_decided_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_absence_excuse_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["event_session.id"],
            name=op.f("fk_absence_excuse_session_id_event_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_absence_excuse_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_absence_excuse_submitted_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_absence_excuse_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absence_excuse")),
    )
    with op.batch_alter_table("absence_excuse", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absence_excuse_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_absence_excuse_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_absence_excuse_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "uq_absence_excuse_live",
            ["session_id", "staff_id"],
            unique=True,
            sqlite_where=sa.text("status <> 'rejected'"),
            postgresql_where=sa.text("status <> 'rejected'"),
        )

    op.create_table(
        "attendance_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "present",
                "late",
                "left_early",
                "absent",
                name="mark_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("check_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("marked_by_user_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_attendance_mark_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_attendance_mark_marked_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["event_session.id"],
            name=op.f("fk_attendance_mark_session_id_event_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_attendance_mark_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_attendance_mark_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_mark")),
        sa.UniqueConstraint("session_id", "staff_id", name=op.f("uq_attendance_mark_session_id")),
    )
    with op.batch_alter_table("attendance_mark", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_mark_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_mark_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "late_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("granted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_late_consent_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_late_consent_granted_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_late_consent_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_consent")),
        sa.UniqueConstraint("event_id", "unit_id", name=op.f("uq_late_consent_event_id")),
    )
    op.create_table(
        "nomination",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "accepted",
                "refused",
                "withdrawn",
                "substituted",
                name="nomination_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("substitutes_id", sa.Integer(), nullable=True),
        sa.Column("nominated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_nomination_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_nomination_nominated_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["summons_requirement.id"],
            name=op.f("fk_nomination_requirement_id_summons_requirement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_nomination_staff_id_staff"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["substitutes_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_substitutes_id_nomination"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_nomination_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination")),
    )
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nomination_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nomination_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nomination_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(
            "uq_nomination_active",
            ["event_id", "staff_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('proposed', 'accepted')"),
            postgresql_where=sa.text("status IN ('proposed', 'accepted')"),
        )

    op.create_table(
        "requirement_target",
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "used >= 0 AND used <= quota", name=op.f("ck_requirement_target_within_quota")
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["summons_requirement.id"],
            name=op.f("fk_requirement_target_requirement_id_summons_requirement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_requirement_target_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("requirement_id", "unit_id", name=op.f("pk_requirement_target")),
    )
    op.create_table(
        "session_amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("amended_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["amended_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_session_amendment_amended_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_session_amendment_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["event_session.id"],
            name=op.f("fk_session_amendment_session_id_event_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_amendment")),
    )
    with op.batch_alter_table("session_amendment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_amendment_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "nomination_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("changed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_nomination_change_changed_by_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nomination.id"],
            name=op.f("fk_nomination_change_nomination_id_nomination"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_change")),
    )
    with op.batch_alter_table("nomination_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_change_nomination_id"), ["nomination_id"], unique=False
        )

    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_role_assignment_user_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_role_assignment_user_id"), ["user_id", "role", "unit_id", "event_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_role_assignment_event_id_event"),
            "event",
            ["event_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_role_assignment_event_for_organizer"),
            "event_id IS NULL OR role = 'organizer'",
        )

    # violations recorded at close point at the event and session they come from
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_violation_event_id_event"),
            "event",
            ["event_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_violation_session_id_event_session"),
            "event_session",
            ["session_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("violation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_violation_session_id_event_session"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_violation_event_id_event"), type_="foreignkey")

    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_role_assignment_event_for_organizer"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_role_assignment_event_id_event"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_role_assignment_user_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_role_assignment_user_id"), ["user_id", "role", "unit_id"]
        )
        batch_op.drop_column("event_id")

    op.drop_table("nomination_change")
    with op.batch_alter_table("session_amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_amendment_event_id"))

    op.drop_table("session_amendment")
    op.drop_table("requirement_target")
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_nomination_active",
            sqlite_where=sa.text("status IN ('proposed', 'accepted')"),
            postgresql_where=sa.text("status IN ('proposed', 'accepted')"),
        )
        batch_op.drop_index(batch_op.f("ix_nomination_unit_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_staff_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_event_id"))

    op.drop_table("nomination")
    op.drop_table("late_consent")
    op.drop_table("attendance_mark")
    with op.batch_alter_table("absence_excuse", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_absence_excuse_live",
            sqlite_where=sa.text("status <> 'rejected'"),
            postgresql_where=sa.text("status <> 'rejected'"),
        )
        batch_op.drop_index(batch_op.f("ix_absence_excuse_unit_id"))
        batch_op.drop_index(batch_op.f("ix_absence_excuse_staff_id"))
        batch_op.drop_index(batch_op.f("ix_absence_excuse_event_id"))

    op.drop_table("absence_excuse")
    with op.batch_alter_table("training_credit", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_training_credit_event",
            sqlite_where=sa.text("event_id IS NOT NULL"),
            postgresql_where=sa.text("event_id IS NOT NULL"),
        )
        batch_op.drop_index("ix_training_credit_staff_year")

    op.drop_table("training_credit")
    with op.batch_alter_table("summons_requirement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_summons_requirement_event_id"))

    op.drop_table("summons_requirement")
    with op.batch_alter_table("event_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_session_event_id"))

    op.drop_table("event_session")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_school_year"))
        batch_op.drop_index("ix_event_organizer_status")

    op.drop_table("event")
