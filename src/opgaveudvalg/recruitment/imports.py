"""An import as the secretariat runs it: registered first (so a Prefect run needs only its ID),
then run under the committee's import lock, with a reject report and a plain answer when the
file itself cannot be read.

Two imports for the same committee never write at once: the second waits for the lock (they
would otherwise both insert the same new e-mails). The lock is taken over when its holder's
process is gone (on this machine) or it has not beaten for `STALE_LOCK` (on another).
"""

import csv
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.errors import UserError
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.recruitment.columns import load_column_map, map_columns
from opgaveudvalg.recruitment.files import file_digest, read_export
from opgaveudvalg.recruitment.intake import BATCH_SIZE, COMMIT_ROWS, Importer
from opgaveudvalg.recruitment.rows import RowProblem, intake_rules
from opgaveudvalg.settings import Settings

STALE_LOCK = timedelta(minutes=5)
LOCK_POLL_SECONDS = 1.0
LOCK_WAIT_SECONDS = 30 * 60
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def register_import(
    session: Session, committee: models.Committee, path: Path
) -> models.ImportBatch:
    """A queued import of `path`; checks only what needs no reading of the file."""
    if committee.status != models.CommitteeStatus.recruiting:
        raise UserError(
            f"'{committee.slug}' tager ikke imod ansøgninger (status '{committee.status.value}')"
        )
    if not path.is_file():
        raise UserError(f"{path}: filen findes ikke")
    batch = models.ImportBatch(
        committee_id=committee.id,  # type: ignore[arg-type]
        file_name=path.name,
        file_path=str(path.resolve()),
        state=models.ImportState.queued,
    )
    session.add(batch)
    session.commit()
    return batch


def run_import(
    session: Session,
    batch: models.ImportBatch,
    settings: Settings,
    progress: Callable[[int], None] = lambda n: None,
) -> models.ImportBatch:
    """Run a registered import. A file that cannot be read ends the batch as `refused` with
    the reason in `error`; rows committed before a fault further down the file stay, and
    importing the corrected file adds the rest without duplicates. A fault of ours is raised."""
    committee = session.get(models.Committee, batch.committee_id)
    assert committee is not None
    try:
        with import_lock(session, batch, settings):
            _import_rows(session, committee, batch, settings, progress)
    except UserError as error:
        session.rollback()
        batch.state, batch.error = models.ImportState.refused, str(error)
    else:
        batch.state = models.ImportState.done
    session.add(batch)
    session.commit()
    return batch


def import_applications(
    session: Session,
    committee: models.Committee,
    path: Path,
    settings: Settings,
    progress: Callable[[int], None] = lambda n: None,
) -> models.ImportBatch:
    """Register and run an import at once; a refused file is raised as the user's error."""
    batch = run_import(session, register_import(session, committee, path), settings, progress)
    if batch.error:
        raise UserError(batch.error)
    return batch


def _import_rows(
    session: Session,
    committee: models.Committee,
    batch: models.ImportBatch,
    settings: Settings,
    progress: Callable[[int], None],
) -> None:
    """Every row into applicants or quarantine, committing every `COMMIT_ROWS` rows."""
    if committee.status != models.CommitteeStatus.recruiting:
        raise UserError(f"'{committee.slug}' tager ikke længere imod ansøgninger")
    rules = intake_rules(session, committee, settings)
    path = Path(batch.file_path)
    headers, rows = read_export(path, settings)
    mapping = map_columns(
        path,
        headers,
        load_column_map(settings.column_map),
        rules.mandate.balance_categories,
        profiles_required=rules.mandate.open_seats == 0,
    )
    batch.file_sha256 = file_digest(path)
    batch.state = models.ImportState.running
    files = CommitteeFiles.of(settings.output_dir, committee.slug)
    report_path = files.reject_report(batch.id)  # type: ignore[arg-type]
    with reject_report(report_path, batch.file_name) as report:
        importer = Importer(session, committee, rules, batch, mapping, report.add)
        for number, raw in rows:
            importer.add(number, raw)
            if batch.rows % COMMIT_ROWS == 0:
                importer.commit()
                _beat(session, batch)
            if batch.rows % BATCH_SIZE == 0:
                progress(batch.rows)
        importer.commit()
    progress(batch.rows)


# --- the lock ----------------------------------------------------------------------------


@contextmanager
def import_lock(session: Session, batch: models.ImportBatch, settings: Settings) -> Iterator[None]:
    """Hold the committee's import lock while the block runs; waits for another import."""
    waited = 0.0
    while not _take_lock(session, batch):
        if waited >= LOCK_WAIT_SECONDS:
            raise UserError(
                "en anden import til samme udvalg har været i gang i over "
                f"{LOCK_WAIT_SECONDS // 60} minutter; prøv igen, når den er færdig"
            )
        time.sleep(LOCK_POLL_SECONDS)
        waited += LOCK_POLL_SECONDS
    try:
        yield
    finally:
        session.rollback()
        session.execute(
            delete(models.ImportLock).where(
                col(models.ImportLock.committee_id) == batch.committee_id,
                col(models.ImportLock.import_id) == batch.id,
            )
        )
        session.commit()


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _is_gone(holder: models.ImportLock) -> bool:
    host, _, pid = holder.holder.rpartition(":")
    if holder.beat_at < models.utcnow() - STALE_LOCK:
        return True
    if host != socket.gethostname():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _take_lock(session: Session, batch: models.ImportBatch) -> bool:
    """Take the lock if it is free or its holder is gone; never waits itself."""
    try:
        session.execute(
            insert(models.ImportLock).values(
                committee_id=batch.committee_id,
                import_id=batch.id,
                holder=_this_process(),
                beat_at=models.utcnow(),
            )
        )
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
    holder = session.exec(
        select(models.ImportLock).where(models.ImportLock.committee_id == batch.committee_id)
    ).first()
    if holder is None or not _is_gone(holder):
        return False
    taken = session.execute(
        update(models.ImportLock)
        .where(
            col(models.ImportLock.committee_id) == batch.committee_id,
            col(models.ImportLock.holder) == holder.holder,
            col(models.ImportLock.import_id) == holder.import_id,
        )
        .values(import_id=batch.id, holder=_this_process(), beat_at=models.utcnow())
    )
    session.commit()
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def _beat(session: Session, batch: models.ImportBatch) -> None:
    session.execute(
        update(models.ImportLock)
        .where(col(models.ImportLock.import_id) == batch.id)
        .values(beat_at=models.utcnow())
    )
    session.commit()


# --- the reject report ---------------------------------------------------------------------


def spreadsheet_safe(text: str) -> str:
    """A cell Excel and LibreOffice show as text, never run as a formula (OWASP's advice:
    prefix a quote). Three lines; a library for it would be a dependency for one rule."""
    return "'" + text if text.startswith(FORMULA_START) else text


class RejectReport:
    """One line per rejected row — file, row, columns, reasons — and no personal data."""

    HEADER = ("fil", "række", "kolonne", "begrundelse")

    def __init__(self, stream: TextIO, file_name: str):
        self.writer = csv.writer(stream, delimiter=";")
        self.writer.writerow(self.HEADER)
        self.file_name, self.lines = file_name, 0

    def add(self, number: int, problems: list[RowProblem]) -> None:
        columns = ", ".join(dict.fromkeys(p.column for p in problems))
        reasons = "; ".join(p.reason for p in problems)
        cells = (self.file_name, str(number), columns, reasons)
        self.writer.writerow([spreadsheet_safe(cell) for cell in cells])
        self.lines += 1


@contextmanager
def reject_report(path: Path, file_name: str) -> Iterator[RejectReport]:
    """Written as rows are rejected, kept only if there were any; a half-written report of an
    import that stopped is never left in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with partial.open("w", encoding="utf-8-sig", newline="") as stream:
        report = RejectReport(stream, file_name)
        try:
            yield report
        except BaseException:
            partial.unlink()
            raise
    if report.lines:
        partial.replace(path)
    else:
        partial.unlink()
