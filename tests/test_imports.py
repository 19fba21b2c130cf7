"""An import as the secretariat runs it: the reject report, a refused file, two imports at once."""

import csv
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import HEADERS, open_recruitment, row, run_import, write_csv
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.recruitment import imports
from opgaveudvalg.settings import get_settings


@pytest.fixture
def recruiting_on_each_database(database_url: str) -> str:
    return open_recruitment()


def report_lines(slug: str, batch: models.ImportBatch) -> list[list[str]]:
    report = CommitteeFiles.of(get_settings().output_dir, slug).reject_report(batch.id)  # type: ignore[arg-type]
    with report.open(encoding="utf-8-sig") as stream:
        return list(csv.reader(stream, delimiter=";"))


def test_the_report_has_one_line_per_rejected_row_and_no_formulas(tmp_path: Path) -> None:
    """The same bad row twice and a row with two faults: as many lines as rejected rows; a
    header or file name Excel would run as a formula is written as text; no personal data."""
    slug = open_recruitment()
    bad = row(email="ikke-en-adresse", year="1700")
    path = tmp_path / "@ansøgninger.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow([*HEADERS, "=1+2"])
        writer.writerows([[*bad, ""], [*bad, ""], [*row(email="ok@example.dk"), "010190-1234"]])
    result = run_import(slug, path)
    lines = report_lines(slug, result)
    assert result.rejected == 3 == len(lines) - 1
    assert [line[:2] for line in lines[1:]] == [["'@ansøgninger.csv", str(n)] for n in (2, 3, 4)]
    assert lines[3][2] == "'=1+2"
    assert not [cell for line in lines for cell in line if cell.startswith(("=", "+", "-", "@"))]
    text = "\n".join(";".join(line) for line in lines)
    assert "ikke-en-adresse" not in text and "010190" not in text


def test_an_unreadable_file_is_refused_and_kept_as_such(tmp_path: Path) -> None:
    slug = open_recruitment()
    broken = tmp_path / "tom.csv"
    broken.write_text("", encoding="utf-8")
    with committee.committee_session(slug) as (session, found):
        batch = imports.register_import(session, found, broken)
        imports.run_import(session, batch, get_settings())
        assert (batch.state, batch.error) == (models.ImportState.refused, "tom.csv: filen er tom")
        assert session.exec(select(models.ImportLock)).first() is None
    with pytest.raises(UserError, match="tom.csv: filen er tom"):
        run_import(slug, broken)


def test_two_imports_at_once_are_serialised(
    recruiting_on_each_database: str, tmp_path: Path
) -> None:
    """Two files with the same new applicants imported at the same moment: both complete, each
    person once, no database error (the second waits for the first's lock)."""
    slug = recruiting_on_each_database
    people = [row(email=f"person{n}@example.dk", name=f"Person {n}") for n in range(3000)]
    files = [write_csv(tmp_path / f"{name}.csv", people) for name in ("a", "b")]
    results: list[models.ImportBatch | BaseException] = []

    def one(path: Path) -> None:
        try:
            results.append(run_import(slug, path))
        except BaseException as error:  # noqa: BLE001 - the test reports it
            results.append(error)

    threads = [threading.Thread(target=one, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, models.ImportBatch) for r in results), results
    counts = sorted((r.inserted, r.unchanged) for r in results)  # type: ignore[union-attr]
    assert counts == [(0, 3000), (3000, 0)]
    with session_scope() as session:
        assert len(session.exec(select(models.Applicant)).all()) == 3000
        assert session.exec(select(models.ImportLock)).first() is None


def test_the_lock_of_a_dead_import_is_taken_over_and_a_live_one_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = open_recruitment()
    path = write_csv(tmp_path / "e.csv", [row()])
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    with committee.committee_session(slug) as (session, found):
        holder = imports.register_import(session, found, path)
        session.add(
            models.ImportLock(
                committee_id=found.id,  # type: ignore[arg-type]
                import_id=holder.id,  # type: ignore[arg-type]
                holder=f"{os.uname().nodename}:{dead.stdout.strip()}",
            )
        )
    assert run_import(slug, path).inserted == 1
    with committee.committee_session(slug) as (session, found):
        session.add(
            models.ImportLock(
                committee_id=found.id,  # type: ignore[arg-type]
                import_id=holder.id,  # type: ignore[arg-type]
                holder=f"{os.uname().nodename}:{os.getppid()}",
            )
        )
    monkeypatch.setattr(imports, "LOCK_WAIT_SECONDS", 2)
    with pytest.raises(UserError, match="en anden import til samme udvalg"):
        run_import(slug, path)
