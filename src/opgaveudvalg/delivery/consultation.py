"""The consultation chain: the standing committee (fagudvalg) decides on each recommendation,
sending some on to KB, which then decides on those. Each body's decisions are recorded once,
with meeting date, item and case number; the committee is `decided` when every recommendation
has its final decision."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit, transition
from opgaveudvalg.delivery.handover import recommendation_numbers
from opgaveudvalg.delivery.records import (
    Body,
    ConsultationDecision,
    FollowUp,
    FollowUpStatus,
    Outcome,
)
from opgaveudvalg.errors import UserError
from opgaveudvalg.models import CommitteeStatus

BODY_NAMES = {Body.standing_committee: "fagudvalget", Body.council: "kommunalbestyrelsen"}


@dataclass(frozen=True)
class ItemDecision:
    recommendation: int
    outcome: Outcome
    reason: str
    proposal: Outcome | None = None


@dataclass(frozen=True)
class BodyDecision:
    """One body's decisions at one meeting, as given in the Prefect UI or from a file."""

    body: Body
    meeting_date: date
    agenda_item: int
    case_number: str
    items: tuple[ItemDecision, ...]


def decisions(
    session: Session, committee: models.Committee, body: Body | None = None
) -> list[ConsultationDecision]:
    query = select(ConsultationDecision).where(ConsultationDecision.committee_id == committee.id)
    if body is not None:
        query = query.where(ConsultationDecision.body == body)
    return list(session.exec(query.order_by(col(ConsultationDecision.recommendation))))


def to_decide(session: Session, committee: models.Committee, body: Body) -> list[int]:
    """The recommendations `body` is to decide on: all for the standing committee, those it
    sent on for KB."""
    if body == Body.standing_committee:
        return recommendation_numbers(session, committee)
    sent = decisions(session, committee, Body.standing_committee)
    return [d.recommendation for d in sent if d.outcome == Outcome.to_council]


def problems(session: Session, committee: models.Committee, given: BodyDecision) -> list[str]:
    """What does not fit in `given`: a recommendation missing, unknown or twice, KB sending
    a recommendation to itself, a proposal where none belongs."""
    expected = to_decide(session, committee, given.body)
    numbers = [item.recommendation for item in given.items]
    found = []
    if missing := sorted(set(expected) - set(numbers)):
        found.append(f"der mangler en beslutning om anbefaling {_listed(missing)}")
    if unknown := sorted(set(numbers) - set(expected)):
        found.append(
            f"{BODY_NAMES[given.body]} skal ikke beslutte om anbefaling {_listed(unknown)} "
            f"(til beslutning: {_listed(expected) or 'ingen'})"
        )
    if twice := sorted({n for n in numbers if numbers.count(n) > 1}):
        found.append(f"anbefaling {_listed(twice)} har mere end én beslutning")
    for item in given.items:
        if given.body == Body.council and item.outcome == Outcome.to_council:
            found.append(f"anbefaling {item.recommendation}: KB kan ikke sende den til KB")
        if item.proposal is not None and item.outcome != Outcome.to_council:
            found.append(
                f"anbefaling {item.recommendation}: en indstilling til KB hører kun til "
                "'sendes-til-kb'"
            )
        if item.proposal == Outcome.to_council:
            found.append(
                f"anbefaling {item.recommendation}: indstillingen kan ikke være 'sendes-til-kb'"
            )
    return found


def _listed(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def record(
    session: Session,
    committee: models.Committee,
    given: BodyDecision,
    actor: str,
    flow_run_id: str | None,
) -> list[ConsultationDecision]:
    """Record the body's decisions (again: a no-op); the committee is then `decided` if no
    recommendation waits for KB. Raises a UserError naming what does not fit."""
    if already := decisions(session, committee, given.body):
        return already
    if committee.status != CommitteeStatus.delivered:
        raise UserError(
            f"'{committee.slug}' har status '{committee.status}' og afventer ikke "
            f"{BODY_NAMES[given.body]}s beslutning"
        )
    if found := problems(session, committee, given):
        raise UserError(f"{BODY_NAMES[given.body]}s beslutning: " + "; ".join(found))
    rows = [
        ConsultationDecision(
            committee_id=committee.id,  # type: ignore[arg-type]
            body=given.body,
            recommendation=item.recommendation,
            outcome=item.outcome,
            reason=item.reason,
            proposal=item.proposal,
            meeting_date=given.meeting_date,
            agenda_item=given.agenda_item,
            case_number=given.case_number,
            flow_run_id=flow_run_id,
        )
        for item in given.items
    ]
    session.add_all(rows)
    audit(
        session,
        committee.id,
        actor,
        f"consultation.{given.body.value}",
        meeting_date=given.meeting_date.isoformat(),
        agenda_item=given.agenda_item,
        case_number=given.case_number,
        outcomes={str(item.recommendation): item.outcome.value for item in given.items},
    )
    session.flush()
    if not to_decide(session, committee, Body.council) or given.body == Body.council:
        _decided(session, committee, actor)
    return rows


def _decided(session: Session, committee: models.Committee, actor: str) -> None:
    """Every recommendation has its final decision: it starts its follow-up as 'besluttet'."""
    transition(session, committee, CommitteeStatus.decided, actor)
    for final in final_decisions(session, committee).values():
        session.add(
            FollowUp(
                committee_id=committee.id,  # type: ignore[arg-type]
                recommendation=final.recommendation,
                status=FollowUpStatus.decided,
                on=final.meeting_date,
                text=final.reason,
                unit="",
            )
        )


def final_decisions(
    session: Session, committee: models.Committee
) -> dict[int, ConsultationDecision]:
    """Per recommendation, the decision that stands: KB's where the standing committee sent
    it there, else the standing committee's (recommendations still at KB are left out)."""
    final: dict[int, ConsultationDecision] = {}
    for decision in decisions(session, committee):
        if decision.outcome == Outcome.to_council and decision.body == Body.standing_committee:
            continue
        final[decision.recommendation] = decision
    return final


def awaiting(session: Session, committee: models.Committee) -> Body | None:
    """The body whose decision the committee waits for, if any."""
    if committee.status != CommitteeStatus.delivered:
        return None
    if not decisions(session, committee, Body.standing_committee):
        return Body.standing_committee
    return Body.council if to_decide(session, committee, Body.council) else None


REFUSED = "consultation.refused"


def refuse(session: Session, committee: models.Committee, body: Body, why: str, actor: str) -> None:
    """An answer that did not fit, kept in the audit trail; the body is asked again."""
    audit(session, committee.id, actor, REFUSED, why, body=body.value)


def refusals(session: Session, committee: models.Committee, body: Body) -> int:
    """How many of the body's answers were refused: each new question needs a new key."""
    query = select(models.AuditEvent).where(
        models.AuditEvent.committee_id == committee.id, models.AuditEvent.action == REFUSED
    )
    return sum(1 for event in session.exec(query) if event.details.get("body") == body.value)
