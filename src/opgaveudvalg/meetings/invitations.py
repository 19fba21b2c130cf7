"""What the members hear about their meetings: a calendar invitation (REQUEST) or
cancellation (CANCEL) for each meeting version, the agenda by e-mail, a CANCEL for each coming
meeting when a member leaves, and the committee's subscribable calendar feed."""

import hashlib
import html
import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.mail import itip
from opgaveudvalg.mail.queue import enqueue, queued
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.meetings.plan import meetings
from opgaveudvalg.members import roster
from opgaveudvalg.members.recipients import Recipient, recipient, recipients
from opgaveudvalg.models import MeetingState
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import Settings


def event(meeting: models.Meeting, mandate: Mandate) -> itip.MeetingEvent:
    return itip.MeetingEvent(
        uid=meeting.uid,
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=f"{mandate.titel} – møde {meeting.number}",
        location=meeting.location,
        description=f"Dagsorden:\n{_item_list(meeting)}",
    )


def _item_list(meeting: models.Meeting) -> str:
    return "\n".join(f"{n}. {item['titel']}" for n, item in enumerate(meeting.agenda, start=1))


def _organizer(settings: Settings, mandate: Mandate) -> itip.Person:
    return itip.Person(settings.secretariat_email, mandate.organisering.sekretariat)


def queue_invitations(
    session: Session, committee: models.Committee, settings: Settings, today: date
) -> list[models.OutboxMessage]:
    """For every meeting whose current version the members have not had: a REQUEST (or a
    CANCEL) to each member, one message per recipient. Queuing again adds nothing."""
    mandate = current_mandate(session, committee)
    organizer = _organizer(settings, mandate)
    messages = []
    for meeting in meetings(session, committee):
        if meeting.state == MeetingState.held or meeting.ends_at.date() < today:
            continue
        if meeting.state == MeetingState.planned:
            meeting.state = MeetingState.invited
            session.add(meeting)
        for member in recipients(session, committee, meeting.starts_at.date()):
            messages += _invitation(
                session, committee, meeting, mandate, organizer, member, settings.timezone
            )
    return messages


def _invitation(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    mandate: Mandate,
    organizer: itip.Person,
    member: Recipient,
    timezone: str,
    cancel: bool = False,
) -> list[models.OutboxMessage]:
    """One REQUEST or CANCEL for this version of the meeting, unless already queued."""
    cancelled = cancel or meeting.state == MeetingState.cancelled
    method = "CANCEL" if cancelled else "REQUEST"
    key = f"meeting-{meeting.uid}-{meeting.sequence}-{method}-{member.membership_id}"
    if queued(session, key):
        return []
    details = event(meeting, mandate)
    builder = itip.cancel if cancelled else itip.request
    calendar = builder(details, organizer, member.person, timezone)
    subject = f"{'Aflyst' if cancelled else 'Invitation'}: {details.summary}"
    when = meeting.starts_at.astimezone(ZoneInfo(timezone))
    news = (
        f"Mødet {when:%d.%m.%Y kl. %H.%M} er aflyst.\n"
        if cancelled
        else f"Du inviteres til møde {meeting.number} {when:%d.%m.%Y kl. %H.%M} – "
        f"{meeting.location}.\n\n{details.description}\n"
    )
    text = f"Kære {member.person.name}\n\n{news}\nMed venlig hilsen\n{organizer.name}"
    kind = f"moede-{method.lower()}"
    return [_enqueue(session, committee, member, key, kind, subject, text, calendar=calendar)]


def _enqueue(
    session: Session,
    committee: models.Committee,
    member: Recipient,
    key: str,
    kind: str,
    subject: str,
    text: str,
    attachment: str | None = None,
    calendar: str | None = None,
) -> models.OutboxMessage:
    """One message to one member, in Danish, text and HTML; sent later by the outbox."""
    paragraphs = html.escape(text).replace("\n\n", "</p><p>").replace("\n", "<br>")
    return enqueue(
        session,
        committee_id=committee.id,  # type: ignore[arg-type]
        key=key,
        kind=kind,
        applicant_id=member.applicant_id,
        to_address=member.person.email,
        subject=subject,
        body_text=text,
        body_html=f"<p>{paragraphs}</p>",
        attachment=attachment,
        calendar=calendar,
    )


def queue_agenda(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    settings: Settings,
    agenda_pdf: Path,
) -> list[models.OutboxMessage]:
    """The agenda to every member before the meeting, as a PDF attachment; a changed agenda
    is sent again, the same agenda never twice."""
    mandate = current_mandate(session, committee)
    version = hashlib.sha256(json.dumps(meeting.agenda, sort_keys=True).encode()).hexdigest()[:12]
    when = meeting.starts_at.astimezone(ZoneInfo(settings.timezone))
    subject = f"Dagsorden: {mandate.titel} – møde {meeting.number}"
    messages = []
    for member in recipients(session, committee, when.date()):
        key = f"agenda-{meeting.uid}-{version}-{member.membership_id}"
        if queued(session, key):
            continue
        text = (
            f"Kære {member.person.name}\n\nHer er dagsordenen til møde {meeting.number} i "
            f"{mandate.titel} {when:%d.%m.%Y kl. %H.%M}, {meeting.location}:\n\n"
            f"{_item_list(meeting)}\n\nDagsordenen med sagsfremstillinger er vedhæftet.\n\n"
            f"Med venlig hilsen\n{mandate.organisering.sekretariat}"
        )
        messages.append(
            _enqueue(
                session,
                committee,
                member,
                key,
                "moede-dagsorden",
                subject,
                text,
                attachment=str(agenda_pdf),
            )
        )
    return messages


def write_feed(session: Session, committee: models.Committee, settings: Settings) -> Path:
    """The committee's subscribable calendar (METHOD:PUBLISH, the invitations' UIDs, no
    attendees), written where it can be served as a static file."""
    mandate = current_mandate(session, committee)
    events = [
        (event(m, mandate), m.state == MeetingState.cancelled) for m in meetings(session, committee)
    ]
    path = CommitteeFiles.of(settings.output_dir, committee.slug).feed()
    path.parent.mkdir(parents=True, exist_ok=True)
    calendar = itip.feed(events, _organizer(settings, mandate), mandate.titel, settings.timezone)
    path.write_text(calendar, encoding="utf-8", newline="")
    return path


def member_left(
    session: Session,
    committee: models.Committee,
    leaving: models.Membership,
    settings: Settings,
    today: date,
) -> list[models.OutboxMessage]:
    """A member who leaves gets a CANCEL for every coming meeting they were invited to."""
    member = recipient(session, leaving)
    if member is None:
        return []
    mandate = current_mandate(session, committee)
    organizer = _organizer(settings, mandate)
    messages = []
    for meeting in meetings(session, committee):
        if meeting.state == MeetingState.invited and meeting.starts_at.date() >= today:
            messages += _invitation(
                session, committee, meeting, mandate, organizer, member, settings.timezone, True
            )
    return messages


def hand_over_seat(
    session: Session,
    committee: models.Committee,
    applicant_id: int,
    today: date,
    reason: str,
    actor: str,
    settings: Settings,
) -> models.Membership:
    """A member leaves: the first fitting reserve takes the seat (see roster.replace_member);
    the leaver gets a CANCEL for each coming meeting and the successor the invitations."""
    successor = roster.replace_member(session, committee, applicant_id, today, reason, actor)
    leaving = next(
        m
        for m in roster.members(session, committee)
        if m.applicant_id == applicant_id and m.end_date
    )
    member_left(session, committee, leaving, settings, today)
    queue_invitations(session, committee, settings, today)
    return successor
