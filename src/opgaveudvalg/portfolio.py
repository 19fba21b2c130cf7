"""Where every committee stands, from the app database: its stage, the next date in its life
and its open warnings — the part of the portfolio that does not depend on Prefect. Aggregates
only: no name or contact detail of an applicant or member."""

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from opgaveudvalg import committee as committees
from opgaveudvalg import models
from opgaveudvalg.delivery import consultation, followup
from opgaveudvalg.mail import outbox
from opgaveudvalg.mail.queue import enqueue_note
from opgaveudvalg.meetings import minutes, plan
from opgaveudvalg.recruitment import call, status
from opgaveudvalg.settings import Settings

UNDELIVERED = ("dead", "unknown")


@dataclass
class CommitteeLine:
    slug: str
    title: str
    stage: str
    changed: datetime
    next_date: datetime | None = None
    next_what: str = ""
    warnings: list[str] = field(default_factory=list)


def portfolio(session: Session, settings: Settings) -> list[CommitteeLine]:
    return [line_of(session, found, settings) for found in committees.list_committees(session)]


def line_of(session: Session, found: models.Committee, settings: Settings) -> CommitteeLine:
    line = CommitteeLine(found.slug, found.title, found.status.value, found.updated_at)
    if found.status == models.CommitteeStatus.recruiting:
        line.next_date, line.next_what = call.deadline_of(session, found, settings), "frist"
        line.warnings += status.recruitment_status(session, found, settings).warnings
    if found.status in (models.CommitteeStatus.appointed, models.CommitteeStatus.in_session):
        number = plan.next_open_meeting(session, found)
        if number is not None:
            line.next_date = plan.get_meeting(session, found, number).starts_at
            line.next_what = f"møde {number}"
        line.warnings += minutes.attendance_warnings(session, found)
    if found.status == models.CommitteeStatus.delivered:
        body = consultation.awaiting(session, found)
        line.next_what = f"{consultation.BODY_NAMES[body]}s beslutning" if body else ""
    if found.status == models.CommitteeStatus.closed:
        upcoming = followup.next_review(session, found)
        if upcoming is not None:
            line.next_date = datetime.combine(upcoming, time(8), ZoneInfo(settings.timezone))
            line.next_what = "opfølgning"
    counts = outbox.status_counts(found.id)
    undelivered = sum(counts.get(s, 0) for s in UNDELIVERED)
    if undelivered:
        line.warnings.append(f"{undelivered} e-mails ikke leveret – se `opgaveudvalg outbox send`")
    return line


def remind_secretariat(
    session: Session,
    found: models.Committee,
    settings: Settings,
    waiting_for: str,
    since: datetime,
    where: str,
) -> models.OutboxMessage:
    """A mail to the secretariat's functional mailbox that a decision has waited too long; one
    per committee, wait and day it began."""
    local = since.astimezone(ZoneInfo(settings.timezone))
    days = (datetime.now(ZoneInfo(settings.timezone)) - local).days
    subject = f"{found.title}: venter stadig på {waiting_for}"
    text = (
        f"Opgaveudvalget '{found.title}' ({found.slug}) har siden {local:%d.%m.%Y kl. %H.%M} "
        f"({days} dage) ventet på {waiting_for}.\n\n"
        f"Giv svaret i Prefect UI: {where}\n"
        f"eller med opgaveudvalg-kommandoen (se `opgaveudvalg committees`).\n"
    )
    committees.audit(session, found.id, "automation", "wait.stale", waiting_for=waiting_for)
    return enqueue_note(
        session,
        committee_id=found.id,  # type: ignore[arg-type]
        key=f"paamindelse:{found.slug}:{waiting_for}:{local:%Y%m%d%H%M}",
        kind="paamindelse",
        to_address=settings.secretariat_email,
        subject=subject,
        text=text,
    )
