"""Closing a decided committee: memberships end that day, and the retention clock for the
members' contact data starts (the deletion itself runs on its own schedule)."""

from datetime import date

from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.committee import audit, transition
from opgaveudvalg.meetings.plan import meetings
from opgaveudvalg.members.roster import members
from opgaveudvalg.models import CommitteeStatus, MeetingState

CLOSED_REASON = "udvalget er nedlagt"


def close(
    session: Session, committee: models.Committee, today: date, retention_months: int, actor: str
) -> bool:
    """Close the committee (again: a no-op); True if it closed now. It closes today, or on
    the day of its last meeting if that is later (a membership ends after the seats were held;
    the demo plays a year of meetings in one day)."""
    if committee.status == CommitteeStatus.closed:
        return False
    held = [m.ends_at.date() for m in meetings(session, committee) if m.state == MeetingState.held]
    today = max([today, *held])
    transition(session, committee, CommitteeStatus.closed, actor, CLOSED_REASON)
    committee.closed_on = today
    for membership in members(session, committee, active_on=today):
        membership.end_date = today
        membership.end_reason = CLOSED_REASON
        session.add(membership)
    audit(
        session,
        committee.id,
        actor,
        "retention.clock_started",
        closed_on=today.isoformat(),
        contact_data_until=months_after(today, retention_months).isoformat(),
    )
    return True


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it has fewer days."""
    year, month = divmod(day.month - 1 + months, 12)
    for last in (day.day, 30, 29, 28):
        try:
            return date(day.year + year, month + 1, last)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")
