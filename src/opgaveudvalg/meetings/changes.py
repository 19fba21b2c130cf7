"""Changes to the plan: a meeting moved, cancelled or added. A change to a meeting the members
were invited to gets a new SEQUENCE, so the next invitations update their calendars."""

from datetime import datetime, timedelta

from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.committee import audit
from opgaveudvalg.errors import UserError
from opgaveudvalg.meetings.plan import STATE_NAMES, get_meeting, meetings, new_meeting
from opgaveudvalg.models import MeetingState, utcnow

NO_REASON = "aflyst"  # the reason recorded when the secretariat gives none


def move_meeting(
    session: Session,
    committee: models.Committee,
    number: int,
    starts: datetime,
    actor: str,
    location: str | None = None,
) -> models.Meeting:
    """A new time (and place); invited members get an update with the same UID."""
    meeting = get_meeting(session, committee, number)
    _changeable(meeting)
    length = meeting.ends_at - meeting.starts_at
    before = meeting.starts_at.isoformat()
    meeting.starts_at, meeting.ends_at = starts, starts + length
    meeting.location = location or meeting.location
    _changed(session, meeting)
    audit(
        session,
        committee.id,
        actor,
        "meeting.moved",
        number=number,
        before=before,
        after=starts.isoformat(),
    )
    return meeting


def cancel_meeting(
    session: Session, committee: models.Committee, number: int, actor: str, reason: str
) -> models.Meeting:
    meeting = get_meeting(session, committee, number)
    _changeable(meeting)
    was_invited = meeting.state == MeetingState.invited
    meeting.state = MeetingState.cancelled
    if was_invited:
        meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.add(meeting)
    audit(session, committee.id, actor, "meeting.cancelled", reason, number=number)
    return meeting


def add_meeting(
    session: Session,
    committee: models.Committee,
    starts: datetime,
    hours: float,
    location: str,
    actor: str,
) -> models.Meeting:
    number = max((m.number for m in meetings(session, committee)), default=0) + 1
    ends = starts + timedelta(hours=hours)
    meeting = new_meeting(committee, number, starts, ends, location)
    session.add(meeting)
    session.flush()
    audit(session, committee.id, actor, "meeting.added", number=number)
    return meeting


def _changeable(meeting: models.Meeting) -> None:
    if meeting.state in (MeetingState.held, MeetingState.cancelled):
        state = STATE_NAMES[meeting.state]
        raise UserError(f"Møde nr. {meeting.number} er {state} og kan ikke ændres")


def _changed(session: Session, meeting: models.Meeting) -> None:
    """A change members must hear about: a new SEQUENCE if they were invited already."""
    if meeting.state == MeetingState.invited:
        meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.add(meeting)
