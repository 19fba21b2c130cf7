"""Who receives what: every member holding a seat who has an address — the citizens (their
application's address) and the politicians and other members named in the politicians file
(its `e-mail`) — each with the address and name to write to."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.mail import itip
from opgaveudvalg.members.roster import members


@dataclass(frozen=True)
class Recipient:
    membership_id: int
    applicant_id: int | None  # None for a politician's seat
    person: itip.Person


def recipient(session: Session, membership: models.Membership) -> Recipient | None:
    """The member as a recipient; None when there is no address to write to (a politician
    without `e-mail` in the politicians file, a citizen whose data is deleted)."""
    person = _person(session, membership)
    if person is None or membership.id is None:
        return None
    return Recipient(membership.id, membership.applicant_id, person)


def _person(session: Session, membership: models.Membership) -> itip.Person | None:
    if membership.applicant_id is not None:
        applicant = session.get(models.Applicant, membership.applicant_id)
        return itip.Person(applicant.email, applicant.name) if applicant else None
    if membership.email and membership.politician_name:
        return itip.Person(membership.email, membership.politician_name)
    return None


def recipients(session: Session, committee: models.Committee, on: date) -> list[Recipient]:
    """The members holding a seat on `on` who have an address, citizens and politicians."""
    found = (recipient(session, membership) for membership in members(session, committee, on))
    return [one for one in found if one is not None]


def politicians_without_address(session: Session, committee: models.Committee, on: date) -> int:
    """How many politicians holding a seat on `on` get no mail: the politicians file gives
    them no `e-mail`."""
    return sum(1 for m in members(session, committee, on) if m.politician_name and not m.email)
