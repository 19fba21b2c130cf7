"""The committee's record: status state machine, audit trail, mandate versions, KB decisions.

Plain functions that take a session; every state change writes an AuditEvent.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from opgaveudvalg import documents, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.documents import write_mandate
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.mandate.validation import load_mandate
from opgaveudvalg.models import CommitteeStatus, Decision, utcnow

TRANSITIONS: dict[CommitteeStatus, set[CommitteeStatus]] = {
    CommitteeStatus.draft: {CommitteeStatus.mandated},
    CommitteeStatus.mandated: {CommitteeStatus.recruiting},
    CommitteeStatus.recruiting: {CommitteeStatus.selecting},
    CommitteeStatus.selecting: {CommitteeStatus.appointed, CommitteeStatus.recruiting},
    CommitteeStatus.appointed: {CommitteeStatus.in_session},
    CommitteeStatus.in_session: {CommitteeStatus.delivered},
    CommitteeStatus.delivered: {CommitteeStatus.decided},
    CommitteeStatus.decided: {CommitteeStatus.closed},
    CommitteeStatus.closed: set(),
}


class IllegalTransition(UserError):
    pass


def audit(
    session: Session,
    committee_id: int | None,
    actor: str,
    action: str,
    reason: str | None = None,
    **details: Any,
) -> models.AuditEvent:
    event = models.AuditEvent(
        committee_id=committee_id, actor=actor, action=action, reason=reason, details=details
    )
    session.add(event)
    return event


def find_committee(session: Session, slug: str) -> models.Committee | None:
    return session.exec(select(models.Committee).where(models.Committee.slug == slug)).first()


def get_committee(session: Session, slug: str) -> models.Committee:
    committee = find_committee(session, slug)
    if committee is None:
        raise UserError(f"Ukendt udvalg '{slug}' – start det med `opgaveudvalg launch {slug}`")
    return committee


@contextmanager
def committee_session(slug: str) -> Iterator[tuple[Session, models.Committee]]:
    """A session (committed on success) and the committee with this slug."""
    with session_scope() as session:
        yield session, get_committee(session, slug)


def transition(
    session: Session,
    committee: models.Committee,
    to: CommitteeStatus,
    actor: str,
    reason: str | None = None,
) -> None:
    """Move the committee to status `to`; raises IllegalTransition if the state machine forbids it."""
    if to not in TRANSITIONS[committee.status]:
        raise IllegalTransition(
            f"Udvalget '{committee.slug}' kan ikke gå fra status '{committee.status}' til '{to}'"
        )
    before = committee.status
    committee.status = to
    committee.status_note = reason
    committee.updated_at = utcnow()
    session.add(committee)
    audit(session, committee.id, actor, "status.changed", reason, before=before, after=to)


def mandate_path(committees_dir: Path, slug: str) -> Path:
    path = committees_dir / f"{slug}.yaml"
    if not path.exists():
        raise UserError(f"Intet kommissorium for '{slug}': {path} findes ikke")
    return path


def latest_mandate(session: Session, committee_id: int) -> models.Mandate | None:
    return session.exec(
        select(models.Mandate)
        .where(models.Mandate.committee_id == committee_id)
        .order_by(col(models.Mandate.version).desc())
    ).first()


def register_mandate(session: Session, path: Path, actor: str) -> models.Mandate:
    """Store the mandate file as a new version unless the newest version has the same content.

    Creates the committee (status draft) on first registration. Idempotent: registering an
    unchanged file again returns the stored version.
    """
    mandate = load_mandate(path)
    committee = find_committee(session, mandate.slug)
    if committee is None:
        committee = models.Committee(
            slug=mandate.slug, title=mandate.titel, parent_committee=mandate.organisering.fagudvalg
        )
        session.add(committee)
        session.flush()
        audit(session, committee.id, actor, "committee.created", source=path.name)
    latest = latest_mandate(session, committee.id)  # type: ignore[arg-type]
    if latest is not None and latest.content_hash == mandate.content_hash():
        return latest
    if committee.status != CommitteeStatus.draft:
        raise UserError(
            f"{path}: kommissoriet er ændret, men udvalget har status '{committee.status}'; "
            "et godkendt kommissorium ændres ikke her"
        )
    committee.title = mandate.titel
    committee.parent_committee = mandate.organisering.fagudvalg
    committee.updated_at = utcnow()
    row = models.Mandate(
        committee_id=committee.id,  # type: ignore[arg-type]
        version=(latest.version + 1) if latest else 1,
        content_hash=mandate.content_hash(),
        content=mandate.model_dump(mode="json"),
        source_file=path.name,
    )
    session.add(row)
    session.flush()
    _store_profiles_and_targets(session, row.id, mandate)  # type: ignore[arg-type]
    audit(session, committee.id, actor, "mandate.version_stored", version=row.version)
    return row


def _store_profiles_and_targets(session: Session, mandate_id: int, mandate: Mandate) -> None:
    for profile in mandate.kompetenceprofiler:
        age = profile.hårde_kriterier.alder
        session.add(
            models.CompetenceProfile(
                mandate_id=mandate_id,
                key=profile.nøgle,
                label=profile.betegnelse,
                description=profile.beskrivelse,
                seats=profile.pladser,
                min_age=age.min if age else None,
                max_age=age.max if age else None,
                residence_required=profile.hårde_kriterier.bopæl_i_kommunen,
                soft_criteria=profile.bløde_kriterier,
            )
        )
    for target in mandate.repræsentationsmål:
        low, high = target.seat_bounds(mandate.sammensætning.borgere)
        session.add(
            models.RepresentationTarget(
                mandate_id=mandate_id,
                category=target.kategori,
                group=target.gruppe,
                min_count=target.min_antal,
                max_count=target.max_antal,
                min_percent=target.min_procent,
                max_percent=target.max_procent,
                min_seats=low,
                max_seats=high,
            )
        )


def get_mandate(session: Session, mandate_id: int) -> models.Mandate:
    row = session.get(models.Mandate, mandate_id)
    if row is None:
        raise UserError(f"Ukendt kommissorium-id {mandate_id}")
    return row


def current_mandate(session: Session, committee: models.Committee) -> Mandate:
    """The committee's newest mandate version: the one every stage works from."""
    row = latest_mandate(session, committee.id)  # type: ignore[arg-type]
    if row is None:
        raise UserError(f"'{committee.slug}' har intet kommissorium endnu")
    return mandate_content(row)


def mandate_content(row: models.Mandate) -> Mandate:
    return Mandate.model_validate(row.content)


@dataclass(frozen=True)
class DecisionInput:
    """The council's decision on a mandate, as given in the Prefect UI or the CLI."""

    decision: Decision
    meeting_date: date
    agenda_item: int
    case_number: str
    note: str | None = None


def record_decision(
    session: Session, mandate_id: int, given: DecisionInput, actor: str, flow_run_id: str | None
) -> models.ApprovalDecision:
    """Record KB's decision; approval moves the committee to `mandated`, otherwise it stays a draft.

    Recording the same decision for the same mandate version twice (a retried task) is a no-op.
    """
    mandate = get_mandate(session, mandate_id)
    committee = session.get(models.Committee, mandate.committee_id)
    assert committee is not None
    existing = session.exec(
        select(models.ApprovalDecision).where(
            models.ApprovalDecision.mandate_id == mandate_id,
            models.ApprovalDecision.flow_run_id == flow_run_id,
        )
    ).first()
    if existing is not None and flow_run_id is not None:
        return existing
    latest = latest_mandate(session, committee.id)  # type: ignore[arg-type]
    if latest is None or latest.id != mandate_id:
        raise UserError(
            f"Kommissorium version {mandate.version} er ikke den nyeste for '{committee.slug}'"
        )
    if committee.status != CommitteeStatus.draft:
        raise IllegalTransition(
            f"Udvalget '{committee.slug}' har status '{committee.status}' og afventer ikke godkendelse"
        )
    decision = models.ApprovalDecision(
        committee_id=committee.id,  # type: ignore[arg-type]
        mandate_id=mandate_id,
        decision=given.decision,
        meeting_date=given.meeting_date,
        agenda_item=given.agenda_item,
        case_number=given.case_number,
        note=given.note,
        flow_run_id=flow_run_id,
    )
    session.add(decision)
    audit(
        session,
        committee.id,
        actor,
        f"mandate.{given.decision.value}",
        given.note,
        version=mandate.version,
        meeting_date=given.meeting_date.isoformat(),
        agenda_item=given.agenda_item,
        case_number=given.case_number,
    )
    if given.decision == Decision.approved:
        transition(session, committee, CommitteeStatus.mandated, actor, given.note)
    else:
        committee.status_note = given.note
        committee.updated_at = utcnow()
        session.add(committee)
    session.flush()
    return decision


def decision_recorded(session: Session, flow_run_id: str) -> bool:
    return (
        session.exec(
            select(models.ApprovalDecision.id).where(
                models.ApprovalDecision.flow_run_id == flow_run_id
            )
        ).first()
        is not None
    )


def decision_for(session: Session, mandate_id: int) -> models.ApprovalDecision | None:
    """The newest decision recorded on a mandate version, if any."""
    return session.exec(
        select(models.ApprovalDecision)
        .where(models.ApprovalDecision.mandate_id == mandate_id)
        .order_by(col(models.ApprovalDecision.id).desc())
    ).first()


def list_committees(session: Session) -> list[models.Committee]:
    return list(session.exec(select(models.Committee).order_by(models.Committee.slug)))


def render_stored_mandate(
    session: Session,
    row: models.Mandate,
    municipality: str,
    output_dir: Path,
    langs: tuple[str, ...] = ("da", "en"),
    formats: tuple[documents.Format, ...] = documents.FORMATS,
) -> list[Path]:
    """Render a stored version; once KB has approved it, with the case number and meeting date."""
    decision = decision_for(session, row.id)  # type: ignore[arg-type]
    approved = decision is not None and decision.decision == Decision.approved
    return write_mandate(
        mandate_content(row),
        row.version,
        decision.meeting_date if approved else row.created_at.date(),  # type: ignore[union-attr]
        decision.case_number if approved else None,  # type: ignore[union-attr]
        municipality,
        output_dir,
        langs,
        formats,
        approved=approved,
    )


def render_mandate_file(
    session: Session,
    path: Path,
    municipality: str,
    output_dir: Path,
    langs: tuple[str, ...],
    formats: tuple[documents.Format, ...],
    today: date,
) -> list[Path]:
    """Render a mandate file as it stands: the stored version it equals, or the next draft."""
    mandate = load_mandate(path)
    committee = find_committee(session, mandate.slug)
    if committee is not None:
        stored = session.exec(
            select(models.Mandate).where(
                models.Mandate.committee_id == committee.id,
                models.Mandate.content_hash == mandate.content_hash(),
            )
        ).first()
        if stored is not None:
            return render_stored_mandate(session, stored, municipality, output_dir, langs, formats)
    latest = latest_mandate(session, committee.id) if committee else None  # type: ignore[arg-type]
    version = latest.version + 1 if latest else 1
    return write_mandate(mandate, version, today, None, municipality, output_dir, langs, formats)
