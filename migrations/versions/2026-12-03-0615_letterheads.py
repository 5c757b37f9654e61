"""official documents: units' letterheads (NĐ 30/2020), signing credentials, issued PDFs

Letters keep the managing body they were issued under.

Revision ID: 0010
Revises: 0009_partitions
Create Date: 2026-12-03 06:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009_partitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unit_letterhead",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("managing_body", sa.String(length=255), nullable=True),
        sa.Column("abbreviation", sa.String(length=20), nullable=False),
        sa.Column("drafting_unit", sa.String(length=20), nullable=True),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("signer_title", sa.String(length=255), nullable=False),
        sa.Column("signer_name", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_unit_letterhead_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_unit_letterhead")),
    )
    with op.batch_alter_table("criticism", schema=None) as batch_op:
        batch_op.add_column(sa.Column("managing_body", sa.String(length=255), nullable=True))
    op.create_table(
        "signing_credential",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("pkcs12_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("pkcs11_module", sa.String(length=500), nullable=True),
        sa.Column("pkcs11_slot", sa.Integer(), nullable=True),
        sa.Column("pkcs11_token_label", sa.String(length=64), nullable=True),
        sa.Column("pkcs11_key_label", sa.String(length=255), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_signing_credential_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_signing_credential")),
    )
    op.create_table(
        "issued_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_by", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_issued_document_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_document")),
        sa.UniqueConstraint("kind", "ref_id", name="uq_issued_document_ref"),
    )
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_document_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_document_unit_id"))
    op.drop_table("issued_document")
    op.drop_table("signing_credential")
    with op.batch_alter_table("criticism", schema=None) as batch_op:
        batch_op.drop_column("managing_body")
    op.drop_table("unit_letterhead")
