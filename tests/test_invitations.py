"""What the members read in their meeting mail, as they receive it: the invitation, the move and
the cancellation (subject, text, HTML, sender), and who gets them — citizens and politicians."""

from datetime import date, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from helpers import (
    Mailbox,
    assert_no_serious_violations,
    axe_violations,
)
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.mail import outbox
from opgaveudvalg.meetings import changes, invitations, plan
from opgaveudvalg.meetings.documents import write_agenda
from opgaveudvalg.members import recipients, roster
from opgaveudvalg.settings import get_settings

TODAY = date(2027, 1, 10)
TITLE = "Opgaveudvalget for en ny svømmehal"
ZONE = ZoneInfo("Europe/Copenhagen")
POLITICIANS = {"mfa@gentofte.dk", "ldk@gentofte.dk", "hvp@gentofte.dk", "msl@gentofte.dk"}


def queue(slug: str) -> list[models.OutboxMessage]:
    with committee.committee_session(slug) as (session, found):
        queued = invitations.queue_invitations(session, found, get_settings(), TODAY)
        session.flush()
        for message in queued:
            session.expunge(message)
    return queued


def to(messages: list[models.OutboxMessage], address: str) -> models.OutboxMessage:
    [message] = [m for m in messages if m.to_address == address]
    return message


def test_the_invitation_names_committee_weekday_start_and_end(appointed: str) -> None:
    invited = [m for m in queue(appointed) if "– møde 1," in m.subject]
    first = to(invited, "mfa@gentofte.dk")  # the chair: a politician is invited too
    when = "tirsdag 23. februar 2027 kl. 17.00–20.00"
    assert first.subject == f"Invitation: {TITLE} – møde 1, {when}"
    assert f"Du inviteres til møde 1 i {TITLE} {when}." in first.body_text
    assert "Kære Mikkel Friis Andersen" in first.body_text
    assert "Tuesday 23 February 2027, 17:00–20:00" in first.body_text
    assert "1. Godkendelse af dagsorden" in first.body_text


def test_a_moved_meeting_says_flyttet_from_when_to_when(appointed: str) -> None:
    queue(appointed)
    new_start = datetime(2027, 4, 6, 17, 0, tzinfo=ZONE)
    with committee.committee_session(appointed) as (session, found):
        changes.move_meeting(session, found, 2, new_start, "test", "Rådhuset, mødesal 1")
    moved = queue(appointed)
    assert len(moved) == 15
    message = to(moved, "ldk@gentofte.dk")
    new_when = "tirsdag 6. april 2027 kl. 17.00–20.00"
    assert message.subject == f"Flyttet: {TITLE} – møde 2, {new_when}"
    assert "Fra: tirsdag 20. april 2027 kl. 17.00–20.00, Gentofte Rådhus" in message.body_text
    assert f"Til: {new_when}, Rådhuset, mødesal 1" in message.body_text
    assert f"Moved: {TITLE} – meeting 2" in message.body_text


def test_a_cancellation_gives_number_reason_and_the_next_meeting(appointed: str) -> None:
    queue(appointed)
    with committee.committee_session(appointed) as (session, found):
        changes.cancel_meeting(session, found, 3, "test", "sammenlagt med møde 4")
        changes.cancel_meeting(session, found, 5, "test", changes.NO_REASON)
        following = plan.get_meeting(session, found, 4)
        next_when = invitations.meeting_time(
            following.starts_at, following.ends_at, "da", "Europe/Copenhagen"
        )
    cancelled = queue(appointed)
    third = [m for m in cancelled if "– møde 3," in m.subject]
    fifth = [m for m in cancelled if "– møde 5," in m.subject]
    assert len(third) == len(fifth) == 15
    message = to(third, "msl@gentofte.dk")
    assert message.subject.startswith(f"Aflyst: {TITLE} – møde 3, tirsdag ")
    assert "Møde 3 i " in message.body_text
    assert "Begrundelse: sammenlagt med møde 4" in message.body_text
    assert f"Næste møde er {next_when}, " in message.body_text
    assert "Begrundelse" not in to(fifth, "msl@gentofte.dk").body_text


def test_the_feed_titles_a_cancelled_meeting_aflyst(appointed: str) -> None:
    with committee.committee_session(appointed) as (session, found):
        changes.cancel_meeting(session, found, 2, "test", "sygdom")
        path = invitations.write_feed(session, found, get_settings())
    events = {int(str(e["SUMMARY"]).split("møde ")[-1]): e for e in _feed(path)}
    assert str(events[2]["SUMMARY"]) == f"AFLYST: {TITLE} – møde 2"
    assert str(events[2]["STATUS"]) == "CANCELLED"
    assert str(events[1]["SUMMARY"]) == f"{TITLE} – møde 1"


def _feed(path: Path) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")


def test_politicians_get_invitations_and_agendas_and_one_without_address_is_counted(
    appointed: str,
) -> None:
    settings = get_settings()
    with committee.committee_session(appointed) as (session, found):
        seats = roster.members(session, found)
        no_address = next(m for m in seats if m.email == "abh@gentofte.dk")
        no_address.email = None
        session.add(no_address)
        found_recipients = recipients.recipients(session, found, TODAY)
        warning = invitations.address_warning(session, found, TODAY)
        meeting = plan.get_meeting(session, found, 1)
        pdf = write_agenda(session, found, meeting, settings)
        agendas = invitations.queue_agenda(session, found, meeting, settings, pdf)
        invited = invitations.queue_invitations(session, found, settings, TODAY)
    assert len(found_recipients) == 14
    assert {r.person.email for r in found_recipients} >= POLITICIANS
    assert warning is not None and warning.startswith("1 politiker(e)")
    assert {m.to_address for m in agendas} >= POLITICIANS and len(agendas) == 14
    assert {m.to_address for m in invited} >= POLITICIANS
    assert all(m.applicant_id is None for m in invited if m.to_address in POLITICIANS)


def test_the_mail_as_received_has_a_named_sender_and_accessible_html(
    appointed: str, smtp: Mailbox, browser: Any
) -> None:
    queue(appointed)
    report = outbox.send_pending(dry_run=False)
    assert report.sent == 6 * 15 and not report.failures
    received = [m for m in smtp.parsed() if parseaddr(m["To"])[1] == "hvp@gentofte.dk"]
    first: EmailMessage = next(m for m in received if "– møde 1," in m["Subject"])
    name, address = parseaddr(first["From"])
    assert (name, address) == (f"Gentofte Kommune – {TITLE}", get_settings().secretariat_email)
    html_part = first.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert '<html lang="da">' in html and f"<title>{first['Subject']}</title>" in html
    page = browser.new_page()
    page.set_content(html)
    assert_no_serious_violations({"invitation": axe_violations(page)})
    page.close()


def test_a_member_who_leaves_is_told_the_meeting_leaves_their_calendar(appointed: str) -> None:
    queue(appointed)
    with committee.committee_session(appointed) as (session, found):
        leaving = next(m for m in roster.members(session, found) if m.applicant_id)
        invitations.hand_over_seat(
            session, found, leaving.applicant_id or 0, TODAY, "flyttet", "test", get_settings()
        )
        session.flush()
        query = select(models.OutboxMessage).where(models.OutboxMessage.kind == "moede-cancel")
        [first, *_] = session.exec(query).all()
        texts = (first.subject, first.body_text)
    assert texts[0].startswith(f"Fjernet fra din kalender: {TITLE} – møde 1, ")
    assert f"Du er ikke længere medlem af {TITLE}" in texts[1]
    assert "er aflyst" not in texts[1]
