"""The committee's members over time: who holds a seat on a given day, and replacement of a
citizen who leaves by the first fitting reserve from the appointed run."""

from datetime import date

from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit
from opgaveudvalg.errors import UserError
from opgaveudvalg.selection.instance import instance_from_json
from opgaveudvalg.selection.model import Seat, panel_is_valid
from opgaveudvalg.selection.runs import appointed_run


def members(
    session: Session, committee: models.Committee, active_on: date | None = None
) -> list[models.Membership]:
    """Citizens and politicians in order of appointment; with `active_on`, only those holding
    a seat that day."""
    query = select(models.Membership).where(models.Membership.committee_id == committee.id)
    rows = list(session.exec(query.order_by(col(models.Membership.id))))
    return [m for m in rows if active_on is None or _holds_seat(m, active_on)]


def _holds_seat(membership: models.Membership, day: date) -> bool:
    """Not ended by `day`; a seat given up before the committee started was never held."""
    end = membership.end_date
    return end is None or (end > day and end > membership.start_date)


def replace_member(
    session: Session,
    committee: models.Committee,
    applicant_id: int,
    today: date,
    reason: str,
    actor: str,
) -> models.Membership:
    """Fill a vacated citizen seat with the first reserve (still on record) who keeps the
    profile, the targets and the household rule; the change is in the audit log."""
    active = [m for m in members(session, committee) if m.applicant_id and m.end_date is None]
    leaving = next((m for m in active if m.applicant_id == applicant_id), None)
    if leaving is None:
        raise UserError(f"Ansøger {applicant_id} er ikke medlem af '{committee.slug}'")
    run = appointed_run(session, committee)
    instance = instance_from_json(run.inputs)
    staying = [Seat(str(m.applicant_id), m.profile_key or "") for m in active if m is not leaving]
    ever = {str(m.applicant_id) for m in members(session, committee)}
    for candidate in run.reserves.get(leaving.profile_key or "", []):
        if candidate in ever or session.get(models.Applicant, int(candidate)) is None:
            continue  # a reserve who asked to be erased is gone
        trial = [*staying, Seat(candidate, leaving.profile_key or "")]
        if not panel_is_valid(instance, trial):
            return _swap(session, committee, leaving, int(candidate), today, reason, actor)
    raise UserError(
        f"Ingen reserve til profilen '{leaving.profile_key}' kan træde ind uden at bryde "
        "repræsentationsmålene eller husstandsreglen – overvej at lempe et mål i kommissoriet"
    )


def _swap(
    session: Session,
    committee: models.Committee,
    leaving: models.Membership,
    candidate: int,
    today: date,
    reason: str,
    actor: str,
) -> models.Membership:
    effective = max(today, leaving.start_date)  # a seat given up before the start changes then
    leaving.end_date = effective
    leaving.end_reason = reason
    session.add(leaving)
    successor = models.Membership(
        committee_id=committee.id,  # type: ignore[arg-type]
        applicant_id=candidate,
        profile_key=leaving.profile_key,
        start_date=effective,
    )
    session.add(successor)
    audit(
        session,
        committee.id,
        actor,
        "members.replaced",
        reason,
        left=leaving.applicant_id,
        joined=candidate,
        profile=leaving.profile_key,
    )
    return successor
