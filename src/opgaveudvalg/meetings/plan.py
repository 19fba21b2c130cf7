"""The meeting plan: meeting days from the mandate's timetable on the configured weekday,
avoiding public holidays and the municipality's school holidays; each planned meeting starts
with the default agenda. Also the committee's meetings as listed and found by number."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit, current_mandate
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.settings import DateRange, Settings

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


@dataclass(frozen=True)
class PlanRules:
    weekday: int  # 0 = Monday
    start: time
    location: str
    timezone: str
    school_holidays: tuple[DateRange, ...] = ()


STATE_NAMES = {
    models.MeetingState.planned: "planlagt",
    models.MeetingState.invited: "inviteret",
    models.MeetingState.held: "afholdt",
    models.MeetingState.cancelled: "aflyst",
}
"""A meeting's state in the words the secretariat reads."""


def rules(settings: Settings) -> PlanRules:
    return PlanRules(
        WEEKDAYS.index(settings.meeting_weekday),
        time.fromisoformat(settings.meeting_start_time),
        settings.meeting_location,
        settings.timezone,
        tuple(settings.school_holidays),
    )


# --- dates ---------------------------------------------------------------------------------


def is_free(
    day: date, danish_holidays: holidays.HolidayBase, school_holidays: Sequence[DateRange]
) -> bool:
    """Not a public holiday and not in a school holiday."""
    if day in danish_holidays:
        return False
    return not any(day in period for period in school_holidays)


def holiday_warning(day: date, school_holidays: Sequence[DateRange]) -> str | None:
    """One line in Danish when `day` is a public holiday or in a school holiday, else None: the
    plan avoids them, and a meeting moved or added there is allowed but worth a second look."""
    holiday = holidays.country_holidays("DK", years=day.year, language="da").get(day)
    if holiday:
        return f"Bemærk: {day} er en helligdag ({holiday})"
    period = next((period for period in school_holidays if day in period), None)
    if period is None:
        return None
    name = period.name or "skoleferie"
    return f"Bemærk: {day} ligger i {name} ({period.start}–{period.end})"


def propose_dates(
    first: date,
    last: date,
    count: int,
    weekday: int,
    school_holidays: Sequence[DateRange] = (),
) -> list[date]:
    """`count` meeting days on `weekday` spread evenly from `first` to `last`, each moved to
    the nearest free day of that weekday (public holidays and school holidays avoided)."""
    danish = holidays.country_holidays("DK", years=range(first.year, last.year + 1))
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    candidates = [
        day for day in days if day.weekday() == weekday and is_free(day, danish, school_holidays)
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


# --- the plan ------------------------------------------------------------------------------


def plan_meetings(
    session: Session, committee: models.Committee, settings: Settings, actor: str
) -> list[models.Meeting]:
    """The meeting plan from the mandate's timetable; planning again changes nothing."""
    existing = meetings(session, committee)
    if existing:
        return existing
    mandate = current_mandate(session, committee)
    plan = mandate.tidsplan
    given = rules(settings)
    length = timedelta(hours=plan.mødelængde_timer)
    for number, day in enumerate(meeting_days(mandate, settings), start=1):
        starts = local(day, given.start, given.timezone)
        session.add(new_meeting(committee, number, starts, starts + length, given.location))
    session.flush()
    audit(session, committee.id, actor, "meetings.planned", count=plan.antal_møder)
    return meetings(session, committee)


def meeting_days(mandate: Mandate, settings: Settings) -> list[date]:
    """The days the plan gives the mandate's meetings (also stated in the call and checked
    against the milestones); the last two weeks before the handover are left for writing it."""
    timetable, given = mandate.tidsplan, rules(settings)
    last = timetable.aflevering - timedelta(days=14)
    return propose_dates(
        timetable.start, last, timetable.antal_møder, given.weekday, given.school_holidays
    )


def new_meeting(
    committee: models.Committee,
    number: int,
    starts: datetime,
    ends: datetime,
    location: str,
) -> models.Meeting:
    """A planned meeting with its own calendar UID and the default agenda."""
    return models.Meeting(
        committee_id=committee.id,  # type: ignore[arg-type]
        number=number,
        uid=f"{uuid.uuid4()}@opgaveudvalg",
        starts_at=starts,
        ends_at=ends,
        location=location,
        agenda=default_agenda(number),
    )


ANY_OTHER_BUSINESS = "eventuelt"
"""The kind of the closing item only; the secretariat's items are a 'beslutning', 'drøftelse'
or 'orientering' (agenda.AgendaItem), and the kind decides what the minutes say when no
decision is recorded ('Drøftet' for a discussion, 'Intet' for an empty Eventuelt)."""


def default_agenda(number: int) -> list[dict[str, Any]]:
    """Every meeting opens with approving the agenda (from meeting 2 also the last minutes;
    meeting 1 is for getting to know the task and each other) and closes with 'Eventuelt'."""
    items = [
        agenda_item(
            "Godkendelse af dagsorden",
            "Det indstilles, at dagsordenen godkendes.",
            kind="beslutning",
            english={
                "titel": "Approval of the agenda",
                "indstilling": "It is recommended that the agenda is approved.",
            },
        )
    ]
    if number > 1:
        items.append(
            agenda_item(
                "Godkendelse af referat fra sidste møde",
                "Det indstilles, at referatet godkendes.",
                kind="beslutning",
                english={
                    "titel": "Approval of the minutes of the last meeting",
                    "indstilling": "It is recommended that the minutes are approved.",
                },
            )
        )
    else:
        items += start_up_items()
    items.append(
        agenda_item(
            "Eventuelt", "", kind=ANY_OTHER_BUSINESS, english={"titel": "Any other business"}
        )
    )
    return items


def agenda_item(
    title: str,
    proposal: str,
    description: str = "",
    attachments: Iterable[str] = (),
    kind: str = "drøftelse",
    english: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One agenda item as stored on the meeting; `english` holds the item's title, proposal
    and description in English where the secretariat gave them."""
    return {
        "titel": title,
        "indstilling": proposal,
        "beskrivelse": description,
        "bilag": list(attachments),
        "art": kind,
        "en": dict(english or {}),
    }


def start_up_items() -> list[dict[str, Any]]:
    """Meeting 1's items after the agenda: the mandate says the first meeting is for getting
    to know the task, the framework and each other."""
    return [
        agenda_item(
            "Velkomst og præsentation",
            "",
            "Medlemmerne præsenterer sig selv og fortæller, hvorfor de er med i udvalget.",
            kind="orientering",
            english={
                "titel": "Welcome and introductions",
                "beskrivelse": "The members introduce themselves and say why they joined the committee.",
            },
        ),
        agenda_item(
            "Opgaven og kommissoriet",
            "Det indstilles, at udvalget drøfter opgaven og rammerne i kommissoriet.",
            "Administrationen gennemgår kommissoriets formål, opgaver, rammer og tidsplan.",
            english={
                "titel": "The task and the mandate",
                "indstilling": "It is recommended that the committee discusses the task and the framework set by the mandate.",
                "beskrivelse": "The administration presents the mandate's purpose, tasks, framework and timetable.",
            },
        ),
        agenda_item(
            "Samarbejdsform",
            "Det indstilles, at udvalget aftaler, hvordan det vil arbejde sammen.",
            "Fx mødeform, arbejdsgrupper mellem møderne og hvordan udvalget træffer beslutninger.",
            english={
                "titel": "How we work together",
                "indstilling": "It is recommended that the committee agrees on how it will work together.",
                "beskrivelse": "For example how meetings run, working groups between meetings and how the committee makes decisions.",
            },
        ),
    ]


# --- listing -------------------------------------------------------------------------------


def meetings(session: Session, committee: models.Committee) -> list[models.Meeting]:
    query = select(models.Meeting).where(models.Meeting.committee_id == committee.id)
    return list(session.exec(query.order_by(col(models.Meeting.number))))


def get_meeting(session: Session, committee: models.Committee, number: int) -> models.Meeting:
    found = next((m for m in meetings(session, committee) if m.number == number), None)
    if found is None:
        raise UserError(f"'{committee.slug}' har intet møde nr. {number}")
    return found


OPEN_STATES = (models.MeetingState.planned, models.MeetingState.invited)


def next_open_meeting(session: Session, committee: models.Committee) -> int | None:
    """The number of the first meeting neither held nor cancelled (the plan may change)."""
    return min(
        (m.number for m in meetings(session, committee) if m.state in OPEN_STATES), default=None
    )


def settled_state(session: Session, committee: models.Committee, number: int) -> str | None:
    """'held' or 'cancelled' once the meeting is one of them; None while it is still to come."""
    state = get_meeting(session, committee, number).state
    return None if state in OPEN_STATES else state.value


def meeting_rows(
    session: Session, committee: models.Committee, timezone: str
) -> list[dict[str, object]]:
    """The meetings for Prefect: number, local time, state and calendar sequence."""
    zone = ZoneInfo(timezone)
    return [
        {
            "møde": m.number,
            "tid": m.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "tilstand": STATE_NAMES[m.state],
            "sekvens": m.sequence,
        }
        for m in meetings(session, committee)
    ]
