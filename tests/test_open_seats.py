"""Applicants who choose no competence profile: candidates for the mandate's open seats in the
lottery and, once appointed, on an "Åben borgerplads"; a mandate without open seats needs a
profile, and says so."""

from pathlib import Path

import pytest
from helpers import (
    FAMILY,
    SLUG,
    applicants,
    appoint,
    current_status,
    open_recruitment,
    quarantined,
    row,
    run_import,
    write_csv,
)
from sqlmodel import select

from demo.applicants import write_demo_pool
from opgaveudvalg import committee, models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.errors import UserError
from opgaveudvalg.members import letters, roster
from opgaveudvalg.recruitment.columns import load_column_map, map_columns
from opgaveudvalg.selection import runs
from opgaveudvalg.selection.instance import OPEN_SEAT, build_instance
from opgaveudvalg.settings import get_settings

NO_OPEN_SEATS = {"  borgere: 10": "  borgere: 9"}  # the profiles hold all 9 citizen seats
REST = ["Postnummer", "Fødselsår", "Køn", "Kompetenceprofiler", "E-mail"]


@pytest.fixture
def recruiting() -> str:
    return open_recruitment()


def write_rows(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        stream.write(";".join(headers) + "\n")
        stream.writelines(";".join(values) + "\n" for values in rows)
    return path


def rest() -> list[str]:
    return ["2900", "1980", "kvinde", FAMILY, "a@example.dk"]


def test_an_applicant_without_a_profile_applies_for_the_open_seats(
    recruiting: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        [row(email="a@x.dk", profiles=""), row(email="b@x.dk", profiles=FAMILY)],
    )
    result = run_import(recruiting, path)
    assert (result.inserted, result.rejected) == (2, 0)
    with committee.committee_session(recruiting) as (session, found):
        chosen = session.exec(select(models.ApplicantProfile)).all()
        instance = build_instance(session, found)
    without, with_profile = applicants()
    assert {c.applicant_id for c in chosen} == {with_profile.id}
    people = {p.id: p.profiles for p in instance.people}
    assert people == {str(without.id): {OPEN_SEAT}, str(with_profile.id): {FAMILY, OPEN_SEAT}}
    current = current_status(recruiting)
    assert (current.open_seats, current.without_profile) == (1, 1)
    assert {
        "emne": "åbne pladser (uden bestemt profil)",
        "antal": 1,
        "bemærkning": "1 ansøgere har ikke valgt en profil og søger kun de åbne pladser",
    } in current.rows()


def test_a_reapplication_without_profiles_leaves_only_the_open_seats(
    recruiting: str, tmp_path: Path
) -> None:
    run_import(recruiting, write_csv(tmp_path / "uge1.csv", [row(profiles=FAMILY)]))
    result = run_import(recruiting, write_csv(tmp_path / "uge2.csv", [row(profiles="")]))
    assert (result.updated, result.rejected) == (1, 0)
    with committee.committee_session(recruiting) as (session, found):
        assert session.exec(select(models.ApplicantProfile)).all() == []
        [person] = build_instance(session, found).people
    assert person.profiles == {OPEN_SEAT}


def test_an_empty_profile_column_no_longer_hides_the_rows_real_faults(
    recruiting: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "e.csv", [row(email="a(at)x.dk", profiles="")])
    run_import(recruiting, path)
    assert quarantined() == [(2, "E-mail", "er ikke en gyldig e-mailadresse (mangler @)")]


def test_the_profile_column_may_be_absent_when_there_are_open_seats(
    recruiting: str, tmp_path: Path
) -> None:
    path = write_rows(
        tmp_path / "f.csv", ["Navn", *REST[:3], "E-mail"], [["A", *rest()[:3], "a@b.dk"]]
    )
    assert run_import(recruiting, path).inserted == 1


def test_the_profile_column_is_required_when_the_caller_says_so(tmp_path: Path) -> None:
    column_map = load_column_map(get_settings().column_map)
    headers = ["Navn", "E-mail", "Postnummer", "Fødselsår", "Køn"]
    with pytest.raises(UserError, match="mangler kolonnen 'profiler'"):
        map_columns(tmp_path / "f.csv", headers, column_map, [], profiles_required=True)


def test_a_non_resident_without_a_profile_is_refused(recruiting: str, tmp_path: Path) -> None:
    run_import(recruiting, write_csv(tmp_path / "e.csv", [row(postcode="2100", profiles="")]))
    assert quarantined() == [
        (
            2,
            "Postnummer",
            "postnummeret ligger uden for kommunen, og uden valgt profil søges en åben plads, "
            "som kræver bopæl i kommunen",
        )
    ]


def test_without_open_seats_a_profile_is_required_and_the_reason_says_why(
    tmp_path: Path,
) -> None:
    slug = open_recruitment(NO_OPEN_SEATS)
    run_import(slug, write_csv(tmp_path / "e.csv", [row(profiles=""), row(email="b@x.dk")]))
    assert quarantined() == [
        (
            2,
            "Kompetenceprofiler",
            "kommissoriet har ingen åbne pladser; vælg mindst én kompetenceprofil",
        )
    ]
    assert current_status(slug).open_seats == 0


@pytest.mark.slow
def test_a_member_without_a_profile_holds_an_open_citizen_seat(tmp_path: Path) -> None:
    open_recruitment()
    settings = get_settings()
    with committee.committee_session(SLUG) as (session, found):
        mandate = current_mandate(session, found)
    write_demo_pool(
        mandate, tmp_path / "pool.csv", postcodes=settings.postcodes, start=mandate.tidsplan.start
    )
    run_import(SLUG, tmp_path / "pool.csv")
    run_import(SLUG, write_csv(tmp_path / "open.csv", [row(email="aaben@x.dk", profiles="")]))
    [open_id] = [a.id for a in applicants() if a.email == "aaben@x.dk"]
    with committee.committee_session(SLUG) as (session, found):
        committee.transition(session, found, models.CommitteeStatus.selecting, "test")
        run = runs.compute_selection(session, found, fixed=frozenset({str(open_id)}))
        runs.draw_panel(session, run, 4711, "test")
    appoint()
    with committee.committee_session(SLUG) as (session, found):
        seat = next(m for m in roster.members(session, found) if m.applicant_id == open_id)
        messages = letters.write_letters(session, found, settings)
    assert seat.profile_key == OPEN_SEAT
    letter = next(m for m in messages if m.applicant_id == open_id)
    assert letter.kind == "brev-udpeget"
    assert "udvalget på en af pladserne uden bestemt profil." in letter.body_text
    assert "committee on one of the seats not tied to a profile." in letter.body_text
