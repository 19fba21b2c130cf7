"""delivery: the handover, the decisions on each recommendation, follow-up; consent to updates,
politicians' addresses, the day a committee closed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 08:07:47.316960
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consultationdecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column(
            "body",
            sa.Enum("fagudvalg", "kb", name="body", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("recommendation", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "følges",
                "følges-delvist",
                "følges-ikke",
                "budgetforhandlinger",
                "sendes-til-kb",
                name="outcome",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "proposal",
            sa.Enum(
                "følges",
                "følges-delvist",
                "følges-ikke",
                "budgetforhandlinger",
                "sendes-til-kb",
                name="outcome",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("agenda_item", sa.Integer(), nullable=False),
        sa.Column("case_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("flow_run_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("committee_id", "body", "recommendation"),
    )
    with op.batch_alter_table("consultationdecision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultationdecision_committee_id"), ["committee_id"], unique=False
        )

    op.create_table(
        "followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("recommendation", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "besluttet",
                "i-gang",
                "gennemført",
                "opgivet",
                name="followupstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_followup_committee_id"), ["committee_id"], unique=False
        )

    op.create_table(
        "handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("committee_id"),
    )
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("wants_updates", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))

    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("email")

    with op.batch_alter_table("committee", schema=None) as batch_op:
        batch_op.drop_column("closed_on")

    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.drop_column("wants_updates")

    op.drop_table("handover")
    with op.batch_alter_table("followup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_followup_committee_id"))

    op.drop_table("followup")
    with op.batch_alter_table("consultationdecision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultationdecision_committee_id"))

    op.drop_table("consultationdecision")
