"""The committee's meetings: the plan from the mandate's timetable, changes (move, cancel, add),
agendas, minutes with attendance, and the invitations each change sends to the members."""

import hashlib
import html
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from ruamel.yaml import YAML
from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit, current_mandate
from opgaveudvalg.errors import UserError
from opgaveudvalg.mail import itip
from opgaveudvalg.mail.queue import enqueue, queued
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.members.roster import members, replace_member
from opgaveudvalg.models import AttendanceStatus, MeetingState, utcnow
from opgaveudvalg.paths import CommitteeFiles

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
# School holidays in Denmark (approximately, the same every year): no meetings then
BREAKS = (
    ((6, 27), (8, 10)),
    ((12, 20), (12, 31)),
    ((1, 1), (1, 3)),
    ((2, 9), (2, 22)),
    ((10, 12), (10, 23)),
)


@dataclass(frozen=True)
class PlanRules:
    weekday: int  # 0 = Monday
    start: time
    location: str
    timezone: str


def rules(settings: Any) -> PlanRules:
    return PlanRules(
        WEEKDAYS.index(settings.meeting_weekday),
        time.fromisoformat(settings.meeting_start_time),
        settings.meeting_location,
        settings.timezone,
    )


# --- the plan ------------------------------------------------------------------------------


def is_free(day: date, danish_holidays: holidays.HolidayBase) -> bool:
    """Not a public holiday and not in a school holiday."""
    if day in danish_holidays:
        return False
    return not any(begin <= (day.month, day.day) <= end for begin, end in BREAKS)


def propose_dates(first: date, last: date, count: int, weekday: int) -> list[date]:
    """`count` meeting days on `weekday` spread evenly from `first` to `last`, each moved to
    the nearest free day of that weekday (public holidays and school holidays avoided)."""
    danish = holidays.country_holidays("DK", years=range(first.year, last.year + 1))
    candidates = [
        first + timedelta(days=offset)
        for offset in range((last - first).days + 1)
        if (first + timedelta(days=offset)).weekday() == weekday
        and is_free(first + timedelta(days=offset), danish)
    ]
    if len(candidates) < count:
        raise UserError(
            f"Der er kun {len(candidates)} ledige {WEEKDAYS[weekday]}e mellem {first} og {last} "
            f"til {count} møder"
        )
    step = (last - first) / max(1, count - 1)
    chosen: list[date] = []
    for number in range(count):
        ideal = first + step * number
        free = [day for day in candidates if day not in chosen]
        chosen.append(min(free, key=lambda day: (abs((day - ideal).days), day)))
    return sorted(chosen)


def local(day: date, at: time, timezone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(timezone))


def plan_meetings(
    session: Session, committee: models.Committee, settings: Any, actor: str
) -> list[models.Meeting]:
    """The meeting plan from the mandate's timetable; planning again changes nothing."""
    existing = meetings(session, committee)
    if existing:
        return existing
    mandate = current_mandate(session, committee)
    plan = mandate.tidsplan
    given = rules(settings)
    last = plan.aflevering - timedelta(
        days=14
    )  # the last meeting leaves time to write the handover
    length = timedelta(hours=plan.mødelængde_timer)
    for number, day in enumerate(
        propose_dates(plan.start, last, plan.antal_møder, given.weekday), start=1
    ):
        starts = local(day, given.start, given.timezone)
        session.add(_meeting(committee, mandate, number, starts, starts + length, given.location))
    session.flush()
    audit(session, committee.id, actor, "meetings.planned", count=plan.antal_møder)
    return meetings(session, committee)


def _meeting(
    committee: models.Committee,
    mandate: Mandate,
    number: int,
    starts: datetime,
    ends: datetime,
    location: str,
) -> models.Meeting:
    return models.Meeting(
        committee_id=committee.id,  # type: ignore[arg-type]
        number=number,
        uid=f"{uuid.uuid4()}@opgaveudvalg",
        starts_at=starts,
        ends_at=ends,
        location=location,
        facilitators=list(mandate.organisering.facilitatorer),
        agenda=default_agenda(number),
    )


def meetings(session: Session, committee: models.Committee) -> list[models.Meeting]:
    query = select(models.Meeting).where(models.Meeting.committee_id == committee.id)
    return list(session.exec(query.order_by(col(models.Meeting.number))))


def get_meeting(session: Session, committee: models.Committee, number: int) -> models.Meeting:
    found = next((m for m in meetings(session, committee) if m.number == number), None)
    if found is None:
        raise UserError(f"'{committee.slug}' har intet møde nr. {number}")
    return found


# --- changes -------------------------------------------------------------------------------


def _changeable(meeting: models.Meeting) -> None:
    if meeting.state in (MeetingState.held, MeetingState.cancelled):
        raise UserError(f"Møde nr. {meeting.number} er {meeting.state.value} og kan ikke ændres")


def move_meeting(
    session: Session,
    committee: models.Committee,
    number: int,
    starts: datetime,
    actor: str,
    location: str | None = None,
) -> models.Meeting:
    """A new time (and place); invited members get an update with the same UID."""
    meeting = get_meeting(session, committee, number)
    _changeable(meeting)
    length = meeting.ends_at - meeting.starts_at
    before = meeting.starts_at.isoformat()
    meeting.starts_at, meeting.ends_at = starts, starts + length
    meeting.location = location or meeting.location
    _changed(session, meeting)
    audit(
        session,
        committee.id,
        actor,
        "meeting.moved",
        number=number,
        before=before,
        after=starts.isoformat(),
    )
    return meeting


def cancel_meeting(
    session: Session, committee: models.Committee, number: int, actor: str, reason: str
) -> models.Meeting:
    meeting = get_meeting(session, committee, number)
    _changeable(meeting)
    was_invited = meeting.state == MeetingState.invited
    meeting.state = MeetingState.cancelled
    if was_invited:
        meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.add(meeting)
    audit(session, committee.id, actor, "meeting.cancelled", reason, number=number)
    return meeting


def add_meeting(
    session: Session,
    committee: models.Committee,
    starts: datetime,
    hours: float,
    location: str,
    actor: str,
) -> models.Meeting:
    mandate = current_mandate(session, committee)
    number = max((m.number for m in meetings(session, committee)), default=0) + 1
    meeting = _meeting(
        committee, mandate, number, starts, starts + timedelta(hours=hours), location
    )
    session.add(meeting)
    session.flush()
    audit(session, committee.id, actor, "meeting.added", number=number)
    return meeting


def _changed(session: Session, meeting: models.Meeting) -> None:
    """A change members must hear about: a new SEQUENCE if they were invited already."""
    if meeting.state == MeetingState.invited:
        meeting.sequence += 1
    meeting.updated_at = utcnow()
    session.add(meeting)


# --- invitations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    membership_id: int
    applicant_id: int
    person: itip.Person


def recipients(session: Session, committee: models.Committee, on: date) -> list[Recipient]:
    """The citizen members holding a seat on `on`, with their e-mail addresses."""
    found = []
    for membership in members(session, committee, on):
        if membership.applicant_id is None:
            continue  # politicians are invited through the council's own calendar system
        applicant = session.get(models.Applicant, membership.applicant_id)
        if applicant is not None and membership.id is not None:
            person = itip.Person(applicant.email, applicant.name)
            found.append(Recipient(membership.id, membership.applicant_id, person))
    return found


def event(meeting: models.Meeting, mandate: Mandate) -> itip.MeetingEvent:
    items = "\n".join(f"{n}. {item['titel']}" for n, item in enumerate(meeting.agenda, start=1))
    return itip.MeetingEvent(
        uid=meeting.uid,
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        summary=f"{mandate.titel} – møde {meeting.number}",
        location=meeting.location,
        description=f"Dagsorden:\n{items}",
    )


def queue_invitations(
    session: Session, committee: models.Committee, settings: Any, today: date
) -> list[models.OutboxMessage]:
    """For every meeting whose current version the members have not had: a REQUEST (or a
    CANCEL) to each member, one message per recipient. Queuing again adds nothing."""
    mandate = current_mandate(session, committee)
    organizer = itip.Person(settings.secretariat_email, mandate.organisering.sekretariat)
    queued = []
    for meeting in meetings(session, committee):
        if meeting.state == MeetingState.held or meeting.ends_at.date() < today:
            continue
        if meeting.state == MeetingState.planned:
            meeting.state = MeetingState.invited
            session.add(meeting)
        for recipient in recipients(session, committee, meeting.starts_at.date()):
            queued += _message(
                session, committee, meeting, mandate, organizer, recipient, settings.timezone
            )
    return queued


def _message(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    mandate: Mandate,
    organizer: itip.Person,
    recipient: Recipient,
    timezone: str,
    cancel: bool = False,
) -> list[models.OutboxMessage]:
    cancelled = cancel or meeting.state == MeetingState.cancelled
    method = "CANCEL" if cancelled else "REQUEST"
    key = f"meeting-{meeting.uid}-{meeting.sequence}-{method}-{recipient.membership_id}"
    if queued(session, key):
        return []
    details = event(meeting, mandate)
    builder = itip.cancel if cancelled else itip.request
    calendar = builder(details, organizer, recipient.person, timezone)
    subject = f"{'Aflyst' if cancelled else 'Invitation'}: {details.summary}"
    when = meeting.starts_at.astimezone(ZoneInfo(timezone))
    text = (
        f"Kære {recipient.person.name}\n\n"
        + (
            f"Mødet {when:%d.%m.%Y kl. %H.%M} er aflyst.\n"
            if cancelled
            else f"Du inviteres til møde {meeting.number} {when:%d.%m.%Y kl. %H.%M} – {meeting.location}.\n\n{details.description}\n"
        )
        + f"\nMed venlig hilsen\n{organizer.name}"
    )
    kind = f"moede-{method.lower()}"
    return [_enqueue(session, committee, recipient, key, kind, subject, text, calendar=calendar)]


def _enqueue(
    session: Session,
    committee: models.Committee,
    recipient: Recipient,
    key: str,
    kind: str,
    subject: str,
    text: str,
    attachment: str | None = None,
    calendar: str | None = None,
) -> models.OutboxMessage:
    """One message to one member, in Danish, text and HTML; sent later by the outbox."""
    paragraphs = html.escape(text).replace("\n\n", "</p><p>").replace("\n", "<br>")
    return enqueue(
        session,
        committee_id=committee.id,  # type: ignore[arg-type]
        key=key,
        kind=kind,
        applicant_id=recipient.applicant_id,
        to_address=recipient.person.email,
        subject=subject,
        body_text=text,
        body_html=f"<p>{paragraphs}</p>",
        attachment=attachment,
        calendar=calendar,
    )


def queue_agenda(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    settings: Any,
    agenda_pdf: Path,
) -> list[models.OutboxMessage]:
    """The agenda to every member before the meeting, as a PDF attachment; a changed agenda
    is sent again, the same agenda never twice."""
    mandate = current_mandate(session, committee)
    version = hashlib.sha256(json.dumps(meeting.agenda, sort_keys=True).encode()).hexdigest()[:12]
    when = meeting.starts_at.astimezone(ZoneInfo(settings.timezone))
    items = "\n".join(f"{n}. {item['titel']}" for n, item in enumerate(meeting.agenda, start=1))
    messages = []
    for recipient in recipients(session, committee, when.date()):
        key = f"agenda-{meeting.uid}-{version}-{recipient.membership_id}"
        if queued(session, key):
            continue
        text = (
            f"Kære {recipient.person.name}\n\nHer er dagsordenen til møde {meeting.number} i "
            f"{mandate.titel} {when:%d.%m.%Y kl. %H.%M}, {meeting.location}:\n\n{items}\n\n"
            f"Dagsordenen med sagsfremstillinger er vedhæftet.\n\nMed venlig hilsen\n{mandate.organisering.sekretariat}"
        )
        subject = f"Dagsorden: {mandate.titel} – møde {meeting.number}"
        messages.append(
            _enqueue(
                session,
                committee,
                recipient,
                key,
                "moede-dagsorden",
                subject,
                text,
                attachment=str(agenda_pdf),
            )
        )
    return messages


def write_feed(session: Session, committee: models.Committee, settings: Any) -> Path:
    """The committee's subscribable calendar (METHOD:PUBLISH, the invitations' UIDs, no
    attendees), written where it can be served as a static file."""
    mandate = current_mandate(session, committee)
    organizer = itip.Person(settings.secretariat_email, mandate.organisering.sekretariat)
    events = [
        (event(m, mandate), m.state == MeetingState.cancelled) for m in meetings(session, committee)
    ]
    path = CommitteeFiles.of(settings.output_dir, committee.slug).feed()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        itip.feed(events, organizer, mandate.titel, settings.timezone), encoding="utf-8", newline=""
    )
    return path


def hand_over_seat(
    session: Session,
    committee: models.Committee,
    applicant_id: int,
    today: date,
    reason: str,
    actor: str,
    settings: Any,
) -> models.Membership:
    """A member leaves: the first fitting reserve takes the seat (see roster.replace_member);
    the leaver gets a CANCEL for each coming meeting and the successor the invitations."""
    successor = replace_member(session, committee, applicant_id, today, reason, actor)
    leaving = next(
        m for m in members(session, committee) if m.applicant_id == applicant_id and m.end_date
    )
    member_left(session, committee, leaving, settings, today)
    queue_invitations(session, committee, settings, today)
    return successor


FEED_PATH = re.compile(r"^/([a-z0-9]+(?:-[a-z0-9]+)*)\.ics$")


def feed_server(output_dir: Path, host: str = "127.0.0.1", port: int = 8088) -> ThreadingHTTPServer:
    """Serves each committee's feed at /<slug>.ics as text/calendar for calendar apps to
    subscribe to (webcal://host:port/<slug>.ics); nothing else under output_dir is reachable."""

    class FeedHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            match = FEED_PATH.match(self.path.split("?", 1)[0])
            path = CommitteeFiles.of(output_dir, match[1]).feed() if match else None
            if path is None or not path.is_file():
                self.send_error(404, "Ingen kalender her")
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines name no one, but a feed server needs no access log here

    return ThreadingHTTPServer((host, port), FeedHandler)


def member_left(
    session: Session,
    committee: models.Committee,
    leaving: models.Membership,
    settings: Any,
    today: date,
) -> list[models.OutboxMessage]:
    """A member who leaves gets a CANCEL for every coming meeting they were invited to."""
    applicant = session.get(models.Applicant, leaving.applicant_id)
    if applicant is None:
        return []
    mandate = current_mandate(session, committee)
    organizer = itip.Person(settings.secretariat_email, mandate.organisering.sekretariat)
    recipient = Recipient(leaving.id, applicant.id, itip.Person(applicant.email, applicant.name))  # type: ignore[arg-type]
    queued = []
    for meeting in meetings(session, committee):
        if meeting.state == MeetingState.invited and meeting.starts_at.date() >= today:
            queued += _message(
                session, committee, meeting, mandate, organizer, recipient, settings.timezone, True
            )
    return queued


# --- agendas, minutes, attendance ------------------------------------------------------------


def default_agenda(number: int) -> list[dict[str, Any]]:
    items = [_item("Godkendelse af dagsorden", "Det indstilles, at dagsordenen godkendes.")]
    if number > 1:
        items.append(
            _item(
                "Godkendelse af referat fra sidste møde", "Det indstilles, at referatet godkendes."
            )
        )
    items.append(_item("Eventuelt", ""))
    return items


def _item(
    title: str, proposal: str, description: str = "", attachments: Iterable[str] = ()
) -> dict[str, Any]:
    return {
        "titel": title,
        "indstilling": proposal,
        "beskrivelse": description,
        "bilag": list(attachments),
    }


def read_yaml(path: Path) -> Any:
    try:
        return YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: kan ikke læses ({exc.strerror})") from None
    except Exception as exc:  # ruamel's parse errors carry the line
        raise UserError(f"{path}: ugyldig YAML – {exc}") from None


def set_agenda(
    session: Session, committee: models.Committee, number: int, path: Path, actor: str
) -> models.Meeting:
    """The secretariat's items between the default opening items and 'Eventuelt'."""
    meeting = get_meeting(session, committee, number)
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("punkter"), list):
        raise UserError(f"{path}: skal have en liste 'punkter'")
    items = []
    for index, raw in enumerate(data["punkter"], start=1):
        if not isinstance(raw, dict) or not str(raw.get("titel", "")).strip():
            raise UserError(f"{path}: punkter nr. {index}: 'titel' skal udfyldes")
        unknown = set(raw) - {"titel", "indstilling", "beskrivelse", "bilag"}
        if unknown:
            raise UserError(
                f"{path}: punkter nr. {index}: ukendt felt {', '.join(sorted(unknown))}"
            )
        items.append(
            _item(
                str(raw["titel"]),
                str(raw.get("indstilling", "")),
                str(raw.get("beskrivelse", "")),
                map(str, raw.get("bilag", [])),
            )
        )
    opening = default_agenda(meeting.number)[:-1]
    meeting.agenda = [*opening, *items, default_agenda(1)[-1]]
    meeting.updated_at = utcnow()
    session.add(meeting)
    audit(session, committee.id, actor, "meeting.agenda", number=number, items=len(meeting.agenda))
    return meeting


def record_minutes(
    session: Session, committee: models.Committee, number: int, path: Path, actor: str
) -> models.Meeting:
    """Decisions per item, optional discussion, and who was absent (with or without notice);
    every other member holding a seat that day was present. The meeting is then held."""
    meeting = get_meeting(session, committee, number)
    if meeting.state == MeetingState.cancelled:
        raise UserError(f"Møde nr. {number} er aflyst")
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise UserError(f"{path}: skal have 'beslutninger' og evt. 'drøftelser' og 'fravær'")
    decisions = _numbered(data, "beslutninger", path)
    discussion = _numbered(data, "drøftelser", path)
    if not (set(decisions) | set(discussion)) <= set(range(1, len(meeting.agenda) + 1)):
        raise UserError(f"{path}: dagsordenen har punkterne 1–{len(meeting.agenda)}")
    meeting.minutes = {"beslutninger": decisions, "drøftelser": discussion}
    _record_attendance(session, committee, meeting, data.get("fravær") or [], path)
    meeting.state = MeetingState.held
    meeting.updated_at = utcnow()
    session.add(meeting)
    previous = next(
        (
            m
            for m in meetings(session, committee)
            if m.number < number
            and m.state == MeetingState.held
            and m.minutes_approved_at_meeting is None
        ),
        None,
    )
    if previous is not None and number > 1:
        previous.minutes_approved_at_meeting = number  # item 2 of every later meeting
        session.add(previous)
    audit(session, committee.id, actor, "meeting.minutes", number=number)
    return meeting


def _numbered(data: dict[str, Any], key: str, path: Path) -> dict[int, str]:
    """`key:` as item number -> text, e.g. `beslutninger: {1: Godkendt}`."""
    given = data.get(key) or {}
    if not isinstance(given, dict) or not all(str(k).isdigit() for k in given):
        raise UserError(f"{path}: '{key}' skal være punktnumre med tekst, fx '1: Godkendt'")
    return {int(k): str(v) for k, v in given.items()}


def _record_attendance(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    absent: list[Any],
    path: Path,
) -> None:
    seated = {m.id: m for m in members(session, committee, meeting.starts_at.date())}
    statuses = dict.fromkeys(seated, AttendanceStatus.present)
    for index, entry in enumerate(absent, start=1):
        membership = entry.get("medlem") if isinstance(entry, dict) else None
        if membership not in seated:
            raise UserError(
                f"{path}: fravær nr. {index}: 'medlem' skal være et medlems-ID ({', '.join(map(str, seated))})"
            )
        notice = bool(entry.get("afbud", False))
        statuses[membership] = (
            AttendanceStatus.absent_with_notice
            if notice
            else AttendanceStatus.absent_without_notice
        )
    for old in session.exec(
        select(models.Attendance).where(models.Attendance.meeting_id == meeting.id)
    ):
        session.delete(old)
    session.flush()
    assert meeting.id is not None
    for membership_id, status in statuses.items():
        if membership_id is not None:
            row = models.Attendance(
                meeting_id=meeting.id, membership_id=membership_id, status=status
            )
            session.add(row)


def attendance_warnings(session: Session, committee: models.Committee) -> list[str]:
    """Citizens who missed two held meetings in a row (evaluations show they tend to drop out)."""
    held = [m for m in meetings(session, committee) if m.state == MeetingState.held]
    missed: dict[int, list[bool]] = {}
    for meeting in held:
        for row in session.exec(
            select(models.Attendance).where(models.Attendance.meeting_id == meeting.id)
        ):
            missed.setdefault(row.membership_id, []).append(row.status != AttendanceStatus.present)
    warnings = []
    for membership_id, history in missed.items():
        membership = session.get(models.Membership, membership_id)
        if (
            membership
            and membership.applicant_id
            and any(a and b for a, b in zip(history, history[1:], strict=False))
        ):
            warnings.append(
                f"Medlem {membership_id} (ansøger {membership.applicant_id}) har været fraværende to møder i træk – tag kontakt"
            )
    return warnings


# --- documents -------------------------------------------------------------------------------


def meeting_dir(output_dir: Path, slug: str, number: int, lang: str) -> Path:
    return CommitteeFiles.of(output_dir, slug).meeting(number, lang)


def _names(
    session: Session, committee: models.Committee, membership_ids: Iterable[int]
) -> list[str]:
    names = []
    for membership_id in membership_ids:
        m = session.get(models.Membership, membership_id)
        if m is None:
            continue
        person = session.get(models.Applicant, m.applicant_id) if m.applicant_id else None
        names.append(person.name if person else f"{m.politician_name} ({m.on_behalf_of})")
    return names


def write_meeting_document(
    session: Session,
    committee: models.Committee,
    meeting: models.Meeting,
    settings: Any,
    minutes: bool,
) -> list[Path]:
    """The agenda (before) or the minutes (after) in Danish and English, HTML and PDF."""
    from opgaveudvalg import documents
    from opgaveudvalg.committee import decision_for, latest_mandate

    mandate = current_mandate(session, committee)
    row = latest_mandate(session, committee.id)  # type: ignore[arg-type]
    decision = decision_for(session, row.id) if row else None  # type: ignore[arg-type]
    zone = ZoneInfo(settings.timezone)
    when, until = (
        meeting.starts_at.astimezone(zone),
        meeting.ends_at.astimezone(zone),
    )
    seated = [m.id for m in members(session, committee, when.date()) if m.id is not None]
    absent_rows = session.exec(
        select(models.Attendance).where(
            models.Attendance.meeting_id == meeting.id,
            models.Attendance.status != AttendanceStatus.present,
        )
    ).all()
    absent = {row.membership_id: row.status for row in absent_rows}
    facilitators = meeting.facilitators or [mandate.organisering.sekretariat]
    kind = "referat" if minutes else "dagsorden"
    meta = documents.DocumentMeta(
        kind,
        mandate.titel,
        settings.municipality,
        row.version if row else 1,
        when.date(),
        decision.case_number if decision else None,
        "da",
        approved=True,
    )
    return [
        documents.write_document(
            kind,
            lang,
            fmt,
            meeting_dir(settings.output_dir, committee.slug, meeting.number, lang),
            meta=replace(meta, lang=lang),
            mandate=mandate,
            meeting=meeting,
            minutes=minutes,
            when=when,
            until=until,
            called_by=mandate.organisering.sekretariat,
            participants=_names(session, committee, [i for i in seated if i not in absent]),
            absent=list(
                zip(
                    _names(session, committee, sorted(absent)),
                    [absent[i] == AttendanceStatus.absent_with_notice for i in sorted(absent)],
                    strict=True,
                )
            ),
            chair=facilitators[0],
            secretary=facilitators[-1],
        )
        for lang in ("da", "en")
        for fmt in ("html", "pdf")
    ]
