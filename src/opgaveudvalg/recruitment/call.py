"""The public call (opslag): opening it, and closing it at the deadline or on command."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from opgaveudvalg import documents, models
from opgaveudvalg.committee import (
    audit,
    current_mandate,
    decision_for,
    latest_mandate,
    mandate_content,
    transition,
)
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import Settings

CLOSE_REQUESTED = "recruitment.close_requested"
DEADLINE_MOVED = "recruitment.deadline_moved"
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")

MeetingDays = Callable[[Mandate, Settings], Sequence[date]]
"""The days the meeting plan gives a mandate's meetings (meetings.plan.meeting_days, which
this layer may not import: the callers above pass it in)."""


@dataclass(frozen=True)
class CallInfo:
    """What the public call says beyond the mandate itself (render context `call`)."""

    deadline: date
    how_to_apply: str  # the mandate's words; empty on the web form's own call page
    apply_url: str | None  # the apply button's target: the form, or the link in how_to_apply
    questions: list[str]
    postcodes: list[str]
    min_age: int
    retention_unselected_months: int
    retention_members_months: int
    secretariat_email: str
    dpo_email: str
    meeting_days: tuple[date, ...]
    meeting_start: time
    meeting_end: time
    meeting_location: str
    fee_kr: int
    meals: bool


def call_info(
    mandate: Mandate, settings: Settings, days: Sequence[date], deadline: date | None = None
) -> CallInfo:
    start = time.fromisoformat(settings.meeting_start_time)
    length = timedelta(hours=mandate.tidsplan.mødelængde_timer)
    return CallInfo(
        deadline or mandate.rekruttering.ansøgningsfrist,
        mandate.rekruttering.ansøgning,
        first_link(mandate.rekruttering.ansøgning),
        mandate.balance_categories,
        settings.postcodes,
        settings.applicant_min_age,
        settings.retention_unselected_months,
        settings.retention_members_months,
        settings.secretariat_email,
        settings.dpo_email,
        tuple(days),
        start,
        (datetime.combine(date.min, start) + length).time(),
        settings.meeting_location,
        settings.member_fee_kr,
        settings.meeting_meals,
    )


def first_link(text: str) -> str | None:
    """The first web address in the mandate's 'how to apply' (the configured form), if any."""
    found = _URL.search(text)
    return found.group() if found else None


def open_call(
    session: Session,
    committee: models.Committee,
    settings: Settings,
    actor: str,
    meeting_days: MeetingDays,
) -> list[Path]:
    """Move a mandated committee to `recruiting` and render its call; nothing if it is open
    already and rendered (the call keeps the date it was published)."""
    files = CommitteeFiles.of(settings.output_dir, committee.slug)
    if committee.status == models.CommitteeStatus.mandated:
        transition(session, committee, models.CommitteeStatus.recruiting, actor, "opslag åbnet")
    elif files.call("da").exists():
        return []
    return write_call(session, committee, settings, date.today(), meeting_days)


def write_call(
    session: Session,
    committee: models.Committee,
    settings: Settings,
    dated: date,
    meeting_days: MeetingDays,
) -> list[Path]:
    """The call's documents in Danish and English, with the deadline now in force."""
    meta, context = call_document(session, committee, settings, dated, meeting_days)
    return documents.write_in_languages(
        "opslag",
        meta,
        CommitteeFiles.of(settings.output_dir, committee.slug).call,
        ("da", "en"),
        ("html", "pdf", "txt"),
        **context,
    )


def call_document(
    session: Session,
    committee: models.Committee,
    settings: Settings,
    dated: date,
    meeting_days: MeetingDays,
) -> tuple[documents.DocumentMeta, dict[str, Any]]:
    """What the call's templates are rendered with (the files, and the web form's call page):
    the document's metadata (Danish) and its context."""
    row = latest_mandate(session, committee.id)  # type: ignore[arg-type]
    decision = decision_for(session, row.id)  # type: ignore[arg-type, union-attr]
    mandate = mandate_content(row)  # type: ignore[arg-type]
    meta = documents.DocumentMeta(
        "opslag",
        mandate.titel,
        settings.municipality,
        row.version,  # type: ignore[union-attr]
        dated,
        decision.case_number if decision else None,
        "da",
        approved=True,
    )
    deadline = last_day_of_call(session, committee, settings)
    days = meeting_days(mandate, settings)
    return meta, {"mandate": mandate, "call": call_info(mandate, settings, days, deadline)}


def request_close(session: Session, committee: models.Committee, actor: str) -> None:
    """Ask the waiting recruitment flow to close the call before the deadline."""
    if committee.status != models.CommitteeStatus.recruiting:
        raise UserError(f"'{committee.slug}' rekrutterer ikke (status '{committee.status.value}')")
    audit(session, committee.id, actor, CLOSE_REQUESTED)


def close_requested(session: Session, committee: models.Committee) -> bool:
    """Whether someone asked to close the call early (`opgaveudvalg recruitment close`)."""
    return (
        session.exec(
            select(models.AuditEvent.id).where(
                models.AuditEvent.committee_id == committee.id,
                models.AuditEvent.action == CLOSE_REQUESTED,
            )
        ).first()
        is not None
    )


def deadline_of(session: Session, committee: models.Committee, settings: Settings) -> datetime:
    """The moment the call closes: the end of the mandate's deadline day, local time, unless the
    secretariat has moved it (`opgaveudvalg recruitment deadline`)."""
    moved = session.exec(
        select(models.AuditEvent)
        .where(
            models.AuditEvent.committee_id == committee.id,
            models.AuditEvent.action == DEADLINE_MOVED,
        )
        .order_by(models.AuditEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    if moved is not None:
        return datetime.fromisoformat(str(moved.details["deadline"]))
    last_day = current_mandate(session, committee).rekruttering.ansøgningsfrist
    return datetime.combine(last_day + timedelta(days=1), time(0), ZoneInfo(settings.timezone))


def last_day_of_call(session: Session, committee: models.Committee, settings: Settings) -> date:
    """The last day applications are taken, as the call states it."""
    return (deadline_of(session, committee, settings) - timedelta(microseconds=1)).date()


def move_deadline(
    session: Session,
    committee: models.Committee,
    settings: Settings,
    last_day: date,
    until: time | None,
    actor: str,
    meeting_days: MeetingDays,
) -> datetime:
    """Extend or shorten the call: it closes after `last_day` (at `until` that day, local time,
    if given). The call's documents are written again with the new deadline."""
    if committee.status != models.CommitteeStatus.recruiting:
        raise UserError(f"'{committee.slug}' rekrutterer ikke (status '{committee.status.value}')")
    zone = ZoneInfo(settings.timezone)
    moment = (
        datetime.combine(last_day, until, zone)
        if until
        else datetime.combine(last_day + timedelta(days=1), time(0), zone)
    )
    audit(session, committee.id, actor, DEADLINE_MOVED, deadline=moment.isoformat())
    session.flush()
    write_call(session, committee, settings, date.today(), meeting_days)
    return moment


def close_reason(
    session: Session, committee: models.Committee, settings: Settings, now: datetime
) -> str | None:
    """Why the call is closed now: the deadline has passed or a close was requested; else None."""
    if now >= deadline_of(session, committee, settings):
        return "ansøgningsfristen er udløbet"
    if close_requested(session, committee):
        return "lukket på kommando"
    return None


def close_recruitment(
    session: Session, committee: models.Committee, actor: str, reason: str
) -> None:
    """Hand the committee to selection."""
    transition(session, committee, models.CommitteeStatus.selecting, actor, reason)
