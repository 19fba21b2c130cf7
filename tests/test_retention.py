"""Deletion on schedule: the committee's clock moved past each retention date deletes exactly
what the privacy notice promises, keeps the public record, and keeps the lottery verifiable."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers import (
    SLUG,
    add_messages,
    decide,
    hand_over,
    hold_meetings,
    new_committee,
    opgaveudvalg,
)
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.delivery import closing, report
from opgaveudvalg.delivery.records import Body, ConsultationDecision
from opgaveudvalg.members import letters
from opgaveudvalg.retention import schedule
from opgaveudvalg.selection import reports, runs
from opgaveudvalg.settings import get_settings

APPOINTED = date(2027, 1, 28)  # KB's appointment in tests/helpers.appoint
CLOSED = date(2028, 2, 1)
UNSELECTED_DUE = date(2027, 7, 28)  # appointment + 6 months (config/settings.toml)
MEMBERS_DUE = date(2028, 5, 1)  # close + 3 months


def closed_committee(folder: Path) -> None:
    """Appointed with the selection's reports and letters written, met, handed over, decided
    and closed."""
    hold_meetings(folder)
    with committee.committee_session(SLUG) as (session, found):
        reports.write_reports(session, runs.appointed_run(session, found), get_settings())
        letters.write_letters(session, found, get_settings())
    hand_over(folder)
    decide(folder, Body.standing_committee)
    decide(folder, Body.council)
    with committee.committee_session(SLUG) as (session, found):
        assert closing.close(session, found, CLOSED, 3, "test")


def state() -> dict[str, object]:
    """Who is held, by kind, and what the public record holds."""
    with committee.committee_session(SLUG) as (session, found):
        applicants = session.exec(select(models.Applicant)).all()
        memberships = session.exec(select(models.Membership)).all()
        seated = {m.applicant_id for m in memberships if m.applicant_id}
        reserves = set(runs.reserve_positions(runs.appointed_run(session, found), seated))  # type: ignore[arg-type]
        waiting = [a for a in applicants if a.id not in seated]
        return {
            "members": sorted(a.id for a in applicants if a.id in seated),
            "asked": sorted(a.id for a in waiting if a.wants_updates),
            "reserves": sorted(a.id for a in waiting if not a.wants_updates and a.id in reserves),
            "others": sorted(a.id for a in waiting if not (a.wants_updates or a.id in reserves)),
            "quarantined": len(session.exec(select(models.QuarantinedRow)).all()),
            "memberships": len(memberships),
            "decisions": len(session.exec(select(ConsultationDecision)).all()),
            "appointments": len(session.exec(select(models.Appointment)).all()),
        }


def applicant(applicant_id: int) -> models.Applicant | None:
    with session_scope() as session:
        return session.get(models.Applicant, applicant_id)


def run_on(day: date, dry_run: bool = False) -> schedule.Report:
    return schedule.run(get_settings(), day, dry_run)


def test_each_retention_date_deletes_what_was_promised_and_keeps_the_record(
    database_url: str, tmp_path: Path
) -> None:
    closed_committee(tmp_path)
    output = get_settings().output_dir / SLUG
    before = state()
    assert before["others"] and before["reserves"] and before["asked"] and before["quarantined"]
    some_other, some_reserve = before["others"][0], before["reserves"][0]  # type: ignore[index]
    assert list(output.glob(f"breve/*/{some_other}.html"))
    assert list(output.glob("udvaelgelse-*/intern"))

    assert run_on(UNSELECTED_DUE - timedelta(days=1)).committees[SLUG] == dict.fromkeys(
        (
            "ansøgere",
            "afviste rækker",
            "medlemmers kontaktdata",
            "politikeres adresser",
            "beskeder",
            "filer",
        ),
        0,
    )
    planned = run_on(UNSELECTED_DUE, dry_run=True)
    assert state() == before  # a dry run deletes nothing
    counts = planned.committees[SLUG]
    assert counts["ansøgere"] == len(before["others"])  # type: ignore[arg-type]
    assert counts["afviste rækker"] == before["quarantined"] and counts["filer"] > 0

    assert run_on(UNSELECTED_DUE).committees[SLUG] == counts
    after = state()
    assert (after["others"], after["quarantined"]) == ([], 0)
    kept = ("members", "reserves", "asked", "memberships", "decisions", "appointments")
    assert {k: after[k] for k in kept} == {k: before[k] for k in kept}
    assert not list(output.glob(f"breve/*/{some_other}.*"))
    assert (
        not list(output.glob("udvaelgelse-*/intern")) and not (output / "afviste-raekker").exists()
    )
    assert list(output.glob(f"breve/*/{some_reserve}.html"))  # a reserve may still be called in
    again = run_on(UNSELECTED_DUE).committees[SLUG]
    assert not any(again.values())  # idempotent

    with committee.committee_session(SLUG) as (session, found):
        assert found.closed_on == CLOSED
    run_on(CLOSED)
    assert state()["reserves"] == [] and state()["asked"] == before["asked"]

    run_on(MEMBERS_DUE)
    final = state()
    assert (final["asked"], final["members"]) == ([], before["members"])
    assert {k: final[k] for k in ("memberships", "decisions", "appointments")} == {
        k: before[k] for k in ("memberships", "decisions", "appointments")
    }
    assert not (output / "breve").exists()
    public_record_only(before["members"])  # type: ignore[arg-type]
    still_verifiable_and_reported(tmp_path)
    no_names_in_audit()


def public_record_only(member_ids: list[int]) -> None:
    with session_scope() as session:
        politicians = session.exec(
            select(models.Membership).where(models.Membership.politician_name.is_not(None))  # type: ignore[union-attr]
        ).all()
        messages = session.exec(
            select(models.OutboxMessage).where(models.OutboxMessage.to_address != "")
        ).all()
    assert politicians and all(p.email is None and p.politician_name for p in politicians)
    assert messages == []
    for member_id in member_ids:
        held = applicant(member_id)
        assert held is not None
        assert (held.email, held.phone, held.address, held.birth_year, held.motivation) == (
            "",
            None,
            None,
            0,
            "",
        )
        if not held.publish_name:
            assert held.name.startswith("borger, profil ")


def still_verifiable_and_reported(folder: Path) -> None:
    with committee.committee_session(SLUG) as (session, found):
        run = runs.appointed_run(session, found)
        verified = runs.verify(session, run.id)  # type: ignore[arg-type]
        kept = session.get(models.RetainedFigures, found.id)
        written = report.write_handover_report(session, found, get_settings())
    assert verified.ok, verified.report()
    assert "ved sletningen" in verified.report()
    assert kept is not None and kept.applicants == 151
    html = next(p for p in written if p.name == "aflevering.html").read_text("utf-8")
    assert "151" in html  # the applicants counted before they were deleted


def no_names_in_audit() -> None:
    with session_scope() as session:
        events = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action.startswith("retention."))  # type: ignore[attr-defined]
        ).all()
    assert {e.action for e in events} >= {"retention.deleted", "retention.run"}
    text = json.dumps([e.details for e in events], ensure_ascii=False)
    assert "@" not in text and "borger" not in text


def test_sent_messages_lose_address_and_content_after_the_set_days(database_url: str) -> None:
    committee_id = new_committee()
    now = datetime.now(UTC)
    old, recent, pending = add_messages(committee_id, range(3))
    with session_scope() as session:
        for message_id, status, sent in (
            (old, "sent", now - timedelta(days=31)),
            (recent, "sent", now - timedelta(days=29)),
            (pending, "pending", None),
        ):
            message = session.get(models.OutboxMessage, message_id)
            message.status, message.sent_at = status, sent  # type: ignore[union-attr]
            session.add(message)
    assert run_on(now.date()).messages == 1
    with session_scope() as session:
        held = {m.id: m for m in session.exec(select(models.OutboxMessage))}
    assert (held[old].to_address, held[old].body_text, held[old].subject) == ("", "", "")
    assert held[old].status == "sent" and held[old].kind
    assert all(held[i].to_address for i in (recent, pending))
    assert run_on(now.date()).messages == 0


def test_the_command_shows_what_would_go_and_never_deletes_early(tmp_path: Path) -> None:
    shown = opgaveudvalg("retention", "--dry-run", "--on", "2027-07-28")
    assert shown.returncode == 0 and "Prøvekørsel – intet er slettet pr. 2027-07-28" in shown.stdout
    early = opgaveudvalg("retention", "--on", "2030-01-01")
    assert early.returncode == 1
    assert early.stderr.strip() == (
        "fejl: --on kan kun bruges med --dry-run: der slettes aldrig før fristen"
    )
    wrong = opgaveudvalg("retention", "--dry-run", "--on", "28-07-2027")
    assert wrong.returncode == 1 and wrong.stderr.startswith("fejl: --on: '28-07-2027'")


def test_dates_count_calendar_months() -> None:
    """Six months after 31 August is the last day of February."""
    unselected, members = schedule.deadlines(get_settings(), date(2027, 8, 31), None)
    assert (unselected, members) == (date(2028, 2, 29), None)
