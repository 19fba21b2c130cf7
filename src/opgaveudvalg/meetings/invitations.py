"""What the members hear about their meetings: a calendar invitation (REQUEST) or
cancellation (CANCEL) for each meeting version, the agenda by e-mail, a CANCEL for each coming
meeting when a member leaves, and the committee's subscribable calendar feed."""

import hashlib
import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlmodel import Session, select

from opgaveudvalg import documents, models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.mail import itip
from opgaveudvalg.mail.queue import enqueue, plain_html, queued
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.meetings.changes import NO_REASON
from opgaveudvalg.meetings.plan import meetings
from opgaveudvalg.members import roster
from opgaveudvalg.members.letters import bilingual
from opgaveudvalg.members.recipients import (
    Recipient,
    politicians_without_address,
    recipient,
    recipients,
)
from opgaveudvalg.models import MeetingState
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.selection.reports import LANGS
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


def _feed_event(meeting: models.Meeting, mandate: Mandate) -> itip.MeetingEvent:
    """The meeting as the public feed shows it: a cancelled meeting stays, titled AFLYST, so
    a subscriber sees it is off rather than seeing it vanish."""
    shown = event(meeting, mandate)
    if meeting.state != MeetingState.cancelled:
        return shown
    return replace(shown, summary=f"AFLYST: {shown.summary}")


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


def address_warning(session: Session, committee: models.Committee, today: date) -> str | None:
    """A warning when politicians on the committee have no address to send to."""
    missing = politicians_without_address(session, committee, today)
    if not missing:
        return None
    return (
        f"{missing} politiker(e) i udvalget har ingen e-mailadresse (e-mail i politikerfilen) "
        "og får hverken invitationer eller dagsordener"
    )


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
    """One REQUEST or CANCEL for this version of the meeting, unless already queued: an
    invitation, a move (from the time the member was last sent), a cancellation or, for a
    member who leaves, the meeting taken out of their calendar."""
    cancelled = cancel or meeting.state == MeetingState.cancelled
    method = "CANCEL" if cancelled else "REQUEST"
    key = _key(meeting, meeting.sequence, method, member)
    if queued(session, key):
        return []
    details = event(meeting, mandate)
    builder = itip.cancel if cancelled else itip.request
    calendar = builder(details, organizer, member.person, timezone)
    context = _news(session, committee, meeting, member, cancel, timezone)
    texts = {
        lang: documents.render_text(
            "moede-besked.txt.j2",
            lang,
            name=member.person.name,
            title=mandate.titel,
            meeting_number=meeting.number,
            when=meeting_time(meeting.starts_at, meeting.ends_at, lang, timezone),
            location=meeting.location,
            items=[item["titel"] for item in meeting.agenda],
            sender=organizer.name,
            **{k: v(lang) if callable(v) else v for k, v in context.items()},
        )
        for lang in LANGS
    }
    subject, body_text, body_html = bilingual(texts)
    return [
        _enqueue(
            session,
            committee,
            member,
            key,
            f"moede-{method.lower()}",
            subject,
            body_text,
            body_html,
            calendar=calendar,
        )
    ]


def _key(meeting: models.Meeting, sequence: int, method: str, member: Recipient) -> str:
    return f"meeting-{meeting.uid}-{sequence}-{method}-{member.membership_id}"


def _news(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    member: Recipient,
    member_leaves: bool,
    timezone: str,
) -> dict[str, Any]:
    """What kind of message this is and what it says beyond the meeting itself; values that
    depend on the language are functions of it."""
    if member_leaves:
        return {"kind": "removed"}
    if meeting.state == MeetingState.cancelled:
        following = _next_meeting(session, committee, meeting)
        return {
            "kind": "cancelled",
            "reason": _cancel_reason(session, committee, meeting),
            "next_when": lambda lang: (
                following and meeting_time(following.starts_at, following.ends_at, lang, timezone)
            ),
            "next_location": following.location if following else None,
        }
    before = _last_sent(session, meeting, member)
    if before is None or before == (meeting.starts_at, meeting.ends_at, meeting.location):
        return {"kind": "invitation"}
    starts, ends, location = before
    return {
        "kind": "moved",
        "before": lambda lang: f"{meeting_time(starts, ends, lang, timezone)}, {location}",
    }


def _last_sent(
    session: Session, meeting: models.Meeting, member: Recipient
) -> tuple[datetime, datetime, str] | None:
    """Start, end and place of the meeting as this member's last invitation gave them (the
    outbox keeps it), or None if they were never invited to it."""
    for sequence in range(meeting.sequence - 1, -1, -1):
        earlier = queued(session, _key(meeting, sequence, "REQUEST", member))
        if earlier is not None and earlier.calendar:
            [vevent] = Calendar.from_ical(earlier.calendar).walk("VEVENT")
            return (vevent.decoded("DTSTART"), vevent.decoded("DTEND"), str(vevent["LOCATION"]))
    return None


def _cancel_reason(
    session: Session, committee: models.Committee, meeting: models.Meeting
) -> str | None:
    """The reason the secretariat gave when cancelling, unless it gave none."""
    query = select(models.AuditEvent).where(
        models.AuditEvent.committee_id == committee.id,
        models.AuditEvent.action == "meeting.cancelled",
    )
    reasons = [e.reason for e in session.exec(query) if e.details.get("number") == meeting.number]
    reason = reasons[-1] if reasons else None
    return None if reason in (None, "", NO_REASON) else reason


def _next_meeting(
    session: Session, committee: models.Committee, meeting: models.Meeting
) -> models.Meeting | None:
    return next(
        (
            m
            for m in meetings(session, committee)
            if m.starts_at > meeting.starts_at and m.state != MeetingState.cancelled
        ),
        None,
    )


def meeting_time(starts: datetime, ends: datetime, lang: str, timezone: str) -> str:
    """'tirsdag 9. marts 2027 kl. 17.00–19.00' / 'Tuesday 9 March 2027, 17:00–19:00'."""
    zone = ZoneInfo(timezone)
    start, end = starts.astimezone(zone), ends.astimezone(zone)
    day = documents.weekday_date(start.date(), lang)
    if lang == "da":
        return f"{day} kl. {start:%H.%M}–{end:%H.%M}"
    return f"{day}, {start:%H:%M}–{end:%H:%M}"


def _enqueue(
    session: Session,
    committee: models.Committee,
    member: Recipient,
    key: str,
    kind: str,
    subject: str,
    text: str,
    html: str,
    attachment: str | None = None,
    calendar: str | None = None,
) -> models.OutboxMessage:
    """One message to one member, text and HTML; sent later by the outbox."""
    return enqueue(
        session,
        committee_id=committee.id,  # type: ignore[arg-type]
        key=key,
        kind=kind,
        applicant_id=member.applicant_id,
        to_address=member.person.email,
        subject=subject,
        body_text=text,
        body_html=html,
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
    return _queue_document(session, committee, meeting, settings, agenda_pdf, minutes=False)


def queue_minutes(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    settings: Settings,
    minutes_pdf: Path,
) -> list[models.OutboxMessage]:
    """The minutes to every member who held a seat at the meeting, as a PDF attachment;
    changed minutes are sent again, the same minutes never twice."""
    return _queue_document(session, committee, meeting, settings, minutes_pdf, minutes=True)


def _queue_document(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    settings: Settings,
    pdf: Path,
    minutes: bool,
) -> list[models.OutboxMessage]:
    mandate = current_mandate(session, committee)
    content = meeting.minutes if minutes else meeting.agenda
    version = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:12]
    when = meeting.starts_at.astimezone(ZoneInfo(settings.timezone))
    document, kind = ("referatet", "referat") if minutes else ("dagsordenen", "dagsorden")
    subject = f"{kind.capitalize()}: {mandate.titel} – møde {meeting.number}"
    attached = (
        "Referatet er vedhæftet." if minutes else "Dagsordenen med sagsfremstillinger er vedhæftet."
    )
    messages = []
    for member in recipients(session, committee, when.date()):
        key = f"{'minutes' if minutes else 'agenda'}-{meeting.uid}-{version}-{member.membership_id}"
        if queued(session, key):
            continue
        text = (
            f"Kære {member.person.name}\n\nHer er {document} {'af' if minutes else 'til'} møde "
            f"{meeting.number} i {mandate.titel} {when:%d.%m.%Y kl. %H.%M}, {meeting.location}:"
            f"\n\n{_item_list(meeting)}\n\n{attached}\n\n"
            f"Med venlig hilsen\n{mandate.organisering.sekretariat}"
        )
        messages.append(
            _enqueue(
                session,
                committee,
                member,
                key,
                f"moede-{kind}",
                subject,
                text,
                plain_html(subject, text),
                attachment=str(pdf),
            )
        )
    return messages


def write_feed(session: Session, committee: models.Committee, settings: Settings) -> Path:
    """The committee's subscribable calendar (METHOD:PUBLISH, the invitations' UIDs, no
    attendees), written where it can be served as a static file."""
    mandate = current_mandate(session, committee)
    events = [
        (_feed_event(m, mandate), m.state == MeetingState.cancelled)
        for m in meetings(session, committee)
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
