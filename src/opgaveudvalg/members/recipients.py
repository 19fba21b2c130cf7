"""Who receives what: the citizen members who get the committee's mail and calendar
invitations, each with the address and name to write to."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.mail import itip
from opgaveudvalg.members.roster import members


@dataclass(frozen=True)
class Recipient:
    membership_id: int
    applicant_id: int
    person: itip.Person


def recipient(session: Session, membership: models.Membership) -> Recipient | None:
    """The member as a recipient; None for a politician's seat (politicians are invited
    through the council's own calendar system)."""
    if membership.applicant_id is None or membership.id is None:
        return None
    applicant = session.get(models.Applicant, membership.applicant_id)
    if applicant is None:
        return None
    person = itip.Person(applicant.email, applicant.name)
    return Recipient(membership.id, membership.applicant_id, person)


def recipients(session: Session, committee: models.Committee, on: date) -> list[Recipient]:
    """The citizen members holding a seat on `on`, with their e-mail addresses."""
    found = (recipient(session, membership) for membership in members(session, committee, on))
    return [one for one in found if one is not None]
