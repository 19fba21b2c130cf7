"""import runs: state and error of an import, and the per-committee import lock

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMPORT_STATES = ("queued", "running", "done", "refused")


def upgrade() -> None:
    with op.batch_alter_table("importbatch") as table:
        table.add_column(
            sa.Column(
                "file_path", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        table.add_column(
            sa.Column(
                "state",
                sa.Enum(*IMPORT_STATES, name="importstate", native_enum=False, length=20),
                nullable=False,
                server_default="done",
            )
        )
        table.add_column(sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_table(
        "importlock",
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["committee_id"], ["committee.id"]),
        sa.ForeignKeyConstraint(["import_id"], ["importbatch.id"]),
        sa.PrimaryKeyConstraint("committee_id"),
    )


def downgrade() -> None:
    op.drop_table("importlock")
    with op.batch_alter_table("importbatch") as table:
        table.drop_column("error")
        table.drop_column("state")
        table.drop_column("file_path")
