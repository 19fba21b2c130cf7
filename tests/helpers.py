"""Helpers the test modules share: example mandates, application files, a committee brought to a
stage. Fixtures stay in conftest.py; test modules import helpers only from here."""

import csv
import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from demo.applicants import write_demo_pool
from opgaveudvalg import committee, models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.db import session_scope
from opgaveudvalg.members import appointment
from opgaveudvalg.models import Decision
from opgaveudvalg.recruitment import intake
from opgaveudvalg.selection import runs
from opgaveudvalg.settings import PROJECT_ROOT, get_settings

EXAMPLES = PROJECT_ROOT / "config" / "committees"
# The `snapshots` fixture: restore(stage name, build(folder), the test's folder)
Restore = Callable[[str, Callable[[Path], object], Path], None]


def example_text(slug: str = "ny-svoemmehal") -> str:
    return (EXAMPLES / f"{slug}.yaml").read_text(encoding="utf-8")


def mandate_file(
    folder: Path, slug: str, replacements: dict[str, str] | None = None, base: str = "ny-svoemmehal"
) -> Path:
    """An example mandate saved as `<folder>/<slug>.yaml` with text replacements applied."""
    text_ = example_text(base).replace(f"slug: {base}", f"slug: {slug}")
    for old, new in (replacements or {}).items():
        assert old in text_, f"test set-up: {old!r} not in the example"
        text_ = text_.replace(old, new, 1)
    path = folder / f"{slug}.yaml"
    path.write_text(text_, encoding="utf-8")
    return path


def line_of(path: Path, pattern: str) -> int:
    """1-based number of the first line matching the regular expression."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"{pattern!r} not found in {path}")


# --- applications ------------------------------------------------------------------------

HEADERS = [
    "Navn",
    "E-mail",
    "Telefon",
    "Adresse",
    "Postnummer",
    "Fødselsår",
    "Køn",
    "Kompetenceprofiler",
    "Motivation",
    "Bydel",
]
YOUNG = "unge-i-vandet"  # 15–24 years, residence required
CLUB = "forening-og-traening"  # no residence requirement
FAMILY = "familie-med-boern"


def row(
    name="Søren Ærø",
    email="soeren@example.dk",
    phone="",
    address="Strandvejen 1",
    postcode="2900",
    year="1990",
    gender="mand",
    profiles=FAMILY,
    motivation="Jeg svømmer",
    district="Hellerup og Tuborg",
) -> list[str]:
    return [name, email, phone, address, postcode, year, gender, profiles, motivation, district]


def write_csv(path: Path, rows: Iterable[list[str]], encoding="utf-8", delimiter=";") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def open_recruitment(replacements: dict[str, str] | None = None) -> str:
    """The swimming-hall committee, approved and with its call open."""
    path = mandate_file(get_settings().committees_dir, "ny-svoemmehal", replacements)
    with session_scope() as session:
        mandate_id = committee.register_mandate(session, path, "test").id
        committee.record_decision(
            session,
            mandate_id,
            committee.DecisionInput(  # type: ignore[arg-type]
                Decision.approved, date(2026, 12, 3), 4, "00.01.00-A00-1-26"
            ),
            "kb",
            "run",
        )
        found = committee.get_committee(session, "ny-svoemmehal")
        committee.transition(session, found, models.CommitteeStatus.recruiting, "test")
    return "ny-svoemmehal"


def run_import(slug: str, path: Path) -> models.ImportBatch:
    settings = get_settings()
    with committee.committee_session(slug) as (session, found):
        return intake.import_applications(session, found, path, settings)


# --- selection -----------------------------------------------------------------------------

SLUG = "ny-svoemmehal"
CASE = "00.01.00-A00-1-26"  # the case number open_recruitment records for KB's approval


def selecting(tmp_path: Path, replacements: dict[str, str] | None = None) -> models.Committee:
    """The swimming-hall committee with the demo's 150 applications imported and the call closed."""
    open_recruitment(replacements)
    with committee.committee_session(SLUG) as (session, found):
        mandate = current_mandate(session, found)
    export = tmp_path / "eksport.csv"
    write_demo_pool(
        mandate, export, postcodes=get_settings().postcodes, start=mandate.tidsplan.start
    )
    run_import(SLUG, export)
    with committee.committee_session(SLUG) as (session, found):
        committee.transition(session, found, models.CommitteeStatus.selecting, "test")
        return found


def compute_and_draw(number: int = 4711) -> int:
    with committee.committee_session(SLUG) as (session, found):
        run = runs.compute_selection(session, found)
        runs.draw_panel(session, run, number, "test")
        return run.id  # type: ignore[return-value]


def appoint(politicians: list[appointment.Politician] | None = None, amendments=()) -> None:  # type: ignore[no-untyped-def]
    with committee.committee_session(SLUG) as (session, found):
        appointment.record_appointment(
            session, found, date(2027, 1, 28), 9, list(amendments), politicians or [], "run-1", "kb"
        )
