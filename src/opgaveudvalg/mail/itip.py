"""Meeting invitations as iCalendar (RFC 5545) scheduling messages (RFC 5546 iTIP).

Each member gets their own REQUEST (one ATTENDEE: the recipient, so no message reveals another
member's address); a moved meeting is re-sent with the same UID and a higher SEQUENCE, and a
cancelled meeting (or a member who leaves) gets a CANCEL. The committee's public calendar is a
PUBLISH feed without attendees. The MIME wrapping (RFC 6047 iMIP) is done by the mail code;
`method_of` gives it the `method=` parameter.

Times are written as local times with TZID (the committee's timezone) plus a VTIMEZONE. The
VTIMEZONE uses yearly RRULEs derived from zoneinfo, because Outlook misreads the RDATE lists
that `icalendar.Timezone.from_tzid` produces; zones without a regular yearly rule fall back to
`from_tzid`.
"""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vRecur,
)

PRODID = "-//opgaveudvalg//opgaveudvalg//DA"
ITIP_METHODS = ("PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Person:
    """An organizer or attendee: e-mail address and display name."""

    email: str
    name: str


@dataclass(frozen=True)
class MeetingEvent:
    """One committee meeting as it is sent; `sequence` is bumped by the caller on each change."""

    uid: str
    sequence: int
    starts_at: datetime  # timezone-aware
    ends_at: datetime  # timezone-aware
    summary: str
    location: str
    description: str  # plain text, includes the agenda link/overview
    url: str | None = None


def request(
    event: MeetingEvent,
    organizer: Person,
    attendee: Person,
    timezone: str = "Europe/Copenhagen",
    alarm_minutes: int = 1440,
) -> str:
    """Return a METHOD:REQUEST calendar inviting `attendee` (the only ATTENDEE listed)."""
    vevent = _event(event, organizer, timezone, status="CONFIRMED")
    vevent.add("attendee", _invitee(attendee))
    vevent.add_component(_alarm(event.summary, alarm_minutes))
    return _serialize(_calendar_for("REQUEST", [vevent], timezone, [event]))


def cancel(
    event: MeetingEvent,
    organizer: Person,
    attendee: Person,
    timezone: str = "Europe/Copenhagen",
) -> str:
    """Return a METHOD:CANCEL calendar for `attendee`: the meeting is off (for them).

    Used for a cancelled meeting and for a member who leaves the committee. `event.sequence`
    must already be higher than in the last REQUEST.
    """
    vevent = _event(event, organizer, timezone, status="CANCELLED", details=False)
    vevent.add("attendee", _invitee(attendee))
    return _serialize(_calendar_for("CANCEL", [vevent], timezone, [event]))


def feed(
    events: Sequence[tuple[MeetingEvent, bool]],
    organizer: Person,
    name: str,
    timezone: str = "Europe/Copenhagen",
) -> str:
    """Return a subscribable METHOD:PUBLISH calendar; the bool marks a cancelled meeting.

    Carries the same UIDs and SEQUENCEs as the invitations, so clients that got both merge
    them; lists no attendees, since the feed is public.
    """
    vevents = [
        _event(ev, organizer, timezone, status="CANCELLED" if cancelled else "CONFIRMED")
        for ev, cancelled in events
    ]
    cal = _calendar_for("PUBLISH", vevents, timezone, [ev for ev, _ in events])
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    return _serialize(cal)


def method_of(text: str) -> str:
    """Return the iTIP METHOD (REQUEST, CANCEL …) of a serialized calendar, for the MIME
    `method=` parameter; ValueError if it has none or one iTIP does not define."""
    method = str(Calendar.from_ical(text).get("METHOD", "")).upper()
    if method not in ITIP_METHODS:
        raise ValueError("kalenderinvitationen mangler en gyldig METHOD-linje")
    return method


def _event(
    event: MeetingEvent, organizer: Person, timezone: str, status: str, details: bool = True
) -> Event:
    """Build the VEVENT shared by all methods; `details=False` leaves out what CANCEL needn't."""
    zone = ZoneInfo(timezone)
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
    vevent.add("dtstart", _local(event.starts_at, zone))
    vevent.add("dtend", _local(event.ends_at, zone))
    vevent.add("summary", event.summary)
    vevent.add("status", status)
    vevent.add("organizer", vCalAddress.new(organizer.email, cn=organizer.name))
    if details:
        vevent.add("location", event.location)
        vevent.add("description", event.description)
        if event.url:
            vevent.add("url", event.url)
        vevent.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    return vevent


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """Return an aware datetime in `zone`, whole seconds (iCalendar has no fractions)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"meeting time must be timezone-aware: {moment!r}")
    return moment.astimezone(zone).replace(microsecond=0)


def _invitee(person: Person) -> vCalAddress:
    """Return the ATTENDEE value for a member who is asked to reply."""
    return vCalAddress.new(
        person.email,
        cn=person.name,
        cutype="INDIVIDUAL",
        role="REQ-PARTICIPANT",
        partstat="NEEDS-ACTION",
        rsvp=True,
    )


def _alarm(summary: str, minutes: int) -> Alarm:
    """Return a display reminder `minutes` before the start."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(minutes=-minutes))
    alarm.add("description", summary)
    return alarm


def _calendar_for(
    method: str, vevents: list[Event], timezone: str, events: Sequence[MeetingEvent]
) -> Calendar:
    """Wrap VEVENTs in a VCALENDAR with METHOD and the VTIMEZONE their TZIDs need."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    years = [d.year for ev in events for d in (ev.starts_at, ev.ends_at)] or [date.today().year]
    cal.add_component(vtimezone(timezone, min(years), max(years) + 1))
    for vevent in vevents:
        cal.add_component(vevent)
    missing = cal.get_missing_tzids()
    if missing:  # e.g. a property in another zone was added
        cal.add_missing_timezones()
    return cal


def _serialize(cal: Calendar) -> str:
    """Return the calendar as text with CRLF line endings, as icalendar writes it."""
    return str(cal.to_ical(), "utf-8")


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """Return a VTIMEZONE for `tzid` valid for the years `first_year`..`last_year`."""
    tz = Timezone.from_ical(_vtimezone_ical(tzid, first_year, last_year))
    assert isinstance(tz, Timezone)
    return tz


@lru_cache(maxsize=64)
def _vtimezone_ical(tzid: str, first_year: int, last_year: int) -> bytes:
    """Serialized VTIMEZONE (cached: finding transitions takes a few milliseconds)."""
    zone = ZoneInfo(tzid)
    years = range(first_year, last_year + 1)
    transitions = {year: _transitions(zone, year) for year in years}
    rules = [_rule(utc_at, old, new) for utc_at, old, new in transitions[first_year]]
    if all(_expand(rules, year) == transitions[year] for year in years):
        tz = _rrule_timezone(tzid, zone, first_year, rules)
    else:  # no regular yearly rule: list the transitions
        tz = Timezone.from_tzid(
            tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
        )
    return bytes(tz.to_ical())


# A transition: (UTC instant, offset before, offset after).
_Transition = tuple[datetime, timedelta, timedelta]
# A yearly rule: (month, weekday 0=Monday, nth or -1 for last, wall-clock time before, before,
# after).
_Rule = tuple[int, int, int, time, timedelta, timedelta]


def _transitions(zone: ZoneInfo, year: int) -> list[_Transition]:
    """Return the UTC-offset changes of `zone` during `year`, to the minute."""
    found = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        following = day + timedelta(days=1)
        if _offset(zone, day) != _offset(zone, following):
            found.append(_bisect(zone, day, following))
        day = following
    return found


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    """Return the UTC offset of `zone` at the UTC instant `moment`."""
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _bisect(zone: ZoneInfo, before: datetime, after: datetime) -> _Transition:
    """Narrow an offset change between two UTC instants down to the minute."""
    while after - before > timedelta(minutes=1):
        middle = before + (after - before) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= before:
            middle = before + timedelta(minutes=1)
        if _offset(zone, middle) == _offset(zone, before):
            before = middle
        else:
            after = middle
    return (after, _offset(zone, before), _offset(zone, after))


def _rule(utc_at: datetime, old: timedelta, new: timedelta) -> _Rule:
    """Describe one transition as 'nth (or last) weekday of the month at wall-clock time'."""
    wall = (utc_at + old).replace(tzinfo=None)
    days_in_month = calendar.monthrange(wall.year, wall.month)[1]
    nth = -1 if wall.day + 7 > days_in_month else (wall.day - 1) // 7 + 1
    return (wall.month, wall.weekday(), nth, wall.time(), old, new)


def _expand(rules: list[_Rule], year: int) -> list[_Transition]:
    """Return the transitions the rules give in `year`, sorted."""
    found = []
    for month, weekday, nth, at, old, new in rules:
        wall = datetime.combine(_nth_weekday(year, month, weekday, nth), at)
        found.append(((wall - old).replace(tzinfo=UTC), old, new))
    return sorted(found)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """Return the nth (1-based; -1 = last) given weekday of a month."""
    days = [
        d
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    return date(year, month, days[nth - 1 if nth > 0 else nth])


def _rrule_timezone(tzid: str, zone: ZoneInfo, first_year: int, rules: list[_Rule]) -> Timezone:
    """Build a VTIMEZONE with one STANDARD/DAYLIGHT observance per yearly rule.

    The observances start in the year before `first_year`, so that all of `first_year` comes
    after an onset (a time before every onset has no defined offset).
    """
    tz = Timezone()
    tz.add("tzid", tzid)
    if not rules:  # no daylight saving time: a single fixed observance
        offset = _offset(zone, datetime(first_year, 1, 1, tzinfo=UTC))
        start = datetime(first_year - 1, 1, 1)
        tz.add_component(_observance(zone, start, offset, offset, None))
        return tz
    for month, weekday, nth, at, old, new in rules:
        start = datetime.combine(_nth_weekday(first_year - 1, month, weekday, nth), at)
        recur = vRecur(freq="YEARLY", bymonth=month, byday=f"{nth}{_WEEKDAYS[weekday]}")
        tz.add_component(_observance(zone, start, old, new, recur))
    return tz


def _observance(
    zone: ZoneInfo, start: datetime, old: timedelta, new: timedelta, recur: vRecur | None
) -> TimezoneStandard | TimezoneDaylight:
    """Return a STANDARD or DAYLIGHT sub-component starting at wall-clock `start` (old offset)."""
    after = (start - old).replace(tzinfo=UTC).astimezone(zone)
    observance = TimezoneDaylight() if after.dst() else TimezoneStandard()
    observance.add("dtstart", start)
    if recur is not None:
        observance.add("rrule", recur)
    observance.add("tzoffsetfrom", old)
    observance.add("tzoffsetto", new)
    observance.add("tzname", after.tzname())
    return observance
