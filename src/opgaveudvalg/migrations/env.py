"""Alembic environment: the engine comes from opgaveudvalg.db, the schema from models.

On SQLite a migration that changes a constraint rebuilds the table (copy, drop, rename). With
foreign keys enforced, dropping the old table would cascade to, or be refused by, the rows that
reference it, so they are off while migrating and every reference is checked before the commit.
"""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import opgaveudvalg.delivery.records  # noqa: F401  (registers the tables)
import opgaveudvalg.models  # noqa: F401


def migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def set_sqlite_foreign_keys(connection: Connection, enforced: bool) -> None:
    """SQLite ignores this pragma inside a transaction: it is set between two."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}")
    connection.commit()


def refuse_broken_references(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(f"the migration left {len(broken)} broken references in {tables}")


engine = context.config.attributes["engine"]
with engine.connect() as connection:
    if connection.dialect.name != "sqlite":
        with connection.begin():
            migrate(connection)
    else:
        set_sqlite_foreign_keys(connection, enforced=False)
        try:
            with connection.begin():
                migrate(connection)
                refuse_broken_references(connection)
        finally:
            set_sqlite_foreign_keys(connection, enforced=True)
