"""A meeting's documents: the agenda (before) or the minutes (after) in Danish and English,
HTML and PDF, and which of them the members receive by mail."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from opgaveudvalg import models
from opgaveudvalg.committee import current_mandate, decision_for, latest_mandate
from opgaveudvalg.documents import DocumentMeta, Format, write_document
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.meetings.plan import meetings
from opgaveudvalg.members.roster import members
from opgaveudvalg.models import AttendanceStatus, MemberRole
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import Settings

LANGUAGES = ("da", "en")
FORMATS: tuple[Format, ...] = ("html", "pdf")
MAILED: tuple[str, Format] = ("da", "pdf")  # the members get the agenda in Danish, as a PDF


def write_meeting_document(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    settings: Settings,
    minutes: bool,
) -> list[Path]:
    """The agenda (before) or the minutes (after) in Danish and English, HTML and PDF."""
    return list(_write(session, committee, meeting, settings, minutes).values())


def write_agenda(
    session: Session, committee: models.Committee, meeting: models.Meeting, settings: Settings
) -> Path:
    """Writes the agenda in every language and format; returns the file mailed to the members."""
    return _write(session, committee, meeting, settings, minutes=False)[MAILED]


def _write(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    settings: Settings,
    minutes: bool,
) -> dict[tuple[str, Format], Path]:
    mandate = current_mandate(session, committee)
    row = latest_mandate(session, committee.id)  # type: ignore[arg-type]
    decision = decision_for(session, row.id) if row else None  # type: ignore[arg-type]
    zone = ZoneInfo(settings.timezone)
    when = meeting.starts_at.astimezone(zone)
    kind = "referat" if minutes else "dagsorden"
    meta = DocumentMeta(
        kind,
        mandate.titel,
        settings.municipality,
        row.version if row else 1,
        when.date(),
        decision.case_number if decision else None,
        "da",
        approved=True,
    )
    contact = mandate.organisering.kontaktperson
    facilitator, secretary = (*meeting.facilitators, "", "")[:2]
    context = {
        "mandate": mandate,
        "meeting": meeting,
        "items": item_views(meeting),
        "minutes": minutes,
        "when": when,
        "until": meeting.ends_at.astimezone(zone),
        "called_by": mandate.organisering.sekretariat,
        "facilitator": facilitator or contact.navn,
        "secretary": secretary or f"{contact.navn}, {contact.titel}",
        **_attendance(session, committee, mandate, meeting, when),
    }
    files = CommitteeFiles.of(settings.output_dir, committee.slug)
    return {
        (lang, fmt): write_document(
            kind,
            lang,
            fmt,
            files.meeting(meeting.number, lang),
            meta=replace(meta, lang=lang),
            **context,
        )
        for lang in LANGUAGES
        for fmt in FORMATS
    }


@dataclass(frozen=True)
class ItemView:
    """One agenda item as the documents show it, with what the minutes recorded for it."""

    number: int
    title: str
    proposal: str
    description: str
    attachments: list[tuple[str, str]]  # (name, link)
    kind: str
    english: dict[str, str]
    discussion: str
    decision: str


def item_views(meeting: models.Meeting) -> list[ItemView]:
    """The meeting's items; an item stored before items had a kind is a discussion."""
    recorded = meeting.minutes or {}
    return [
        ItemView(
            number,
            item["titel"],
            item.get("indstilling", ""),
            item.get("beskrivelse", ""),
            [(_attachment_name(a), _attachment_link(a)) for a in item.get("bilag", [])],
            item.get("art", "drøftelse"),
            item.get("en", {}),
            _recorded(recorded.get("drøftelser", {}), number),
            _recorded(recorded.get("beslutninger", {}), number),
        )
        for number, item in enumerate(meeting.agenda, start=1)
    ]


def _recorded(by_item: dict[Any, str], number: int) -> str:
    """The text recorded for item `number` (JSON keeps the numbers as strings)."""
    return by_item.get(str(number)) or by_item.get(number) or ""


def _attachment_name(attachment: str) -> str:
    return attachment.rstrip("/").rsplit("/", 1)[-1] if _is_web(attachment) else attachment


def _attachment_link(attachment: str) -> str:
    """A web address as it is; a file name relative to the document, beside which it lies."""
    return attachment if _is_web(attachment) else quote(attachment)


def _is_web(attachment: str) -> bool:
    return attachment.startswith(("https://", "http://"))


def _attendance(
    session: Session,
    committee: models.Committee,
    mandate: Mandate,
    meeting: models.Meeting,
    when: datetime,
) -> dict[str, Any]:
    """The chair, who took part (members and the other stakeholders' representatives), and who
    was absent (name, with notice?), as the documents show them."""
    seated_members = members(session, committee, when.date())
    seated = [m.id for m in seated_members if m.id is not None]
    absent_rows = session.exec(
        select(models.Attendance).where(
            models.Attendance.meeting_id == meeting.id,
            models.Attendance.status != AttendanceStatus.present,
        )
    ).all()
    absent = {row.membership_id: row.status for row in absent_rows}
    notice = [absent[i] == AttendanceStatus.absent_with_notice for i in sorted(absent)]
    chair = next((m for m in seated_members if m.role == MemberRole.chair), None)
    parties = {m.on_behalf_of for m in seated_members}
    return {
        "chair": _names(session, [chair.id])[0] if chair and chair.id else None,
        "participants": _names(session, [i for i in seated if i not in absent]),
        "stakeholders": [
            other.organisation
            for other in mandate.sammensætning.øvrige_interessenter
            if other.organisation not in parties  # unless they hold a seat of their own
            for _ in range(other.pladser)
        ],
        "absent": list(zip(_names(session, sorted(absent)), notice, strict=True)),
    }


def _names(session: Session, membership_ids: Iterable[int]) -> list[str]:
    names = []
    for membership_id in membership_ids:
        m = session.get(models.Membership, membership_id)
        if m is None:
            continue
        person = session.get(models.Applicant, m.applicant_id) if m.applicant_id else None
        names.append(person.name if person else f"{m.politician_name} ({m.on_behalf_of})")
    return names


def write_missing_minutes(
    session: Session, committee: models.Committee, settings: Settings
) -> list[int]:
    """The minutes of every held meeting that has none written yet; returns their numbers."""
    files = CommitteeFiles.of(settings.output_dir, committee.slug)
    written = []
    for meeting in meetings(session, committee):
        done = (files.meeting(meeting.number, "da") / "referat.pdf").exists()
        if meeting.state == models.MeetingState.held and not done:
            write_meeting_document(session, committee, meeting, settings, minutes=True)
            written.append(meeting.number)
    return written


def written_minutes(
    session: Session, committee: models.Committee, settings: Settings
) -> list[tuple[models.Meeting, Path]]:
    """Each held meeting whose minutes are written, with the Danish PDF (the one sent)."""
    files = CommitteeFiles.of(settings.output_dir, committee.slug)
    found = [
        (meeting, files.meeting(meeting.number, "da") / "referat.pdf")
        for meeting in meetings(session, committee)
        if meeting.state == models.MeetingState.held
    ]
    return [(meeting, pdf) for meeting, pdf in found if pdf.exists()]
