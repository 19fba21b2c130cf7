"""deletable: a member's applicant row can be deleted (the membership stays, its applicant_id
set to NULL); indexes for the deletions and look-ups by person; the figures kept after deletion

The other references to applicant.id (outbox messages, profile choices, duplicate reviews) have
cascaded since 0002/0003.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBER_APPLICANT_FK = "membership_applicant_id_fkey"  # PostgreSQL's own name for it since 0003
INDEXED = (
    ("applicant", "email_key"),
    ("membership", "applicant_id"),
    ("outboxmessage", "applicant_id"),
    ("duplicatereview", "other_applicant_id"),
    ("quarantinedrow", "email_key"),
    ("quarantinedrow", "person_key"),
)


def set_member_applicant_rule(ondelete: str | None, sqlite_name: str | None) -> None:
    """membership.applicant_id → applicant.id with `ondelete` as its rule. SQLite cannot alter a
    constraint: the table is rebuilt with the column's new reference (env.py turns foreign keys
    off meanwhile, so the rebuild neither cascades to nor is refused by attendance)."""
    if op.get_context().dialect.name == "sqlite":
        reference = sa.ForeignKey("applicant.id", name=sqlite_name, ondelete=ondelete)
        column = sa.Column("applicant_id", sa.Integer(), reference, nullable=True)
        with op.batch_alter_table("membership", recreate="always", reflect_args=[column]):
            pass
        return
    op.drop_constraint(MEMBER_APPLICANT_FK, "membership", type_="foreignkey")
    op.create_foreign_key(
        MEMBER_APPLICANT_FK, "membership", "applicant", ["applicant_id"], ["id"], ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "retainedfigures",
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("applicants", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column(
            "applicant_data_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["committee_id"], ["committee.id"]),
        sa.PrimaryKeyConstraint("committee_id"),
    )
    set_member_applicant_rule("SET NULL", MEMBER_APPLICANT_FK)
    for table, column in INDEXED:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(INDEXED):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
    # 0003 left the constraint unnamed on SQLite; PostgreSQL named it itself
    set_member_applicant_rule(None, None)
    op.drop_table("retainedfigures")
