"""The app database under concurrent use: a large import never locks out the readers (a flow's
poll of the committee, a dry-run send of the outbox), and its rows become visible batch by batch."""

import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import open_recruitment, row, run_import, write_csv
from sqlalchemy import func
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.db import LockRetryingConnection
from opgaveudvalg.mail import outbox
from opgaveudvalg.recruitment import call
from opgaveudvalg.settings import get_settings

ROWS = 20_000


def large_export(path: Path) -> Path:
    return write_csv(
        path,
        (
            row(
                name=f"Person {i}",
                email=f"p{i}@example.dk",
                address=f"Vej {i % 8000}",
                year=str(1940 + i % 60),
                gender=("kvinde", "mand")[i % 2],
            )
            for i in range(ROWS)
        ),
    )


class Poller:
    """Reads like a waiting flow and `outbox send --dry-run` do, until told to stop."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.reads: list[tuple[float, int]] = []  # (finished at, applicants seen)
        self.errors: list[BaseException] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with committee.committee_session(self.slug) as (session, found):
                    open_at = datetime(2026, 12, 10, tzinfo=UTC)
                    assert call.close_reason(session, found, get_settings(), open_at) is None
                    seen = session.exec(
                        select(func.count()).where(models.Applicant.committee_id == found.id)
                    ).one()
                report = outbox.send_pending(found.id, dry_run=True)
                assert report.failures == []
            except BaseException as exc:  # noqa: BLE001 - recorded and asserted on below
                self.errors.append(exc)
                return
            self.reads.append((time.perf_counter(), seen))
            time.sleep(0.05)


@pytest.mark.slow
def test_large_import_does_not_lock_out_readers(tmp_path: Path) -> None:
    slug = open_recruitment()
    export = large_export(tmp_path / "stor.csv")
    poller = Poller(slug)
    reader = threading.Thread(target=poller.run)
    reader.start()
    try:
        started = time.perf_counter()
        result = run_import(slug, export)
        ended = time.perf_counter()
    finally:
        poller.stop.set()
        reader.join()
    assert poller.errors == []
    assert (result.rows, result.inserted, result.rejected) == (ROWS, ROWS, 0)
    during = [seen for finished, seen in poller.reads if started < finished < ended]
    assert len(during) >= 5, f"only {len(during)} reads finished while the import ran"
    assert any(0 < seen < ROWS for seen in during), "no batch was visible before the import ended"


def test_a_read_is_tried_again_while_another_connection_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("INSERT INTO t VALUES (1)")
    holder.execute("BEGIN EXCLUSIVE")  # rollback journal: no one may read until it ends
    plain = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        plain.execute("SELECT x FROM t")
    reader = sqlite3.connect(path, timeout=0, factory=LockRetryingConnection)
    release = threading.Timer(0.3, holder.execute, ["COMMIT"])
    release.start()
    try:
        assert reader.cursor().execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        release.join()
