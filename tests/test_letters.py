"""The letters to applicants after KB's appointment, read as their receivers read them: KB's date,
the letterhead (date, case number, sender, named contact), the first meeting, the one reason for
not being selected, each reserve's own profile list and place, English words, and the HTML part
in a real browser with axe-core."""

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    CASE,
    EXAMPLES,
    SLUG,
    YOUNG,
    Restore,
    appoint,
    assert_no_serious_violations,
    axe_violations,
    compute_and_draw,
    row,
    selecting,
)
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.validation import load_mandate
from opgaveudvalg.meetings import plan
from opgaveudvalg.members import appointment, letters
from opgaveudvalg.selection import runs
from opgaveudvalg.selection.instance import OPEN_SEAT, profile_labels
from opgaveudvalg.settings import get_settings

LETTER_DAY = date(2027, 1, 29)  # the day after KB's meeting in helpers.appoint
KB_DAY_DA = "torsdag den 28. januar 2027 (punkt 9)"
KB_DAY_EN = "Thursday, 28 January 2027 (item 9)"
# Two applicants who do not meet the requirements of the one profile they chose
TOO_OLD = row(name="Karl Ældre", email="karl@example.dk", year="1960", profiles=YOUNG)
TOO_OLD_TOO = row(name="Nina Voksen", email="nina@example.dk", year="1990", profiles=YOUNG)


def with_ineligible(folder: Path) -> models.Committee:
    return selecting(folder, extra=(TOO_OLD, TOO_OLD_TOO))


def written(tmp_path: Path, snapshots: Restore) -> dict[str, dict[int, str]]:
    """Drawn, appointed and the letters written: each letter's text file by kind and applicant."""
    snapshots("selecting-with-ineligible", with_ineligible, tmp_path)
    compute_and_draw()
    appoint()
    with committee.committee_session(SLUG) as (session, found):
        letters.write_letters(session, found, get_settings(), LETTER_DAY)
    return read_letters()


def read_letters() -> dict[str, dict[int, str]]:
    folder = get_settings().output_dir / SLUG / "breve"
    return {
        kind: {int(p.stem): p.read_text("utf-8") for p in (folder / kind).glob("*.txt")}
        for kind in letters.LETTER_KINDS
    }


def danish(text: str) -> str:
    return text.partition("---- English ----")[0]


def english(text: str) -> str:
    return text.partition("---- English ----")[2].strip()


def id_of(name: str) -> int:
    with session_scope() as session:
        found = session.exec(select(models.Applicant).where(models.Applicant.name == name)).one()
        return found.id or 0


@pytest.mark.slow
def test_every_letter_is_headed_dated_and_signed_by_a_named_contact(
    tmp_path: Path, snapshots: Restore
) -> None:
    every = written(tmp_path, snapshots)
    assert all(every.values())
    for text in (t for kind in every.values() for t in kind.values()):
        lines = danish(text).splitlines()
        assert lines[1:9] == [
            "",
            "Gentofte Kommune",
            "Center for Kultur, Unge og Fritid",
            "",
            "Dato: 29. januar 2027",
            f"Sagsnr.: {CASE}",
            "Kontaktperson: Jonas Bech Lindqvist, Projektleder, Center for Kultur, Unge og Fritid",
            "E-mail: jobl@gentofte.dk · Telefon: +45 39 98 52 17",
        ]
        assert "Date: 29 January 2027" in english(text) and f"Case no.: {CASE}" in english(text)
        assert (
            danish(text)
            .rstrip()
            .endswith(
                "Jonas Bech Lindqvist\nProjektleder, Center for "
                "Kultur, Unge og Fritid\nGentofte Kommune"
            )
        )


@pytest.mark.slow
def test_a_letter_is_not_dated_before_kbs_meeting(tmp_path: Path, snapshots: Restore) -> None:
    written(tmp_path, snapshots)
    with committee.committee_session(SLUG) as (session, found):
        letters.write_letters(session, found, get_settings(), date(2026, 12, 2))
    assert all("\nDato: 28. januar 2027\n" in t for t in read_letters()["reserve"].values())


@pytest.mark.slow
def test_the_appointment_letter_gives_kbs_date_the_seat_and_the_first_meeting(
    tmp_path: Path, snapshots: Restore
) -> None:
    members = written(tmp_path, snapshots)["udpeget"]
    with committee.committee_session(SLUG) as (session, found):
        mandate = current_mandate(session, found)
        seats = {
            m.applicant_id: m.profile_key or "" for m in session.exec(select(models.Membership))
        }
    labels = profile_labels(mandate)
    for applicant_id, text in members.items():
        assert f"på sit møde {KB_DAY_DA} udpeget dig" in text
        assert f"At its meeting on {KB_DAY_EN} the Municipal Council appointed you" in text
        assert f"udvalget {seat_named(seats[applicant_id], labels)}." in text
        assert '"Du ' not in text  # not the call's "Du er …" sentence
        # not planned yet: when they will hear, and the usual day, time and place
        assert "I løbet af de næste dage får du en særskilt e-mail" in text
        assert "om tirsdagen kl. 17.00–20.00, Gentofte Rådhus" in text
        assert "on Tuesdays, 17:00–20:00, at Gentofte Rådhus" in text
    with committee.committee_session(SLUG) as (session, found):
        first = plan.plan_meetings(session, found, get_settings(), "test")[0]
        letters.write_letters(session, found, get_settings(), LETTER_DAY)
    assert first.starts_at.date() == date(2027, 2, 23)
    for text in read_letters()["udpeget"].values():
        assert (
            "Første møde er tirsdag den 23. februar 2027 kl. 17.00–20.00, Gentofte Rådhus, "
            "Bernstorffsvej 161, 2920 Charlottenlund – mødesal 1." in text
        )
        assert "The first meeting is on Tuesday, 23 February 2027, 17:00–20:00, at" in text


def test_kb_cannot_appoint_before_the_call_has_closed(tmp_path: Path, snapshots: Restore) -> None:
    """The letters said KB appointed the members on a date before the application deadline."""
    snapshots("selecting", selecting, tmp_path)
    compute_and_draw()
    with (
        committee.committee_session(SLUG) as (session, found),
        pytest.raises(UserError, match=r"KB-mødets dato 2027-01-24 ligger ikke efter ans"),
    ):
        appointment.record_appointment(session, found, date(2027, 1, 24), 9, [], [], None, "kb")
    with session_scope() as session:
        assert session.exec(select(models.Appointment)).all() == []


RESERVE_LINE = re.compile(r"^- nr\. (\d+) på reservelisten for (.+)$", re.M)


def seat_named(key: str, labels: dict[str, str]) -> str:
    if key == OPEN_SEAT:
        return "på en af pladserne uden bestemt profil"
    return f'på en plads for profilen "{labels[key]}"'


def list_named(key: str, labels: dict[str, str]) -> str:
    return "pladserne uden bestemt profil" if key == OPEN_SEAT else f'profilen "{labels[key]}"'


@pytest.mark.slow
def test_a_reserve_is_told_each_profile_list_and_place_and_what_it_means(
    tmp_path: Path, snapshots: Restore
) -> None:
    reserves = written(tmp_path, snapshots)["reserve"]
    with committee.committee_session(SLUG) as (session, found):
        run = runs.current_run(session, found)
        members = {m.applicant_id or 0 for m in session.exec(select(models.Membership))}
        expected = letters.reserve_places(run, members)
        labels = profile_labels(current_mandate(session, found))
    told: list[tuple[str, int]] = []
    for applicant_id, text in reserves.items():
        places = [(label, int(n)) for n, label in RESERVE_LINE.findall(danish(text))]
        assert places == [(list_named(key, labels), n) for key, n in expected[applicant_id]]
        told += places
        assert "Hver profil har sin egen reserveliste" in text
        assert "Each profile has its own reserve list" in text
        for label, n in places:
            ahead = "er du den første" if n == 1 else f"står der {n - 1} foran dig"
            assert f"På listen for {label} {ahead}" in text
    assert len(told) == len(set(told))  # no two reserves hold the same place on the same list
    assert {label for label, n in told if n == 1} == {list_named(k, labels) for k in run.reserves}


@pytest.mark.slow
def test_a_letter_of_refusal_gives_the_one_reason_that_applies(
    tmp_path: Path, snapshots: Restore
) -> None:
    refused = written(tmp_path, snapshots)["ikke-udvalgt"]
    too_old, too_old_too = id_of("Karl Ældre"), id_of("Nina Voksen")
    assert (
        '- profilen "Unge brugere af svømmehallen": du er 67 år i 2027; profilen kræver 15–24 år'
        in refused[too_old]
    )
    assert (
        '- profilen "Unge brugere af svømmehallen": du er 37 år i 2027; profilen kræver 15–24 år'
        in refused[too_old_too]
    )
    lottery = "du blev ikke udtrukket"
    requirements = "ikke opfyldte kravene"
    for applicant_id, text in refused.items():
        reasons = [lottery in danish(text), requirements in danish(text)]
        assert reasons == (
            [False, True] if applicant_id in (too_old, too_old_too) else [True, False]
        )
    assert sum(lottery in danish(text) for text in refused.values()) == len(refused) - 2


@pytest.mark.slow
def test_an_applicant_taken_out_of_the_lottery_is_not_told_they_were_not_drawn(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("selecting-with-ineligible", with_ineligible, tmp_path)
    with session_scope() as session:
        eligible = select(models.ApplicantProfile).where(models.ApplicantProfile.eligible)
        taken_out = session.exec(eligible).first().applicant_id  # type: ignore[union-attr]
    with committee.committee_session(SLUG) as (session, found):
        run = runs.compute_selection(session, found, excluded=frozenset({str(taken_out)}))
        runs.draw_panel(session, run, 4711, "test")
    appoint()
    with committee.committee_session(SLUG) as (session, found):
        letters.write_letters(session, found, get_settings(), LETTER_DAY)
    text = read_letters()["ikke-udvalgt"][taken_out]
    assert "Din ansøgning indgik ikke i lodtrækningen om pladserne." in text
    assert "udtrukket" not in text and "kravene" not in text


@pytest.mark.slow
def test_english_letters_say_municipal_council_and_open_with_their_subject(
    tmp_path: Path, snapshots: Restore
) -> None:
    subjects = {
        "udpeget": ("Du er udpeget til ", "You have been appointed to "),
        "reserve": ("Du er reserve til ", "You are a reserve for "),
        "ikke-udvalgt": ("Svar på din ansøgning til ", "Your application to "),
    }
    for kind, found in written(tmp_path, snapshots).items():
        for text in found.values():
            assert "City Council" not in text
            assert text.startswith(subjects[kind][0])
            assert english(text).splitlines()[0].startswith(subjects[kind][1])
            assert "Municipal Council" in english(text) or kind == "ikke-udvalgt"


def test_profile_labels_are_the_mandates_neutral_names() -> None:
    labels = profile_labels(load_mandate(EXAMPLES / f"{SLUG}.yaml"))
    assert labels["unge-i-vandet"] == "Unge brugere af svømmehallen"
    assert labels["familie-med-boern"] == "Forældre til mindre børn"
    assert all(not label.startswith("Du ") for label in labels.values())


@pytest.mark.slow
def test_the_html_letters_have_a_title_a_language_and_pass_axe(
    tmp_path: Path, snapshots: Restore, browser: Any
) -> None:
    written(tmp_path, snapshots)
    folder = get_settings().output_dir / SLUG / "breve"
    pages = {kind: sorted((folder / kind).glob("*.html"))[0] for kind in letters.LETTER_KINDS}
    found: dict[str, list[dict[str, Any]]] = {}
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for kind, path in pages.items():
            page.goto(path.as_uri())
            assert page.title() == path.with_suffix(".txt").read_text("utf-8").splitlines()[0]
            assert page.get_attribute("html", "lang") == "da"
            assert page.locator('article[lang="en"] h1').count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            found[f"{kind}@{width}"] = axe_violations(page)
        context.close()
    reserve = pages["reserve"].read_text("utf-8")
    assert "<li>nr. " in reserve and "- nr. " not in reserve
    assert_no_serious_violations(found)
