"""Closing a decided committee: memberships end that day, and the retention clock for the
members' contact data starts (the deletion itself runs on its own schedule)."""

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.committee import audit, transition
from opgaveudvalg.delivery.consultation import decisions
from opgaveudvalg.delivery.handover import not_before_last_meeting
from opgaveudvalg.members.roster import members
from opgaveudvalg.models import CommitteeStatus

CLOSED_REASON = "udvalget er nedlagt"


def close(
    session: Session, committee: models.Committee, today: date, retention_months: int, actor: str
) -> bool:
    """Close the committee (again: a no-op); True if it closed now: today, but not before its
    last meeting or the last decision on its recommendations."""
    if committee.status == CommitteeStatus.closed:
        return False
    decided = [d.meeting_date for d in decisions(session, committee)]
    today = max([not_before_last_meeting(session, committee, today), *decided])
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
    later: date = day + relativedelta(months=months)
    return later
