"""applications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 14:23:29.809134
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "applicant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("email_key", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("postcode", sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("gender", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("motivation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("publish_name", sa.Boolean(), nullable=False),
        sa.Column("household_key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("committee_id", "email_key"),
    )
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_applicant_committee_id"), ["committee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_applicant_household_key"), ["household_key"], unique=False
        )

    op.create_table(
        "importbatch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("file_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("repeated", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("importbatch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_importbatch_committee_id"), ["committee_id"], unique=False
        )

    op.create_table(
        "applicantprofile",
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("profile_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("applicant_id", "profile_key"),
    )
    op.create_table(
        "duplicatereview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("other_applicant_id", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.ForeignKeyConstraint(["other_applicant_id"], ["applicant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("applicant_id", "other_applicant_id"),
    )
    with op.batch_alter_table("duplicatereview", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duplicatereview_committee_id"), ["committee_id"], unique=False
        )

    op.create_table(
        "quarantinedrow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("column", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("raw_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("email_key", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("person_key", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["importbatch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("committee_id", "raw_hash", "column"),
    )
    with op.batch_alter_table("quarantinedrow", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quarantinedrow_committee_id"), ["committee_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quarantinedrow", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantinedrow_committee_id"))

    op.drop_table("quarantinedrow")
    with op.batch_alter_table("duplicatereview", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicatereview_committee_id"))

    op.drop_table("duplicatereview")
    op.drop_table("applicantprofile")
    with op.batch_alter_table("importbatch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_importbatch_committee_id"))

    op.drop_table("importbatch")
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_applicant_household_key"))
        batch_op.drop_index(batch_op.f("ix_applicant_committee_id"))

    op.drop_table("applicant")
