"""Intake of applications: every format, every row rule, nothing lost, nothing duplicated."""

import csv
import json
import tracemalloc
from pathlib import Path

import pytest
from helpers import (
    CLUB,
    FAMILY,
    HEADERS,
    YOUNG,
    applicants,
    mandate_file,
    open_recruitment,
    quarantined,
    row,
    run_import,
    write_csv,
)
from openpyxl import Workbook
from sqlmodel import Session, select

from opgaveudvalg import committee, models
from opgaveudvalg.db import engine_for, session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.recruitment import imports, status
from opgaveudvalg.settings import get_settings


@pytest.fixture
def recruiting() -> str:
    return open_recruitment()


@pytest.fixture
def recruiting_on_each_database(database_url: str) -> str:
    return open_recruitment()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_encodings_and_delimiters(
    recruiting: str, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = write_csv(
        tmp_path / "eksport.csv",
        [row(), row(name="Åse Øberg", email="aase@example.dk", gender="kvinde")],
        encoding,
        delimiter,
    )
    result = run_import(recruiting, path)
    assert (result.rows, result.inserted, result.rejected) == (2, 2, 0)
    assert [a.name for a in applicants()] == ["Søren Ærø", "Åse Øberg"]


def test_excel_and_json_input(recruiting: str, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(row()[:5] + [1990] + row()[6:])  # Excel stores the birth year as a number
    workbook.save(tmp_path / "eksport.xlsx")
    (tmp_path / "eksport.json").write_text(
        json.dumps(
            [dict(zip(HEADERS, row(name="Åse Øberg", email="aase@example.dk"), strict=True))]
        ),
        encoding="utf-8",
    )
    assert run_import(recruiting, tmp_path / "eksport.xlsx").inserted == 1
    assert run_import(recruiting, tmp_path / "eksport.json").inserted == 1
    assert {(a.name, a.birth_year) for a in applicants()} == {
        ("Søren Ærø", 1990),
        ("Åse Øberg", 1990),
    }


def test_missing_required_column_names_column_and_file(recruiting: str, tmp_path: Path) -> None:
    path = tmp_path / "eksport.csv"
    path.write_text(
        "Navn;Postnummer;Fødselsår;Køn;Profiler\nA;2900;1990;mand;x\n", encoding="utf-8"
    )
    with pytest.raises(
        UserError, match=rf"{path}: mangler kolonnen 'email' \(accepterede overskrifter: e-mail"
    ):
        run_import(recruiting, path)


@pytest.mark.parametrize(
    ("bad", "column", "reason"),
    [
        (
            {"email": "jens(at)mail.dk"},
            "E-mail",
            "er ikke en gyldig e-mailadresse (mangler @)",
        ),
        ({"postcode": "28200"}, "Postnummer", "er ikke et dansk postnummer (fire cifre)"),
        (
            {"postcode": "2100"},
            "Postnummer",
            "postnummeret ligger uden for kommunen, og de valgte profiler kræver bopæl i kommunen",
        ),
        ({"year": "1850"}, "Fødselsår", "fødselsår skal være et årstal mellem 1917 og 2014"),
        ({"year": "firs"}, "Fødselsår", "fødselsår skal være et årstal mellem 1917 og 2014"),
        (
            {"gender": "ukendt"},
            "Køn",
            "ukendt køn – brug kvinde, mand, andet eller ønsker ikke at oplyse",
        ),
        (
            {"profiles": "svømmeklub"},
            "Kompetenceprofiler",
            "profil nr. 1 er ukendt – brug profilens nøgle eller betegnelse fra kommissoriet",
        ),
        (
            {"profiles": "", "postcode": "2100"},
            "Postnummer",
            "postnummeret ligger uden for kommunen, og uden valgt profil søges en åben plads, "
            "som kræver bopæl i kommunen",
        ),
        ({"name": ""}, "Navn", "navn mangler"),
        ({"email": ""}, "E-mail", "e-mail mangler"),
    ],
)
def test_row_rules(recruiting: str, tmp_path: Path, bad: dict, column: str, reason: str) -> None:
    path = write_csv(tmp_path / "eksport.csv", [row(email="god@example.dk"), row(**bad)])
    result = run_import(recruiting, path)
    assert (result.inserted, result.rejected) == (1, 1)
    assert quarantined() == [(3, column, reason)]
    files = CommitteeFiles.of(get_settings().output_dir, recruiting)
    report = files.reject_report(result.id)  # type: ignore[arg-type]
    with report.open(encoding="utf-8-sig") as stream:
        assert list(csv.reader(stream, delimiter=";")) == [
            ["fil", "række", "kolonne", "begrundelse"],
            ["eksport.csv", "3", column, reason],
        ]


def test_non_resident_may_apply_for_a_profile_without_residence(
    recruiting: str, tmp_path: Path
) -> None:
    run_import(
        recruiting,
        write_csv(tmp_path / "e.csv", [row(postcode="2100", profiles=f"{CLUB};{FAMILY}")]),
    )
    with session_scope() as session:
        verdicts = {
            p.profile_key: (p.eligible, p.reason)
            for p in session.exec(select(models.ApplicantProfile))
        }
    assert verdicts == {
        CLUB: (True, "opfylder de hårde kriterier"),
        FAMILY: (False, "bor uden for kommunen (postnr. 2100)"),
    }


def test_age_band_eligibility_with_reason(recruiting: str, tmp_path: Path) -> None:
    run_import(
        recruiting,
        write_csv(
            tmp_path / "e.csv",
            [
                row(email="ung@example.dk", year="2008", profiles=YOUNG),
                row(email="gammel@example.dk", year="1990", profiles=YOUNG),
            ],
        ),
    )
    with session_scope() as session:
        reasons = [
            p.reason
            for p in session.exec(
                select(models.ApplicantProfile).order_by(models.ApplicantProfile.applicant_id)
            )
        ]
    assert reasons == ["opfylder de hårde kriterier", "er 37 år i 2027; profilen kræver 15–24 år"]


def test_cpr_like_values_are_refused_and_never_stored(recruiting: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        [row(phone="010190-1234"), row(email="b@example.dk", motivation="mit cpr er 0101901234")],
    )
    result = run_import(recruiting, path)
    assert (result.inserted, result.rejected) == (0, 2)
    assert [q[1] for q in quarantined()] == ["Telefon", "Motivation"]
    engine_for(get_settings().database_url).dispose()
    stored = Path(get_settings().database_url.removeprefix("sqlite:///")).read_bytes()
    assert b"010190-1234" not in stored and b"0101901234" not in stored
    assert b"[CPR-lignende tal fjernet]" in stored  # the row itself is kept, masked


def test_reimport_changes_nothing_and_a_corrected_row_updates(
    recruiting_on_each_database: str, tmp_path: Path
) -> None:
    recruiting = recruiting_on_each_database
    rows = [row(), row(email="x(at)y.dk")]
    first = run_import(recruiting, write_csv(tmp_path / "e.csv", rows))
    again = run_import(recruiting, write_csv(tmp_path / "e.csv", rows))
    assert (first.inserted, first.rejected) == (1, 1)
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 1, 1)
    assert len(applicants()) == 1 and len(quarantined()) == 1
    fixed = run_import(
        recruiting,
        write_csv(
            tmp_path / "rettet.csv",
            [row(email=" SOEREN@Example.dk ", motivation="Ny motivation"), row(email="x@y.dk")],
        ),
    )
    assert (fixed.inserted, fixed.updated) == (1, 1)
    assert [a.motivation for a in applicants()] == ["Ny motivation", "Jeg svømmer"]
    with session_scope() as session:
        assert all(q.resolved for q in session.exec(select(models.QuarantinedRow)))


def test_households_and_possible_duplicates(
    recruiting_on_each_database: str, tmp_path: Path
) -> None:
    recruiting = recruiting_on_each_database
    result = run_import(
        recruiting,
        write_csv(
            tmp_path / "e.csv",
            [
                row(name="Søren Ærø", email="s1@example.dk", address="Strandvejen 1"),
                row(name="Ida Ærø", email="ida@example.dk", address="strandvejen  1,"),
                row(name="søren  ærø", email="s2@example.dk", address="Strandvejen 1."),
                row(name="Else Berg", email="else@example.dk", address="Bakkevej 4"),
            ],
        ),
    )
    people = applicants()
    assert result.inserted == 4 and result.flagged == 1
    assert (
        len({p.household_key for p in people[:3]}) == 1
        and people[3].household_key != people[0].household_key
    )
    with session_scope() as session:
        [review] = session.exec(select(models.DuplicateReview)).all()
    assert (review.applicant_id, review.other_applicant_id) == (people[0].id, people[2].id)


def test_status_for_a_known_pool(recruiting: str, tmp_path: Path) -> None:
    run_import(
        recruiting,
        write_csv(
            tmp_path / "e.csv",
            [
                row(email="a@x.dk", gender="kvinde", year="2005", profiles=YOUNG),
                row(email="b@x.dk", gender="mand", year="2006", profiles=YOUNG),
                row(
                    email="c@x.dk",
                    gender="mand",
                    year="1950",
                    profiles=FAMILY,
                    district="Vangede og Dyssegård",
                ),
                row(email="d@x.dk", gender="mand", year="1980", profiles=f"{YOUNG};{FAMILY}"),
                row(
                    email="e@x.dk", gender="andet", year="1980", profiles=YOUNG
                ),  # not eligible anywhere
                row(name="Fie Fejl", email="f(at)x.dk"),
            ],
        ),
    )
    settings = get_settings()
    with committee.committee_session(recruiting) as (session, found):
        current = status.recruitment_status(session, found, settings)
    assert (current.applicants, current.eligible_applicants, current.open_rejects) == (5, 4, 1)
    assert current.per_profile[0] == (YOUNG, current.per_profile[0][1], 4, 2)
    counts = {(g.category, g.group): g.count for g in current.groups}
    assert counts[("køn", "kvinde")] == 1 and counts[("køn", "mand")] == 3
    assert counts[("alder", "15-24 år")] == 2 and counts[("alder", "65 år og ældre")] == 1
    assert counts[("bydel", "Vangede og Dyssegård")] == 1
    assert "Kvinde (køn): kun 1 egnede ansøgere – målet kræver mindst 4" in current.warnings
    assert "Ingen egnede ansøgere til profilen 'byggeri-og-drift'" in current.warnings


def test_imports_only_while_recruiting(tmp_path: Path) -> None:
    path = mandate_file(get_settings().committees_dir, "ny-svoemmehal")
    with session_scope() as session:
        committee.register_mandate(session, path, "test")
    with pytest.raises(UserError, match="tager ikke imod ansøgninger"):
        run_import("ny-svoemmehal", write_csv(tmp_path / "e.csv", [row()]))


@pytest.mark.slow
def test_fifty_thousand_rows_with_bounded_memory(recruiting: str, tmp_path: Path) -> None:
    path = tmp_path / "stor.csv"
    rows = (
        row(
            name=f"Person {i}",
            email=f"p{i}@example.dk",
            address=f"Vej {i % 20000}",
            year=str(1940 + i % 60),
            gender=("kvinde", "mand")[i % 2],
        )
        for i in range(50_000)
    )
    write_csv(path, rows)
    tracemalloc.start()
    result = run_import(recruiting, path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (result.rows, result.inserted, result.rejected) == (50_000, 50_000, 0)
    assert peak < 150 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    with Session(engine_for(get_settings().database_url)) as session:
        assert len(session.exec(select(models.Applicant.id)).all()) == 50_000


class Stopped(Exception):
    pass


def test_an_import_stopped_half_way_keeps_its_committed_chunks_and_resumes(
    recruiting: str, tmp_path: Path
) -> None:
    """A process that dies mid-file: the chunks committed stay, the file imported again adds the
    rest, and nothing is there twice."""
    rows = [row(name=f"Person {i}", email=f"p{i}@example.dk") for i in range(4500)]
    rows[10] = row(name="Fejl", email="fejl(at)example.dk")
    path = write_csv(tmp_path / "e.csv", rows)

    def stop_at_3000(done: int) -> None:
        if done == 3000:
            raise Stopped

    with pytest.raises(Stopped), committee.committee_session(recruiting) as (session, found):
        imports.import_applications(session, found, path, get_settings(), stop_at_3000)
    assert len(applicants()) == 1999 and len(quarantined()) == 1
    with session_scope() as session:
        [stopped] = session.exec(select(models.ImportBatch)).all()
    assert (stopped.rows, stopped.inserted, stopped.rejected) == (2000, 1999, 1)
    again = run_import(recruiting, path)
    assert (again.rows, again.inserted, again.unchanged, again.rejected) == (4500, 2500, 1999, 1)
    assert len(applicants()) == 4499 and len(quarantined()) == 1


def test_status_warns_when_a_share_target_lags_in_the_pool(recruiting: str, tmp_path: Path) -> None:
    women = [row(name=f"K{i}", email=f"k{i}@x.dk", gender="kvinde") for i in range(4)]
    men = [row(name=f"M{i}", email=f"m{i}@x.dk", gender="mand") for i in range(8)]
    run_import(recruiting, write_csv(tmp_path / "e.csv", women + men))
    settings = get_settings()
    with committee.committee_session(recruiting) as (session, found):
        warnings = status.recruitment_status(session, found, settings).warnings
    assert "Kvinde (køn) udgør 33 % af de egnede ansøgere – målet er mindst 40 %" in warnings
    assert not any(w.startswith("Mand (køn)") for w in warnings)


def test_same_email_twice_in_a_file_is_idempotent(recruiting: str, tmp_path: Path) -> None:
    """A form export holding an applicant's first answer and a later correction."""
    path = write_csv(
        tmp_path / "e.csv",
        [row(motivation="Første svar"), row(email=" SOEREN@example.dk", motivation="Rettet svar")],
    )
    first = run_import(recruiting, path)
    [before] = applicants()
    again = run_import(recruiting, path)
    [after] = applicants()
    assert (first.inserted, first.updated, first.repeated) == (1, 0, 1)
    assert (again.inserted, again.updated, again.unchanged, again.repeated) == (0, 0, 1, 1)
    assert after.motivation == "Rettet svar" and after.updated_at == before.updated_at
