"""The letters to applicants after KB's appointment: appointed, reserve or not selected, each in
Danish and English, written as files and queued in the outbox (`mail.queue.enqueue`). Each
letter is headed like the municipality's letters (sender, date, case number, contact person)
and gives the one reason that applies to its receiver."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from opgaveudvalg import documents, models
from opgaveudvalg.mail.queue import enqueue
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.members import roster
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.selection.instance import OPEN_SEAT, instance_from_json, profile_labels
from opgaveudvalg.selection.reports import LANGS, run_context
from opgaveudvalg.selection.runs import current_run, reserve_places
from opgaveudvalg.settings import Settings

LETTER_KINDS = ("udpeget", "reserve", "ikke-udvalgt")


@dataclass(frozen=True)
class FirstMeeting:
    """The first meeting as planned, or (`day` None) the usual weekday, time and place the plan
    will use when the meetings are not planned yet."""

    day: date | None
    weekday: str  # the usual meeting day in Danish ("tirsdag"), for when `day` is None
    starts: time
    ends: time
    location: str


def write_letters(
    session: Session,
    committee: models.Committee,
    settings: Settings,
    today: date | None = None,
) -> list[models.OutboxMessage]:
    """One letter per applicant (Danish, then English) as files and as an outbox message.
    Writing them again does not add messages: each has an idempotency key."""
    run = current_run(session, committee)
    common, slug = _shared_context(session, committee, run, settings, today or date.today())
    seated = {m.applicant_id: m for m in roster.members(session, committee) if m.applicant_id}
    places = reserve_places(run, set(seated))
    folder = CommitteeFiles.of(settings.output_dir, slug).letters()
    reasons = _Reasons(session, committee, run)
    messages = []
    for applicant in _applicants(session, committee):
        assert applicant.id is not None
        kind = _letter_kind(applicant.id, seated, places)
        membership = seated.get(applicant.id)
        context = {
            **common,
            "applicant": applicant,
            "kind": kind,
            "seat_key": membership.profile_key if membership else None,
            "reserve_places": places.get(applicant.id, []),
            "reason": reasons.of(applicant.id) if kind == "ikke-udvalgt" else None,
            "refusals": reasons.refusals.get(applicant.id, []),
        }
        messages.append(_letter(session, committee, run, applicant, kind, context, folder))
    return messages


def _shared_context(
    session: Session,
    committee: models.Committee,
    run: models.SelectionRun,
    settings: Settings,
    today: date,
) -> tuple[dict[str, Any], str]:
    """What every letter of the run says (KB's appointment, the letterhead, the first meeting),
    and the committee's slug."""
    mandate, meta, slug = run_context(session, run, settings.municipality)
    appointment = session.exec(
        select(models.Appointment).where(models.Appointment.selection_run_id == run.id)
    ).one()
    context = {
        "mandate": mandate,
        "appointment": appointment,
        # never dated before the meeting it reports (the demo records KB's meeting ahead of time)
        "letter_date": max(today, appointment.meeting_date),
        "case_number": meta.case_number,
        "contact": mandate.organisering.kontaktperson,
        "municipality": settings.municipality,
        "open_seat": OPEN_SEAT,
        "first_meeting": first_meeting(session, committee, mandate, settings),
    }
    return context, slug


def _applicants(session: Session, committee: models.Committee) -> list[models.Applicant]:
    query = select(models.Applicant).where(models.Applicant.committee_id == committee.id)
    return list(session.exec(query.order_by(col(models.Applicant.id))))


def first_meeting(
    session: Session, committee: models.Committee, mandate: Mandate, settings: Settings
) -> FirstMeeting:
    """The first meeting not cancelled, in local time; before the meetings are planned, the
    weekday, time and place the plan will use (from the settings)."""
    query = (
        select(models.Meeting)
        .where(
            models.Meeting.committee_id == committee.id,
            models.Meeting.state != models.MeetingState.cancelled,
        )
        .order_by(col(models.Meeting.number))
    )
    meeting = session.exec(query).first()
    if meeting is not None:
        zone = ZoneInfo(settings.timezone)
        starts, ends = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
        return FirstMeeting(
            starts.date(), settings.meeting_weekday, starts.time(), ends.time(), meeting.location
        )
    starts = datetime.combine(
        mandate.tidsplan.start, time.fromisoformat(settings.meeting_start_time)
    )
    ends = starts + timedelta(hours=mandate.tidsplan.mødelængde_timer)
    return FirstMeeting(
        None, settings.meeting_weekday, starts.time(), ends.time(), settings.meeting_location
    )


def _letter_kind(applicant_id: int, members: dict[int, Any], reserves: dict[int, Any]) -> str:
    if applicant_id in members:
        return "udpeget"
    return "reserve" if applicant_id in reserves else "ikke-udvalgt"


class _Reasons:
    """Why an applicant was not selected — the one reason that applies: not drawn in the lottery
    ("lodtrækning"), taken out of the lottery by the secretariat (`selection compute --udeluk`:
    "udtaget"), or eligible for none of the profiles chosen ("krav", with each profile's reason;
    the intake refuses a row with no profile when there are no open seats)."""

    def __init__(
        self, session: Session, committee: models.Committee, run: models.SelectionRun
    ) -> None:
        instance = instance_from_json(run.inputs)
        self.in_lottery = {int(p.id) for p in instance.people if p.id not in instance.excluded}
        self.excluded = {int(i) for i in instance.excluded}
        self.refusals: dict[int, list[tuple[str, str]]] = {}
        query = (
            select(models.ApplicantProfile)
            .join(models.Applicant)
            .where(
                models.Applicant.committee_id == committee.id,
                col(models.ApplicantProfile.eligible).is_(False),
            )
            .order_by(col(models.ApplicantProfile.profile_key))
        )
        for row in session.exec(query):
            self.refusals.setdefault(row.applicant_id, []).append((row.profile_key, row.reason))

    def of(self, applicant_id: int) -> str:
        if applicant_id in self.in_lottery:
            return "lodtrækning"
        return "udtaget" if applicant_id in self.excluded else "krav"


def _letter(
    session: Session,
    committee: models.Committee,
    run: models.SelectionRun,
    applicant: models.Applicant,
    kind: str,
    context: dict[str, Any],
    folder: Path,
) -> models.OutboxMessage:
    texts = {
        lang: documents.render_text(
            "brev.txt.j2", lang, seats=profile_labels(context["mandate"], lang), **context
        )
        for lang in LANGS
    }
    subject, body_text, body_html = bilingual(texts)
    target = folder / kind / f"{applicant.id}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body_html, encoding="utf-8")
    (folder / kind / f"{applicant.id}.txt").write_text(body_text, encoding="utf-8")
    key = f"selection-{run.id}-letter-{applicant.id}"
    return enqueue(
        session,
        committee_id=committee.id,  # type: ignore[arg-type]
        key=key,
        kind=f"brev-{kind}",
        applicant_id=applicant.id,
        to_address=applicant.email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachment=str(target),
    )


def bilingual(texts: dict[str, str]) -> tuple[str, str, str]:
    """One letter in Danish and English (`texts` by language, each with its title on the
    first line) as a mail: subject, plain text (Danish first), and HTML."""
    subject = texts["da"].splitlines()[0]
    body_text = texts["da"] + "\n\n---- English ----\n\n" + texts["en"]
    body_html = documents.render_text(
        "brev.html.j2",
        "da",
        subject=subject,
        letters={lang: paragraphs(text) for lang, text in texts.items()},
    )
    return subject, body_text, body_html


def paragraphs(text: str) -> tuple[str, list[list[str]]]:
    """A letter's text as its title and paragraphs of lines, for brev.html.j2."""
    title, _, body = text.partition("\n")
    blocks = [block.strip() for block in body.split("\n\n") if block.strip()]
    return title, [block.splitlines() for block in blocks]


def letter_counts(session: Session, committee: models.Committee) -> dict[str, int]:
    """Outbox messages per kind."""
    query = select(models.OutboxMessage.kind).where(
        models.OutboxMessage.committee_id == committee.id
    )
    return dict(Counter(session.exec(query)))


def appointment_rows(session: Session, committee: models.Committee) -> list[dict[str, object]]:
    """The appointment in figures for Prefect: seats by kind and messages queued by kind."""
    seated = roster.members(session, committee)
    rows: list[dict[str, object]] = [
        {"emne": "borgere udpeget", "antal": sum(1 for m in seated if m.applicant_id)},
        {"emne": "politikere udpeget", "antal": sum(1 for m in seated if m.politician_name)},
    ]
    queued = sorted(letter_counts(session, committee).items())
    return rows + [{"emne": f"i udbakken: {kind}", "antal": n} for kind, n in queued]
