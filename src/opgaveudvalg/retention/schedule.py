"""Deletion on schedule, as the call's privacy notice promises — run daily by the retention
deployment (flows/retention.py), never by hand; `opgaveudvalg retention --dry-run` shows what
would go.

Per committee, counted from KB's appointment (A) and the day it closed (C):
- applicants not selected, with everything hanging on them: A + retention_unselected_months;
  reserves not before C (they may be called in); those who asked to hear what became of the
  work not before C + retention_members_months (they get the letters);
- rejected rows in quarantine and their reports, and the internal selection reports (with
  names): A + retention_unselected_months;
- members' contact data (the name stays where publication was allowed), politicians'
  addresses, the letters and the dry run's mail copies: C + retention_members_months.
Sent messages lose their address and content retention_sent_mail_days after sending.
Before the first deletion the figures the reports need are kept (`RetainedFigures`)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit, current_mandate
from opgaveudvalg.db import session_scope
from opgaveudvalg.delivery.closing import months_after
from opgaveudvalg.mail.outbox import Status
from opgaveudvalg.members import roster
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.recruitment.status import recruitment_status
from opgaveudvalg.retention import erasure
from opgaveudvalg.selection.instance import build_instance, instance_from_json, profile_labels
from opgaveudvalg.selection.runs import appointed_run, reserve_positions
from opgaveudvalg.settings import Settings

ACTOR = "sletning"


@dataclass
class Due:
    """What goes for one committee on one day."""

    committee: models.Committee
    unselected: list[models.Applicant] = field(default_factory=list)
    quarantined: list[models.QuarantinedRow] = field(default_factory=list)
    members: list[models.Applicant] = field(default_factory=list)
    politicians: list[models.Membership] = field(default_factory=list)
    messages: list[int] = field(default_factory=list)  # any left with an address (politicians')
    paths: list[Path] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "ansøgere": len(self.unselected),
            "afviste rækker": len(self.quarantined),
            "medlemmers kontaktdata": len(self.members),
            "politikeres adresser": len(self.politicians),
            "beskeder": len(self.messages),
            "filer": erasure.count_files(self.paths),
        }


@dataclass
class Report:
    day: date
    dry_run: bool
    committees: dict[str, dict[str, int]]
    messages: int

    def rows(self) -> list[dict[str, object]]:
        """Counts per committee (no names), for the run's artifact."""
        return [
            *({"udvalg": slug, **counts} for slug, counts in self.committees.items()),
            {"udvalg": "(alle)", "sendte beskeder": self.messages},
        ]

    def text(self) -> str:
        head = "Prøvekørsel – intet er slettet" if self.dry_run else "Slettet"
        lines = [f"{head} pr. {self.day.isoformat()}:"]
        for slug, counts in self.committees.items():
            shown = ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)
            lines.append(f"  {slug}: {shown or 'intet'}")
        lines.append(f"  sendte beskeders indhold og adresse: {self.messages}")
        return "\n".join(lines)


def today_in(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date()


def run(settings: Settings, day: date, dry_run: bool) -> Report:
    """Delete what is due on `day` (or only count it). Files go before the rows that list
    them are committed, so a crash in between leaves rows the next run deletes."""
    with session_scope() as session:
        found = due(session, settings, day)
        messages = sent_messages_due(session, settings, day)
        report = Report(day, dry_run, {d.committee.slug: d.counts() for d in found}, len(messages))
        if dry_run:
            session.rollback()
            return report
        for item in found:
            _delete(session, settings, item, day)
        _clear_sent(session, settings, messages)
        audit(
            session,
            None,
            ACTOR,
            "retention.run",
            None,
            day=day.isoformat(),
            committees=report.committees,
            messages=report.messages,
        )
    return report


# --- what is due ------------------------------------------------------------------------------


def due(session: Session, settings: Settings, day: date) -> list[Due]:
    committees = session.exec(select(models.Committee).order_by(col(models.Committee.id)))
    found = [_due_for(session, settings, c, day) for c in committees]
    return [d for d in found if d is not None]


def appointed_on(session: Session, committee: models.Committee) -> date | None:
    query = (
        select(models.Appointment)
        .where(models.Appointment.committee_id == committee.id)
        .order_by(col(models.Appointment.id))
    )
    first = session.exec(query).first()
    return first.meeting_date if first else None


def deadlines(settings: Settings, appointed: date, closed: date | None) -> tuple[date, date | None]:
    """The day the unselected go, and the day members' contact data goes (None: not closed)."""
    unselected = months_after(appointed, settings.retention_unselected_months)
    members = months_after(closed, settings.retention_members_months) if closed else None
    return unselected, members


class Place(StrEnum):
    """Where an application stands, which decides when it goes."""

    member = "member"  # held a seat: the contact data goes, the public record stays
    asked = "asked"  # asked to hear what became of the work
    reserve = "reserve"  # told they are a reserve
    unselected = "unselected"


def place_of(applicant: models.Applicant, seated: set[int], reserves: set[int]) -> Place:
    if applicant.id in seated:
        return Place.member
    if applicant.wants_updates:
        return Place.asked
    return Place.reserve if applicant.id in reserves else Place.unselected


def goes_on(
    settings: Settings, committee: models.Committee, appointed: date, place: Place
) -> date | None:
    """The day the application (for a member: the contact data) goes; None: not known yet."""
    unselected_on, members_on = deadlines(settings, appointed, committee.closed_on)
    if place in (Place.member, Place.asked):
        return members_on
    if place == Place.reserve:
        return max(unselected_on, committee.closed_on) if committee.closed_on else None
    return unselected_on


def seats_and_reserves(session: Session, committee: models.Committee) -> tuple[set[int], set[int]]:
    """Who held a seat, and who was told they are a reserve (the letters' reserve list)."""
    seated = _seated(session, committee)
    return seated, set(reserve_positions(appointed_run(session, committee), seated))


def _due_for(
    session: Session, settings: Settings, committee: models.Committee, day: date
) -> Due | None:
    appointed = appointed_on(session, committee)
    if appointed is None:
        return None
    found = Due(committee)
    seated, reserves = seats_and_reserves(session, committee)
    for applicant in _applicants(session, committee):
        assert applicant.id is not None
        place = place_of(applicant, seated, reserves)
        when = goes_on(settings, committee, appointed, place)
        if when is None or day < when:
            continue
        if place != Place.member:
            found.unselected.append(applicant)
            found.paths += erasure.files_of(session, settings, committee.slug, applicant.id)
        elif not erasure.is_erased(applicant):
            found.members.append(applicant)
    unselected_on, members_on = deadlines(settings, appointed, committee.closed_on)
    if day >= unselected_on:
        found.quarantined = _quarantined(session, committee)
        found.paths += _internal_files(settings, committee.slug)
    if members_on is not None and day >= members_on:
        found.politicians = [m for m in roster.members(session, committee) if m.email]
        found.messages = _addressed_messages(session, committee)
        found.paths += [
            CommitteeFiles.of(settings.output_dir, committee.slug).letters(),
            settings.eml_dir / committee.slug,
        ]
    return found


def _seated(session: Session, committee: models.Committee) -> set[int]:
    return {m.applicant_id for m in roster.members(session, committee) if m.applicant_id}


def _applicants(session: Session, committee: models.Committee) -> list[models.Applicant]:
    query = select(models.Applicant).where(models.Applicant.committee_id == committee.id)
    return list(session.exec(query.order_by(col(models.Applicant.id))))


def _quarantined(session: Session, committee: models.Committee) -> list[models.QuarantinedRow]:
    query = select(models.QuarantinedRow).where(models.QuarantinedRow.committee_id == committee.id)
    return list(session.exec(query))


def _addressed_messages(session: Session, committee: models.Committee) -> list[int]:
    query = select(models.OutboxMessage.id).where(
        models.OutboxMessage.committee_id == committee.id, models.OutboxMessage.to_address != ""
    )
    return [i for i in session.exec(query) if i is not None]


def _internal_files(settings: Settings, slug: str) -> list[Path]:
    """The rejected rows' reports and the internal selection reports: they name applicants."""
    files = CommitteeFiles.of(settings.output_dir, slug)
    return [files.rejects(), *files.root.glob("udvaelgelse-*/intern")]


def sent_messages_due(session: Session, settings: Settings, day: date) -> list[int]:
    """Sent (or given-up) messages whose address and content are kept no longer."""
    last_day = day - timedelta(days=settings.retention_sent_mail_days)
    cutoff = datetime.combine(last_day, time.max, ZoneInfo(settings.timezone))
    query = (
        select(models.OutboxMessage.id)
        .where(col(models.OutboxMessage.status).in_([Status.sent.value, Status.dead.value]))
        .where(models.OutboxMessage.to_address != "")
        .where(
            func.coalesce(models.OutboxMessage.sent_at, models.OutboxMessage.created_at) <= cutoff
        )
    )
    return [i for i in session.exec(query) if i is not None]


# --- deleting ---------------------------------------------------------------------------------


def _delete(session: Session, settings: Settings, item: Due, day: date) -> None:
    committee = item.committee
    counts = item.counts()  # before the files go
    if item.unselected or item.members:
        keep_figures(session, settings, committee)
    erasure.remove(item.paths)
    for applicant in item.unselected:
        erasure.delete_applicant(session, applicant)
    labels = profile_labels(current_mandate(session, committee), "da")
    profiles = {m.applicant_id: m.profile_key for m in roster.members(session, committee)}
    for applicant in item.members:
        label = labels.get(profiles.get(applicant.id) or "")
        erasure.erase_contact_data(session, applicant, label, day)
    for row in item.quarantined:
        session.delete(row)
    for membership in item.politicians:
        membership.email = None
        session.add(membership)
    erasure.clear_messages(session, item.messages)
    if any(counts.values()):
        audit(session, committee.id, ACTOR, "retention.deleted", None, **counts)


def _clear_sent(session: Session, settings: Settings, message_ids: list[int]) -> None:
    slugs = {c.id: c.slug for c in session.exec(select(models.Committee))}
    for message_id in message_ids:
        message = session.get(models.OutboxMessage, message_id)
        if message is not None:
            erasure.remove(erasure.mail_files(settings, slugs[message.committee_id], [message_id]))
    erasure.clear_messages(session, message_ids)


def keep_figures(session: Session, settings: Settings, committee: models.Committee) -> None:
    """Once, before the first deletion: the counts the reports show, and the hash of the
    applicant data as it is, which `selection verify` later compares with the lottery's."""
    if session.get(models.RetainedFigures, committee.id) is not None:
        return
    run = appointed_run(session, committee)
    stored = instance_from_json(run.inputs)
    current = build_instance(session, committee, stored.fixed, stored.excluded)
    status = recruitment_status(session, committee, settings)
    appointed = appointed_on(session, committee) or date.today()
    ages = Counter(
        _age_band(appointed.year - a.birth_year) for a in _applicants(session, committee)
    )
    session.add(
        models.RetainedFigures(
            committee_id=committee.id,  # type: ignore[arg-type]
            applicants=status.applicants,
            figures={"status": status.rows(), "aldersgrupper": dict(sorted(ages.items()))},
            applicant_data_hash=current.inputs_hash(),
        )
    )
    session.flush()


def _age_band(age: int) -> str:
    low = min(age // 10 * 10, 70)
    return f"{low}+" if low == 70 else f"{low}–{low + 9}"
