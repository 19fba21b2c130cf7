"""What became of each recommendation after the decision: its status over time (besluttet,
i gang, gennemført, opgivet), each step with a date, a short public text, the unit responsible
and when to look at it again; reminders to the secretariat when that day has come."""

from datetime import date

from sqlmodel import Session, col, select

from opgaveudvalg import documents, models
from opgaveudvalg.committee import audit
from opgaveudvalg.delivery.handover import handover_content, stored_handover
from opgaveudvalg.delivery.records import FollowUp, FollowUpStatus
from opgaveudvalg.errors import UserError
from opgaveudvalg.mail.queue import enqueue_note
from opgaveudvalg.models import CommitteeStatus
from opgaveudvalg.settings import Settings

TEXT_MAX = 500
UNIT_MAX = 200
FINAL = (FollowUpStatus.carried_out, FollowUpStatus.dropped)
NEXT = {
    FollowUpStatus.decided: set(FollowUpStatus),
    FollowUpStatus.under_way: set(FollowUpStatus) - {FollowUpStatus.decided},
    FollowUpStatus.carried_out: {FollowUpStatus.carried_out},
    FollowUpStatus.dropped: {FollowUpStatus.dropped},
}
STATUS_WORDS = {
    FollowUpStatus.decided: "besluttet",
    FollowUpStatus.under_way: "i gang",
    FollowUpStatus.carried_out: "gennemført",
    FollowUpStatus.dropped: "opgivet",
}


def record_status(
    session: Session,
    committee: models.Committee,
    number: int,
    status: FollowUpStatus,
    on: date,
    text: str,
    unit: str,
    next_review: date | None,
    actor: str,
) -> FollowUp:
    """A new step in recommendation `number`'s follow-up. The same status, date and text
    again is no new step: it returns that step (with the unit and next review given now).
    Raises a UserError saying what does not fit."""
    text, unit = text.strip(), unit.strip()
    latest = _checked_latest(session, committee, number)
    if (latest.status, latest.on, latest.text) == (status, on, text):
        return _amended(session, committee, latest, unit, next_review, actor)
    _check_step(latest, status, on, text, unit, next_review)
    step = FollowUp(
        committee_id=committee.id,  # type: ignore[arg-type]
        recommendation=number,
        status=status,
        on=on,
        text=text,
        unit=unit,
        next_review=next_review,
    )
    session.add(step)
    audit(
        session,
        committee.id,
        actor,
        "followup.recorded",
        recommendation=number,
        status=status.value,
        on=on.isoformat(),
        next_review=next_review.isoformat() if next_review else None,
    )
    session.flush()
    return step


def _checked_latest(session: Session, committee: models.Committee, number: int) -> FollowUp:
    if committee.status not in (CommitteeStatus.decided, CommitteeStatus.closed):
        raise UserError(
            f"'{committee.slug}' har status '{committee.status}': opfølgning på anbefalingerne "
            "kan først registreres, når de er besluttet"
        )
    latest = _newest(session, committee).get(number)
    if latest is None:
        known = ", ".join(str(n) for n in sorted(_newest(session, committee)))
        raise UserError(f"'{committee.slug}' har ingen anbefaling nr. {number} (der er {known})")
    return latest


def _check_step(
    latest: FollowUp,
    status: FollowUpStatus,
    on: date,
    text: str,
    unit: str,
    next_review: date | None,
) -> None:
    number = latest.recommendation
    if status not in NEXT[latest.status]:
        raise UserError(
            f"anbefaling {number} er {STATUS_WORDS[latest.status]} (fra {latest.on:%d.%m.%Y}) "
            f"og kan ikke blive {STATUS_WORDS[status]}"
            + (
                f"; kun en rettelse med status '{latest.status.value}' er mulig"
                if latest.status in FINAL
                else ""
            )
        )
    if on < latest.on:
        raise UserError(
            f"anbefaling {number}: datoen {on:%d.%m.%Y} ligger før seneste status "
            f"({latest.on:%d.%m.%Y})"
        )
    _check_texts(number, text, unit)
    if next_review is not None and status in FINAL:
        raise UserError(
            f"anbefaling {number} er {STATUS_WORDS[status]}: den skal ikke følges op igen, "
            "så angiv ingen dato for næste opfølgning"
        )
    if next_review is not None and next_review <= on:
        raise UserError(
            f"anbefaling {number}: næste opfølgning ({next_review:%d.%m.%Y}) skal ligge efter "
            f"statusdatoen ({on:%d.%m.%Y})"
        )


def _check_texts(number: int, text: str, unit: str) -> None:
    if not text:
        raise UserError(f"anbefaling {number}: skriv en kort, offentlig tekst om status")
    if len(text) > TEXT_MAX:
        raise UserError(
            f"anbefaling {number}: teksten har {len(text)} tegn; højst {TEXT_MAX} "
            "(den sendes til alle deltagere og er offentlig)"
        )
    if not unit:
        raise UserError(f"anbefaling {number}: angiv den ansvarlige enhed")
    if len(unit) > UNIT_MAX:
        raise UserError(f"anbefaling {number}: den ansvarlige enhed har over {UNIT_MAX} tegn")


def _amended(
    session: Session,
    committee: models.Committee,
    latest: FollowUp,
    unit: str,
    next_review: date | None,
    actor: str,
) -> FollowUp:
    """The step again: only the unit and the next review may change."""
    if (latest.unit, latest.next_review) == (unit, next_review):
        return latest
    _check_texts(latest.recommendation, latest.text, unit)
    if next_review is not None and next_review <= latest.on:
        raise UserError(
            f"anbefaling {latest.recommendation}: næste opfølgning skal ligge efter "
            f"statusdatoen ({latest.on:%d.%m.%Y})"
        )
    if next_review != latest.next_review:
        latest.reminded_on = None
    latest.unit, latest.next_review = unit, next_review
    session.add(latest)
    audit(
        session,
        committee.id,
        actor,
        "followup.amended",
        recommendation=latest.recommendation,
        next_review=next_review.isoformat() if next_review else None,
    )
    return latest


def _newest(session: Session, committee: models.Committee) -> dict[int, FollowUp]:
    """Per recommendation number, its newest step."""
    query = (
        select(FollowUp)
        .where(FollowUp.committee_id == committee.id)
        .order_by(col(FollowUp.recommendation), col(FollowUp.on), col(FollowUp.id))
    )
    return {step.recommendation: step for step in session.exec(query)}


def current_statuses(session: Session, committee: models.Committee) -> list[FollowUp]:
    """Each recommendation's newest step, by number."""
    return sorted(_newest(session, committee).values(), key=lambda step: step.recommendation)


STATUS_HEADERS = ("Nr.", "Anbefaling", "Status", "Fra", "Ansvarlig", "Næste opfølgning", "Tekst")


def status_rows(session: Session, committee: models.Committee) -> list[tuple[str, ...]]:
    """`current_statuses` as printable rows under STATUS_HEADERS (see
    `documents.text_table`)."""
    stored = stored_handover(session, committee)
    titles = {r.nr: r.titel for r in handover_content(stored).anbefalinger} if stored else {}
    return [
        (
            str(step.recommendation),
            _short(titles.get(step.recommendation, ""), 40),
            STATUS_WORDS[step.status],
            f"{step.on:%d.%m.%Y}",
            step.unit or "–",
            f"{step.next_review:%d.%m.%Y}" if step.next_review else "–",
            _short(step.text, 60),
        )
        for step in current_statuses(session, committee)
    ]


def status_table(session: Session, committee: models.Committee) -> list[str]:
    """The statuses as lines for a terminal."""
    return documents.text_table(STATUS_HEADERS, status_rows(session, committee))


def _short(text: str, width: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


# --- reminders ----------------------------------------------------------------------------------


def due_reminders(session: Session, committee: models.Committee, today: date) -> list[FollowUp]:
    """The newest steps whose next review has come and that the secretariat has not yet been
    reminded of."""
    return [
        step
        for step in current_statuses(session, committee)
        if step.next_review is not None and step.next_review <= today and step.reminded_on is None
    ]


def queue_reminders(
    session: Session, committee: models.Committee, settings: Settings, today: date
) -> int:
    """One mail to the secretariat's mailbox per due follow-up, each once; the count queued."""
    due = due_reminders(session, committee, today)
    for step in due:
        _remind(session, committee, settings, step)
        step.reminded_on = today
        session.add(step)
        audit(
            session,
            committee.id,
            "automation",
            "followup.reminded",
            recommendation=step.recommendation,
            next_review=step.next_review.isoformat() if step.next_review else None,
        )
    session.flush()
    return len(due)


def _remind(
    session: Session, committee: models.Committee, settings: Settings, step: FollowUp
) -> models.OutboxMessage:
    assert step.next_review is not None
    subject = f"{committee.title}: opfølgning på anbefaling {step.recommendation}"
    text = (
        f"Anbefaling {step.recommendation} fra opgaveudvalget '{committee.title}' "
        f"({committee.slug}) skulle følges op {step.next_review:%d.%m.%Y}.\n\n"
        f"Seneste status: {STATUS_WORDS[step.status]} fra {step.on:%d.%m.%Y}"
        f" (ansvarlig: {step.unit or 'ikke angivet'}).\n\n"
        "Registrér den nye status med opgaveudvalg-kommandoen (se "
        f"`opgaveudvalg recommendations status {committee.slug}`). Deltagerne får besked, når "
        "status ændres.\n"
    )
    return enqueue_note(
        session,
        committee_id=committee.id,  # type: ignore[arg-type]
        key=f"opfoelgning:{committee.id}:{step.id}:{step.next_review:%Y%m%d}",
        kind="paamindelse-opfoelgning",
        to_address=settings.secretariat_email,
        subject=subject,
        text=text,
    )


def next_review(session: Session, committee: models.Committee) -> date | None:
    """The earliest review not yet reminded of, for the flow to wake then; after
    `queue_reminders(today)` it lies after today."""
    pending = [
        step.next_review
        for step in current_statuses(session, committee)
        if step.next_review is not None and step.reminded_on is None
    ]
    return min(pending, default=None)
