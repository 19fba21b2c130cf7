"""The app database: engine, sessions and Alembic migrations (run on every start).

SQLite is used by several processes at once (flows polling, an import writing, `outbox send`):
it runs in write-ahead-log mode, so readers see the last commit while a writer works; a writer
waits up to `SQLITE_BUSY_SECONDS` for another writer; and a read that still meets a lock is
tried again (`retry_when_locked`), in one place, the connection's cursor.
"""

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from opgaveudvalg.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
T = TypeVar("T")


SQLITE_BUSY_SECONDS = 30.0  # how long a statement waits for another connection's lock
LOCK_RETRIES = 5  # then a read that still finds the database locked is tried this often again
PRIVATE_MODE = 0o600  # the SQLite database file's permissions


def is_transient_lock(error: BaseException) -> bool:
    """SQLite's "database is locked" / "database is busy": another connection held the lock."""
    message = str(error).lower()
    return "database is locked" in message or "database is busy" in message


def retry_when_locked(read: Callable[[], T], attempts: int = LOCK_RETRIES) -> T:
    """`read()`, tried again after a short, growing pause while SQLite reports a transient
    lock; any other error, or the last attempt's, is raised."""
    for attempt in range(1, attempts + 1):
        try:
            return read()
        except sqlite3.OperationalError as error:
            if attempt == attempts or not is_transient_lock(error):
                raise
            time.sleep(min(0.05 * 2**attempt, 2.0))
    raise AssertionError("unreachable")


class LockRetryingCursor(sqlite3.Cursor):
    """Retries a SELECT that is not part of a write transaction (nothing to lose by trying it
    again); inside one, a lock error is a real conflict and is raised at once."""

    def execute(self, sql: str, parameters: Any = (), /) -> "LockRetryingCursor":
        def run() -> "LockRetryingCursor":
            sqlite3.Cursor.execute(self, sql, parameters)
            return self

        if self.connection.in_transaction or sql.lstrip()[:6].upper() != "SELECT":
            return run()
        return retry_when_locked(run)


class LockRetryingConnection(sqlite3.Connection):
    """The app's SQLite connections: their cursors retry reads on a transient lock."""

    def cursor(self, factory: Any = LockRetryingCursor) -> Any:
        return super().cursor(factory)


def _configure_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Per connection: foreign keys enforced; write-ahead log, so readers never wait for a
    writer (persistent in the file, a no-op once set); NORMAL sync, safe with WAL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def keep_private(database: Path) -> None:
    """The database file readable and writable by its owner only (0600): it holds applicants'
    personal data. SQLite gives its write-ahead log (-wal, -shm) the database file's mode when it
    creates them; ones left over from a wider file are narrowed too."""
    database.parent.mkdir(parents=True, exist_ok=True)
    if not database.exists():
        database.touch(mode=PRIVATE_MODE)
    for path in (database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))):
        if path.exists() and path.stat().st_mode & 0o077:  # any right for group or others
            path.chmod(PRIVATE_MODE)


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        keep_private(Path(parsed.database))
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_SECONDS, "factory": LockRetryingConnection}
    )
    event.listen(engine, "connect", _configure_sqlite)
    return engine


@lru_cache
def engine_for(url: str) -> Engine:
    """One engine per database URL, migrated to the newest schema on first use."""
    engine = make_engine(url)
    upgrade(engine)
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session committed on success and rolled back on error."""
    with Session(engine_for(url or get_settings().database_url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
