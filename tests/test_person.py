"""A person's rights on the app database: access (`person export`, art. 15) and erasure
(`person erase`, art. 17) of everything held under an e-mail address, with the public record
kept, a member replaced by a reserve and an applicant withdrawn from a running lottery."""

import json
from datetime import date
from pathlib import Path

import pytest
from helpers import (
    SLUG,
    YOUNG,
    Restore,
    appoint,
    compute_and_draw,
    open_recruitment,
    opgaveudvalg,
    row,
    run_import,
    selecting,
    write_csv,
)
from pypdf import PdfReader
from sqlmodel import col, select

from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.documents import short_date
from opgaveudvalg.errors import UserError
from opgaveudvalg.members import roster
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.retention import erasure, person
from opgaveudvalg.selection import runs
from opgaveudvalg.selection.instance import instance_from_json
from opgaveudvalg.settings import get_settings

# Too old for the only profile picked: in no lottery, on no reserve list
OUTSIDER = row(name="Åse Ørsted", email="aase@example.dk", profiles=YOUNG, year="1980")


def appointed(folder: Path) -> None:
    selecting(folder, extra=(OUTSIDER,))
    compute_and_draw()
    appoint()


def with_letter(applicant_id: int) -> Path:
    """A letter to the applicant as `members.letters` files it, and its outbox message."""
    settings = get_settings()
    letter = CommitteeFiles.of(settings.output_dir, SLUG).letters() / "ikke-udpeget"
    letter.mkdir(parents=True, exist_ok=True)
    (letter / f"{applicant_id}.txt").write_text("Kære ansøger", encoding="utf-8")
    with committee.committee_session(SLUG) as (session, found):
        found_applicant = session.get(models.Applicant, applicant_id)
        assert found_applicant is not None
        session.add(
            models.OutboxMessage(
                committee_id=found.id,  # type: ignore[arg-type]
                idempotency_key=f"brev-{applicant_id}",
                kind="brev-ikke-udpeget",
                applicant_id=applicant_id,
                to_address=found_applicant.email,
                language="da",
                subject="Tak for din ansøgning",
                body_text=f"Kære {found_applicant.name}",
                body_html="",
            )
        )
    return letter / f"{applicant_id}.txt"


def unselected() -> models.Applicant:
    """An applicant neither seated nor on a reserve list."""
    with committee.committee_session(SLUG) as (session, found):
        run = runs.appointed_run(session, found)
        taken = {int(i) for ids in run.reserves.values() for i in ids}
        taken |= {m.applicant_id for m in roster.members(session, found) if m.applicant_id}
        query = select(models.Applicant).where(col(models.Applicant.id).not_in(taken))
        return session.exec(query.order_by(col(models.Applicant.id))).first()  # type: ignore[return-value]


def exported(folder: Path, address: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    done = opgaveudvalg("person", "export", address, "--out", str(folder))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(folder / f"indsigt.{x}") for x in ("json", "html", "pdf")]
    data = json.loads((folder / "indsigt.json").read_text(encoding="utf-8"))
    text = "\n".join(page.extract_text() for page in PdfReader(folder / "indsigt.pdf").pages)
    return data, " ".join(text.split())


def audit_details() -> str:
    with session_scope() as session:
        return json.dumps([e.details for e in session.exec(select(models.AuditEvent))])


def held(address: str) -> person.Held:
    with session_scope() as session:
        return person.find(session, person.normalised(address))


@pytest.mark.slow
def test_export_then_erase_of_an_unselected_applicant(database_url: str, tmp_path: Path) -> None:
    appointed(tmp_path)
    applicant = unselected()
    letter = with_letter(applicant.id)  # type: ignore[arg-type]
    data, text = exported(tmp_path / "foer", applicant.email.upper())
    [application] = data["ansøgninger"]
    assert application["oplysninger"]["name"] == applicant.name
    assert application["oplysninger"]["email"] == applicant.email
    assert application["profiler"] and all("egnet" in p for p in application["profiler"])
    assert [m["subject"] for m in application["beskeder"]] == ["Tak for din ansøgning"]
    assert (
        application["opbevaring"]["slettes"] == "2027-07-28"
    )  # 6 months after KB's appointment, 2027-01-28
    assert applicant.name in text and short_date(date(2027, 7, 28), "da") in text
    assert "Datatilsynet" in text and get_settings().dpo_email in text

    kept = opgaveudvalg("person", "erase", applicant.email)
    assert kept.returncode == 0 and "Intet er slettet" in kept.stdout
    assert "ansøgningen (ikke udpeget)" in kept.stdout
    assert len(held(applicant.email).applicants) == 1 and letter.exists()

    done = opgaveudvalg("person", "erase", applicant.email, "--yes")
    assert done.returncode == 0, done.stderr
    assert not any(held(applicant.email).counts().values()) and not letter.exists()
    with session_scope() as session:
        assert session.get(models.Applicant, applicant.id) is None
        gone = select(models.OutboxMessage).where(models.OutboxMessage.applicant_id == applicant.id)
        assert session.exec(gone).first() is None
        assert runs.verify(session, runs.appointed_run(session, found_committee(session)).id).ok  # type: ignore[arg-type]

    again, text = exported(tmp_path / "efter", applicant.email)
    assert [
        again[k] for k in ("ansøgninger", "afviste_rækker", "beskeder", "politikerpladser")
    ] == [[]] * 4
    assert "Vi har ingen oplysninger om dig" in text and applicant.name not in text
    details = audit_details()
    assert applicant.email not in details and applicant.name not in details


def found_committee(session) -> models.Committee:  # type: ignore[no-untyped-def]
    return committee.get_committee(session, SLUG)


def test_an_unknown_address_has_nothing_held_and_a_malformed_one_is_refused(
    tmp_path: Path,
) -> None:
    data, text = exported(tmp_path / "ukendt", "ingen@example.dk")
    assert data["ansøgninger"] == [] and "Vi har ingen oplysninger om dig" in text
    bad = opgaveudvalg("person", "erase", "ingen(at)example.dk", "--yes")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip() == "fejl: e-mailadressen er ikke en gyldig e-mailadresse (mangler @)"


@pytest.mark.slow
def test_erasing_sitting_members_seats_reserves_and_keeps_the_public_record(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("person-appointed", appointed, tmp_path)
    settings = get_settings()
    with committee.committee_session(SLUG) as (session, found):
        run = runs.appointed_run(session, found)
        first, second = [m for m in roster.members(session, found) if m.applicant_id][:2]
        reserves = run.reserves[first.profile_key]  # type: ignore[index]
        seated = {m.applicant_id for m in roster.members(session, found)}
        waiting = [int(i) for i in reserves if int(i) not in seated]
        reserve = session.get(models.Applicant, waiting[0])
        for membership, publish in ((first, True), (second, False)):
            member = session.get(models.Applicant, membership.applicant_id)
            member.publish_name = publish  # type: ignore[union-attr]
        people = {m.id: session.get(models.Applicant, m.applicant_id) for m in (first, second)}
        names = {i: (a.name, a.email) for i, a in people.items()}  # type: ignore[union-attr]
    # The first reserve asks to be erased: the seat goes to the next one who fits
    with session_scope() as session:
        plan = person.erasure_plan(session, settings, reserve.email)  # type: ignore[union-attr]
        person.erase(session, settings, plan, date(2027, 3, 1), "test")
    for membership in (first, second):
        with session_scope() as session:
            plan = person.erasure_plan(session, settings, names[membership.id][1])
            assert "en reserve overtager pladsen" in "\n".join(plan.lines())
            person.erase(session, settings, plan, date(2027, 3, 1), "test")
    with committee.committee_session(SLUG) as (session, found):
        events = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "members.replaced")
        ).all()
        assert [e.details["left"] for e in events] == [first.applicant_id, second.applicant_id]
        assert events[0].details["joined"] not in (None, reserve.id)  # type: ignore[union-attr]
        assert all(e.reason == person.REASON for e in events)
        kept = {m.id: session.get(models.Applicant, m.applicant_id) for m in (first, second)}
        label = person._labels(session, found)[second.profile_key]  # type: ignore[index]
        assert kept[first.id].name == names[first.id][0]  # type: ignore[union-attr]
        assert kept[second.id].name == f"borger, profil {label}"  # type: ignore[union-attr]
        for applicant in kept.values():
            assert (applicant.email, applicant.phone, applicant.address) == ("", None, None)  # type: ignore[union-attr]
            assert erasure.is_erased(applicant)  # type: ignore[arg-type]
        ended = [session.get(models.Membership, m.id) for m in (first, second)]
        assert all(m.end_reason == person.REASON for m in ended)  # type: ignore[union-attr]
    for name, address in names.values():
        assert not any(held(address).counts().values())
        assert name not in audit_details() and address not in audit_details()


def test_erasing_while_the_call_is_open_withdraws_the_application(
    database_url: str, tmp_path: Path
) -> None:
    open_recruitment()
    rows = [row(), row(name="Bo Ærø", email="bo@example.dk", address="Strandvejen 2")]
    run_import(SLUG, write_csv(tmp_path / "eksport.csv", rows))
    done = opgaveudvalg("person", "erase", " Soeren@Example.dk ", "--yes")
    assert done.returncode == 0, done.stderr
    assert "ansøgningen trækkes tilbage fra lodtrækningen" in done.stdout
    with session_scope() as session:
        [left] = session.exec(select(models.Applicant)).all()
        profiles = session.exec(select(models.ApplicantProfile.applicant_id)).all()
        assert left.email == "bo@example.dk" and set(profiles) == {left.id}


@pytest.mark.slow
def test_a_withdrawal_recomputes_the_lottery_that_counted_on_it(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("selecting", selecting, tmp_path)
    settings = get_settings()
    with committee.committee_session(SLUG) as (session, found):
        earlier = runs.compute_selection(session, found)
        leaving = instance_from_json(earlier.inputs).people[0].id
        address = session.get(models.Applicant, int(leaving)).email  # type: ignore[union-attr]
    with session_scope() as session:
        plan = person.erasure_plan(session, settings, address)
        [note] = person.erase(session, settings, plan, date(2026, 12, 20), "test")
        assert "beregnet igen" in note
    with committee.committee_session(SLUG) as (session, found):
        assert runs.get_run(session, earlier.id).status == models.SelectionStatus.superseded  # type: ignore[arg-type]
        newest = runs.newest_open_run(session, found)
        assert leaving not in {p.id for p in instance_from_json(newest.inputs).people}


def test_without_yes_nothing_is_deleted(tmp_path: Path) -> None:
    open_recruitment()
    run_import(SLUG, write_csv(tmp_path / "eksport.csv", [row()]))
    done = opgaveudvalg("person", "erase", "soeren@example.dk")
    assert done.returncode == 0 and "Intet er slettet" in done.stdout
    assert len(held("soeren@example.dk").applicants) == 1
    with pytest.raises(UserError):
        person.normalised("soeren@")
