"""committee and mandate

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:56:09.707670
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "committee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "mandated",
                "recruiting",
                "selecting",
                "appointed",
                "in_session",
                "delivered",
                "decided",
                "closed",
                name="committeestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("parent_committee", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status_note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_slug"), ["slug"], unique=True)

    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditevent_action"), ["action"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_auditevent_committee_id"), ["committee_id"], unique=False
        )

    op.create_table(
        "mandate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("committee_id", "version"),
    )
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mandate_committee_id"), ["committee_id"], unique=False)

    op.create_table(
        "approvaldecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("approved", "amend", "rejected", name="decision", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("agenda_item", sa.Integer(), nullable=False),
        sa.Column("case_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("flow_run_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.ForeignKeyConstraint(
            ["mandate_id"],
            ["mandate.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("approvaldecision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approvaldecision_committee_id"), ["committee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_approvaldecision_mandate_id"), ["mandate_id"], unique=False
        )

    op.create_table(
        "competenceprofile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("residence_required", sa.Boolean(), nullable=False),
        sa.Column("soft_criteria", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandate_id"],
            ["mandate.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mandate_id", "key"),
    )
    with op.batch_alter_table("competenceprofile", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competenceprofile_mandate_id"), ["mandate_id"], unique=False
        )

    op.create_table(
        "representationtarget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("group", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("min_count", sa.Integer(), nullable=True),
        sa.Column("max_count", sa.Integer(), nullable=True),
        sa.Column("min_percent", sa.Float(), nullable=True),
        sa.Column("max_percent", sa.Float(), nullable=True),
        sa.Column("min_seats", sa.Integer(), nullable=False),
        sa.Column("max_seats", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandate_id"],
            ["mandate.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("representationtarget", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_representationtarget_mandate_id"), ["mandate_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("representationtarget", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_representationtarget_mandate_id"))

    op.drop_table("representationtarget")
    with op.batch_alter_table("competenceprofile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competenceprofile_mandate_id"))

    op.drop_table("competenceprofile")
    with op.batch_alter_table("approvaldecision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvaldecision_mandate_id"))
        batch_op.drop_index(batch_op.f("ix_approvaldecision_committee_id"))

    op.drop_table("approvaldecision")
    with op.batch_alter_table("mandate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mandate_committee_id"))

    op.drop_table("mandate")
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditevent_committee_id"))
        batch_op.drop_index(batch_op.f("ix_auditevent_action"))

    op.drop_table("auditevent")
    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_slug"))

    op.drop_table("committee")
