"""Migration 0007 ("deletable by design") up and down on SQLite and PostgreSQL, with rows in the
tables; and the SQLite database file kept private (mode 0600)."""

import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData, Table, delete, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from opgaveudvalg.db import alembic_config, engine_for, make_engine, session_scope, upgrade

BEFORE = "0006"
NEW_INDEXES = {
    ("applicant", "ix_applicant_email_key"),
    ("membership", "ix_membership_applicant_id"),
    ("outboxmessage", "ix_outboxmessage_applicant_id"),
    ("duplicatereview", "ix_duplicatereview_other_applicant_id"),
    ("quarantinedrow", "ix_quarantinedrow_email_key"),
    ("quarantinedrow", "ix_quarantinedrow_person_key"),
}
KEPT = ("committee", "applicant", "membership", "meeting", "attendance")
CASCADED = ("outboxmessage", "applicantprofile", "duplicatereview")
NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An empty database of each kind, migrated to 0006."""
    engine = make_engine(database_url)
    upgrade(engine, BEFORE)
    yield engine
    engine.dispose()


def downgrade(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), BEFORE)


def reflected(connection: Connection, table: str) -> Table:
    """The table as the database has it (the models are already the newest schema)."""
    return Table(table, MetaData(), autoload_with=connection)


def insert(connection: Connection, table: str, **values: Any) -> int:
    """The new row's (first) primary key column."""
    result = connection.execute(reflected(connection, table).insert().values(**values))
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def a_member_with_everything(engine: Engine) -> int:
    """A committee with a member whose applicant row has an outbox message, a profile choice, a
    duplicate review and an attendance; returns the member's applicant ID."""
    with engine.begin() as connection:
        committee = insert(
            connection,
            "committee",
            slug="hal",
            title="Ny hal",
            status="appointed",
            parent_committee="Kultur",
            created_at=NOW,
            updated_at=NOW,
        )
        applicants = [
            insert(
                connection,
                "applicant",
                committee_id=committee,
                email_key=f"a{n}@example.org",
                name=f"Ansøger {n}",
                email=f"a{n}@example.org",
                postcode="8000",
                birth_year=1980,
                gender="kvinde",
                attributes={},
                motivation="",
                publish_name=False,
                content_hash=str(n) * 64,
                source=f"ansøgninger.csv:{n}",
                created_at=NOW,
                updated_at=NOW,
            )
            for n in (1, 2)
        ]
        member = applicants[0]
        membership = insert(
            connection,
            "membership",
            committee_id=committee,
            applicant_id=member,
            role="member",
            start_date=date(2027, 3, 1),
        )
        meeting = insert(
            connection,
            "meeting",
            committee_id=committee,
            number=1,
            uid="meeting-1@test",
            sequence=0,
            state="held",
            starts_at=NOW,
            ends_at=NOW,
            location="Rådhuset",
            facilitators=[],
            agenda=[],
            minutes={},
            updated_at=NOW,
        )
        insert(
            connection, "attendance", meeting_id=meeting, membership_id=membership, status="present"
        )
        insert(
            connection,
            "outboxmessage",
            committee_id=committee,
            idempotency_key="appointed-1",
            kind="appointed",
            applicant_id=member,
            to_address="a1@example.org",
            language="da",
            subject="Du er udpeget",
            body_text="…",
            body_html="…",
            status="sent",
            created_at=NOW,
        )
        insert(
            connection,
            "applicantprofile",
            applicant_id=member,
            profile_key="unge",
            eligible=True,
            reason="",
        )
        insert(
            connection,
            "duplicatereview",
            committee_id=committee,
            applicant_id=applicants[1],
            other_applicant_id=member,
            resolved=False,
        )
    return member


def all_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: sorted(
                (tuple(row) for row in connection.execute(select(reflected(connection, table)))),
                key=repr,
            )
            for table in (*KEPT, *CASCADED)
        }


def delete_applicant(engine: Engine, applicant_id: int) -> None:
    with engine.begin() as connection:
        applicant = reflected(connection, "applicant")
        connection.execute(delete(applicant).where(applicant.c.id == applicant_id))


def schema(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys, indexes and unique constraints as the database reports them."""
    inspector = inspect(engine)
    return {
        table: (
            [
                (c["name"], str(c["type"]), c["nullable"], c["default"])
                for c in inspector.get_columns(table)
            ],
            inspector.get_pk_constraint(table),
            sorted(map(repr, inspector.get_foreign_keys(table))),
            sorted(map(repr, inspector.get_indexes(table))),
            sorted(map(repr, inspector.get_unique_constraints(table))),
        )
        for table in inspector.get_table_names()
    }


def new_indexes(engine: Engine) -> set[tuple[str, str]]:
    inspector = inspect(engine)
    return {
        (table, name)
        for table, name in NEW_INDEXES
        if name in {index["name"] for index in inspector.get_indexes(table)}
    }


def test_rows_survive_upgrade_downgrade_and_upgrade_again(engine: Engine) -> None:
    a_member_with_everything(engine)
    before = all_rows(engine)
    assert all(before.values())
    upgrade(engine)
    assert all_rows(engine) == before
    downgrade(engine)
    assert all_rows(engine) == before
    upgrade(engine)
    assert all_rows(engine) == before


def test_after_upgrade_a_members_applicant_row_can_be_deleted(engine: Engine) -> None:
    member = a_member_with_everything(engine)
    upgrade(engine)
    delete_applicant(engine, member)
    with engine.connect() as connection:
        membership = connection.execute(select(reflected(connection, "membership"))).one()
        left = {
            t: len(connection.execute(select(reflected(connection, t))).all())
            for t in (*KEPT, *CASCADED)
        }
    assert membership.applicant_id is None and membership.role == "member"
    assert left == {**dict.fromkeys(KEPT, 1), **dict.fromkeys(CASCADED, 0)}


def test_after_downgrade_the_old_rule_refuses_that_delete(engine: Engine) -> None:
    member = a_member_with_everything(engine)
    upgrade(engine)
    downgrade(engine)
    with pytest.raises(IntegrityError):
        delete_applicant(engine, member)
    assert all(all_rows(engine).values())


def test_the_indexes_come_with_the_upgrade_and_go_with_the_downgrade(engine: Engine) -> None:
    assert new_indexes(engine) == set()
    upgrade(engine)
    assert new_indexes(engine) == NEW_INDEXES
    downgrade(engine)
    assert new_indexes(engine) == set()


def test_the_downgrade_restores_exactly_the_0006_schema(engine: Engine) -> None:
    before = schema(engine)
    upgrade(engine)
    assert "retainedfigures" in schema(engine)
    downgrade(engine)
    assert schema(engine) == before


def test_the_migrated_schema_is_what_the_models_declare(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def with_log(database: Path) -> list[Path]:
    return [database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))]


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "data" / "app.db"
    with session_scope(f"sqlite:///{database}") as session:
        session.connection().exec_driver_sql("CREATE TABLE scratch (n INTEGER)")
    files = with_log(database)
    assert all(path.exists() for path in files)
    assert {mode(path) for path in files} == {0o600}


def test_an_existing_wider_sqlite_database_is_narrowed(tmp_path: Path) -> None:
    files = with_log(tmp_path / "app.db")
    for path in files:
        path.touch(mode=0o644)
        path.chmod(0o644)
    engine_for(f"sqlite:///{files[0]}")
    assert {mode(path) for path in files} == {0o600}
