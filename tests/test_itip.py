"""Meeting invitations: iTIP REQUEST/CANCEL per member and the public PUBLISH feed."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Component, Event, Timezone
from ics_rules import check_itip

from opgaveudvalg.mail.itip import MeetingEvent, Person, cancel, feed, method_of, request, vtimezone

CPH = ZoneInfo("Europe/Copenhagen")
ORGANIZER = Person("opgaveudvalg@kommune.dk", "Sekretariatet, Opgaveudvalg")
MEMBERS = [
    Person("anne.aeroe@example.dk", "Anne Ærø"),
    Person("bo@example.org", "Bo Østergaard; borger"),
    Person("politiker@kommune.dk", 'Carl "C" Hansen'),
]
ANNE = MEMBERS[0]
UID = "0b6f7a8e-8f0e-4f4e-9d7b-3c1a2f9e5d11"


def meeting(sequence: int = 0, day: datetime | None = None, url: str | None = None) -> MeetingEvent:
    """Meeting 2, 17:00-19:00 Copenhagen time on `day` (default: a Monday in June 2027)."""
    start = day or datetime(2027, 6, 7, 17, tzinfo=CPH)
    return MeetingEvent(
        uid=UID,
        sequence=sequence,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        summary="Opgaveudvalget for en ny svømmehal – møde 2",
        location="Rådhuset, mødesal 1; 2. sal",
        description="Dagsorden:\n1. Velkomst, præsentation\n2. Svømmehallens placering\n"
        "Se https://kommune.dk/udvalg/svoemmehal/moede-2",
        url=url,
    )


def parse(text: str) -> Calendar:
    return Calendar.from_ical(text)


def the_event(text: str) -> Event:
    events = parse(text).events
    assert len(events) == 1
    return events[0]


def sequence_of(text: str) -> int:
    return int(the_event(text)["SEQUENCE"])


# --- update semantics: same UID, rising SEQUENCE -----------------------------------------


def test_uid_is_stable_when_the_meeting_moves() -> None:
    first = request(meeting(0), ORGANIZER, ANNE)
    moved = request(meeting(1, datetime(2027, 6, 9, 18, tzinfo=CPH)), ORGANIZER, ANNE)
    assert str(the_event(first)["UID"]) == str(the_event(moved)["UID"]) == UID
    assert the_event(first).start != the_event(moved).start
    assert the_event(moved).start == datetime(2027, 6, 9, 18, tzinfo=CPH)


def test_sequence_rises_from_request_to_update_to_cancel() -> None:
    texts = [
        request(meeting(0), ORGANIZER, ANNE),
        request(meeting(1, datetime(2027, 6, 9, 18, tzinfo=CPH)), ORGANIZER, ANNE),
        cancel(meeting(2, datetime(2027, 6, 9, 18, tzinfo=CPH)), ORGANIZER, ANNE),
    ]
    assert [method_of(t) for t in texts] == ["REQUEST", "REQUEST", "CANCEL"]
    sequences = [sequence_of(t) for t in texts]
    assert sequences == sorted(set(sequences)) == [0, 1, 2]
    assert {str(the_event(t)["UID"]) for t in texts} == {UID}


def test_sequence_zero_is_written_explicitly() -> None:
    assert "SEQUENCE:0\r\n" in request(meeting(0), ORGANIZER, ANNE)


def test_cancel_says_cancelled_and_carries_no_alarm() -> None:
    event = the_event(cancel(meeting(3), ORGANIZER, ANNE))
    assert event["STATUS"] == "CANCELLED"
    assert not event.walk("VALARM")
    assert event.start == datetime(2027, 6, 7, 17, tzinfo=CPH)


def test_request_content() -> None:
    text = request(meeting(0, url="https://kommune.dk/m/2"), ORGANIZER, ANNE, alarm_minutes=90)
    cal = parse(text)
    assert cal["METHOD"] == "REQUEST" and cal["VERSION"] == "2.0" and "PRODID" in cal
    event = cal.events[0]
    assert event["STATUS"] == "CONFIRMED" and event["TRANSP"] == "OPAQUE"
    assert event["SUMMARY"] == "Opgaveudvalget for en ny svømmehal – møde 2"
    assert event["LOCATION"] == "Rådhuset, mødesal 1; 2. sal"  # escaping round-trips
    assert event["DESCRIPTION"] == meeting().description
    assert event["URL"] == "https://kommune.dk/m/2"
    assert event.end - event.start == timedelta(hours=2)
    stamp = event["DTSTAMP"].dt
    assert stamp.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - stamp) < timedelta(1)
    assert "DTSTAMP:" in text and text.split("DTSTAMP:")[1][15] == "Z"  # written as UTC
    organizer = event["ORGANIZER"]
    assert organizer == "mailto:opgaveudvalg@kommune.dk"
    assert organizer.params["CN"] == ORGANIZER.name
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY" and alarm["DESCRIPTION"]
    assert alarm["TRIGGER"].dt == timedelta(minutes=-90)
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")


def test_request_without_url_has_no_url() -> None:
    assert "URL" not in the_event(request(meeting(), ORGANIZER, ANNE))


def test_default_alarm_is_one_day_before() -> None:
    (alarm,) = the_event(request(meeting(), ORGANIZER, ANNE)).walk("VALARM")
    assert alarm["TRIGGER"].dt == timedelta(days=-1)


def test_naive_times_are_refused() -> None:
    naive = MeetingEvent(UID, 0, datetime(2027, 6, 7, 17), datetime(2027, 6, 7, 19), "s", "l", "d")
    with pytest.raises(ValueError, match="timezone-aware"):
        request(naive, ORGANIZER, ANNE)


def test_times_given_in_utc_are_written_in_the_committee_timezone() -> None:
    utc = meeting(day=datetime(2027, 6, 7, 15, tzinfo=UTC))
    text = request(utc, ORGANIZER, ANNE)
    assert "DTSTART;TZID=Europe/Copenhagen:20270607T170000" in text


def test_method_of() -> None:
    assert method_of(request(meeting(), ORGANIZER, ANNE)) == "REQUEST"
    assert method_of(cancel(meeting(1), ORGANIZER, ANNE)) == "CANCEL"
    assert method_of(feed([(meeting(), False)], ORGANIZER, "Udvalg")) == "PUBLISH"
    with pytest.raises(ValueError):
        method_of("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")


# --- privacy: one attendee, the recipient ------------------------------------------------


@pytest.mark.parametrize("make", [request, cancel], ids=["request", "cancel"])
@pytest.mark.parametrize("recipient", MEMBERS, ids=lambda p: p.email)
def test_exactly_one_attendee_and_it_is_the_recipient(
    make: Callable[..., str], recipient: Person
) -> None:
    text = make(meeting(1), ORGANIZER, recipient)
    attendees = the_event(text).attendees
    assert len(attendees) == 1
    (attendee,) = attendees
    assert attendee == f"mailto:{recipient.email}"
    assert attendee.params["CN"] == recipient.name
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["CUTYPE"] == "INDIVIDUAL"
    unfolded = text.replace("\r\n ", "")
    for other in MEMBERS:
        if other != recipient:
            assert other.email not in unfolded and other.name not in unfolded


def test_feed_lists_no_attendees_and_marks_cancelled_meetings() -> None:
    kept = meeting(0)
    dropped = MeetingEvent(
        "second-uid",
        4,
        kept.starts_at + timedelta(days=14),
        kept.ends_at + timedelta(days=14),
        "Møde 3",
        "Rådhuset",
        "Aflyst",
    )
    text = feed([(kept, False), (dropped, True)], ORGANIZER, "Opgaveudvalget – svømmehal")
    cal = parse(text)
    assert cal["METHOD"] == "PUBLISH"
    assert cal["X-WR-CALNAME"] == "Opgaveudvalget – svømmehal"
    assert cal["X-WR-TIMEZONE"] == "Europe/Copenhagen"
    assert "ATTENDEE" not in text
    assert not any(m.email in text for m in MEMBERS)
    by_uid = {str(e["UID"]): e for e in cal.events}
    assert set(by_uid) == {UID, "second-uid"}
    assert by_uid[UID]["STATUS"] == "CONFIRMED" and int(by_uid[UID]["SEQUENCE"]) == 0
    assert by_uid["second-uid"]["STATUS"] == "CANCELLED"
    assert int(by_uid["second-uid"]["SEQUENCE"]) == 4
    assert all(e["ORGANIZER"] == f"mailto:{ORGANIZER.email}" for e in cal.events)


def test_empty_feed_parses_but_is_not_a_complete_publish() -> None:
    # Subscribers may subscribe before meetings are planned, so the feed is still served;
    # RFC 5546 3.2.1 wants at least one VEVENT in a PUBLISH, and the checker says so.
    text = feed([], ORGANIZER, "Tom")
    assert parse(text).events == []
    assert method_of(text) == "PUBLISH"
    assert check_itip(text) == ["PUBLISH (RFC 5546 3.2.1): at least one VEVENT required"]


# --- timezones ---------------------------------------------------------------------------


def vtimezones(text: str) -> dict[str, Timezone]:
    return {str(tz["TZID"]): tz for tz in parse(text).timezones}


@pytest.mark.parametrize("make", [request, cancel], ids=["request", "cancel"])
def test_every_tzid_has_a_vtimezone(make: Callable[..., str]) -> None:
    text = make(meeting(1), ORGANIZER, ANNE)
    assert "DTSTART;TZID=Europe/Copenhagen:" in text
    assert set(vtimezones(text)) == {"Europe/Copenhagen"}
    assert parse(text).get_missing_tzids() == set()


def test_feed_has_one_vtimezone_for_all_meetings() -> None:
    events = [(meeting(0, datetime(2027, m, 7, 17, tzinfo=CPH)), False) for m in (1, 6, 11)]
    text = feed(events, ORGANIZER, "Udvalg")
    assert text.count("BEGIN:VTIMEZONE") == 1
    assert set(vtimezones(text)) == {"Europe/Copenhagen"}


# Last Sunday of March 2027 is the 28th, of October the 31st.
DST_CASES = [
    pytest.param(
        datetime(2027, 3, 29, 17), datetime(2027, 3, 29, 15, tzinfo=UTC), id="after-spring"
    ),
    pytest.param(
        datetime(2027, 11, 1, 17), datetime(2027, 11, 1, 16, tzinfo=UTC), id="after-autumn"
    ),
    pytest.param(
        datetime(2027, 3, 22, 17), datetime(2027, 3, 22, 16, tzinfo=UTC), id="before-spring"
    ),
    pytest.param(
        datetime(2027, 10, 25, 17), datetime(2027, 10, 25, 15, tzinfo=UTC), id="before-autumn"
    ),
]


@pytest.mark.parametrize(("local", "utc"), DST_CASES)
def test_dst_weeks_give_the_right_utc_time(local: datetime, utc: datetime) -> None:
    text = request(meeting(1, local.replace(tzinfo=CPH)), ORGANIZER, ANNE)
    assert f"DTSTART;TZID=Europe/Copenhagen:{local:%Y%m%dT%H%M%S}" in text
    # icalendar resolves the TZID (via zoneinfo for a known name)
    assert the_event(text).start.astimezone(UTC) == utc
    # the VTIMEZONE's own rules (dateutil's VTIMEZONE interpreter, no zoneinfo lookup)
    rules = vtimezones(text)["Europe/Copenhagen"].to_tz(lookup_tzid=False)
    assert local.replace(tzinfo=rules).astimezone(UTC) == utc


def test_vtimezone_rules_switch_at_the_eu_transition_instants() -> None:
    text = request(meeting(1, datetime(2027, 3, 29, 17, tzinfo=CPH)), ORGANIZER, ANNE)
    tz = vtimezones(text)["Europe/Copenhagen"]
    rrules = sorted(str(obs["RRULE"].to_ical(), "ascii") for obs in tz.walk() if "RRULE" in obs)
    assert rrules == ["FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"]
    rules = tz.to_tz(lookup_tzid=False)
    hour = timedelta(hours=1)
    for instant, before, after in [
        (datetime(2027, 3, 28, 1, tzinfo=UTC), hour, 2 * hour),  # 02:00 CET -> 03:00 CEST
        (datetime(2027, 10, 31, 1, tzinfo=UTC), 2 * hour, hour),  # 03:00 CEST -> 02:00 CET
        (datetime(2028, 3, 26, 1, tzinfo=UTC), hour, 2 * hour),
    ]:
        assert (instant - timedelta(minutes=1)).astimezone(rules).utcoffset() == before
        assert instant.astimezone(rules).utcoffset() == after


@pytest.mark.parametrize(
    "tzid", ["Europe/Copenhagen", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo"]
)
def test_vtimezone_agrees_with_zoneinfo(tzid: str) -> None:
    """Daily, and a minute either side of every zoneinfo transition in 2026-2028."""
    rules = vtimezone(tzid, 2026, 2028).to_tz(lookup_tzid=False)
    zone = ZoneInfo(tzid)
    start, step = datetime(2026, 1, 1, tzinfo=UTC), timedelta(minutes=15)
    moments = [start + timedelta(days=d, hours=12) for d in range(3 * 365)]
    moment = start
    while moment.year < 2029:
        if moment.astimezone(zone).utcoffset() != (moment + step).astimezone(zone).utcoffset():
            moments += [moment, moment + step - timedelta(minutes=1), moment + step]
        moment += step
    assert len(moments) > 3 * 365 or tzid == "Asia/Tokyo"
    for moment in moments:
        assert moment.astimezone(rules).utcoffset() == moment.astimezone(zone).utcoffset(), moment


def test_irregular_zone_falls_back_to_listed_transitions() -> None:
    # Morocco's Ramadan switches follow no yearly rule; icalendar's from_tzid lists them.
    tz = vtimezone("Africa/Casablanca", 2026, 2028)
    assert not any("RRULE" in obs for obs in tz.walk())
    assert any("RDATE" in obs for obs in tz.walk())


def test_meeting_early_in_the_year_is_covered_by_an_observance() -> None:
    # An observance must begin before the first meeting, so a January meeting has an offset.
    text = request(meeting(0, datetime(2027, 1, 11, 17, tzinfo=CPH)), ORGANIZER, ANNE)
    tz = vtimezones(text)["Europe/Copenhagen"]
    onsets = [obs["DTSTART"].dt for obs in tz.walk() if obs.name in ("STANDARD", "DAYLIGHT")]
    assert min(onsets) < datetime(2027, 1, 11, 17)


def test_other_committee_timezone() -> None:
    ny = ZoneInfo("America/New_York")
    text = request(
        meeting(1, datetime(2027, 3, 15, 17, tzinfo=ny)), ORGANIZER, ANNE, "America/New_York"
    )
    assert check_itip(text) == []
    rules = vtimezones(text)["America/New_York"].to_tz(lookup_tzid=False)
    assert datetime(2027, 3, 15, 17, tzinfo=rules).astimezone(UTC).hour == 21  # EDT


# --- the RFC 5546 checker: our output passes, broken calendars fail ----------------------


def generated() -> list[tuple[str, str]]:
    moved = meeting(1, datetime(2027, 11, 1, 17, tzinfo=CPH), url="https://kommune.dk/m/2")
    return [
        ("request", request(meeting(0), ORGANIZER, ANNE)),
        ("request-moved", request(moved, ORGANIZER, MEMBERS[1])),
        ("request-no-alarm-minutes", request(meeting(0), ORGANIZER, MEMBERS[2], alarm_minutes=0)),
        ("cancel", cancel(meeting(2), ORGANIZER, ANNE)),
        ("feed", feed([(meeting(0), False), (moved, True)], ORGANIZER, "Udvalg")),
    ]


@pytest.mark.parametrize(("kind", "text"), generated(), ids=[k for k, _ in generated()])
def test_generated_calendars_pass_the_rfc_5546_checker(kind: str, text: str) -> None:
    assert check_itip(text) == [], kind


def _drop(component: Component, name: str) -> None:
    for sub in component.walk():
        sub.pop(name, None)


def _remove_components(cal: Calendar, name: str) -> None:
    for component in cal.walk():
        component.subcomponents[:] = [c for c in component.subcomponents if c.name != name]


def _broken_cancel_without_status(cal: Calendar) -> None:
    _drop(cal.events[0], "STATUS")


def _broken_cancel_confirmed(cal: Calendar) -> None:
    cal.events[0]["STATUS"] = "CONFIRMED"


def _broken_request_without_organizer(cal: Calendar) -> None:
    _drop(cal.events[0], "ORGANIZER")


def _broken_request_without_attendee(cal: Calendar) -> None:
    _drop(cal.events[0], "ATTENDEE")


def _broken_request_without_sequence(cal: Calendar) -> None:
    _drop(cal.events[0], "SEQUENCE")


def _broken_request_cancelled_status(cal: Calendar) -> None:
    cal.events[0]["STATUS"] = "CANCELLED"


def _broken_without_vtimezone(cal: Calendar) -> None:
    _remove_components(cal, "VTIMEZONE")


def _broken_cancel_with_alarm(cal: Calendar) -> None:
    source = the_event(request(meeting(), ORGANIZER, ANNE))
    cal.events[0].add_component(source.walk("VALARM")[0])


def _broken_feed_with_attendee(cal: Calendar) -> None:
    cal.events[0].add("attendee", f"mailto:{ANNE.email}")


def _broken_without_method(cal: Calendar) -> None:
    cal.pop("METHOD")


def _broken_version(cal: Calendar) -> None:
    cal["VERSION"] = "1.0"


def _broken_without_prodid(cal: Calendar) -> None:
    cal.pop("PRODID")


def _broken_two_uids(cal: Calendar) -> None:
    other = the_event(request(meeting(), ORGANIZER, ANNE))
    other["UID"] = "another-uid"
    cal.add_component(other)


def _broken_dtend_and_duration(cal: Calendar) -> None:
    cal.events[0].add("duration", timedelta(hours=2))


def _broken_without_dtstart(cal: Calendar) -> None:
    _drop(cal.events[0], "DTSTART")
    _drop(cal.events[0], "DTEND")


def _broken_with_vtodo(cal: Calendar) -> None:
    cal.add_component(Component.from_ical("BEGIN:VTODO\r\nUID:x\r\nEND:VTODO\r\n"))


BROKEN = [
    ("cancel", _broken_cancel_without_status, "STATUS is required"),
    ("cancel", _broken_cancel_confirmed, "STATUS must be CANCELLED"),
    ("cancel", _broken_cancel_with_alarm, "VALARM must not be present"),
    ("cancel", _broken_request_without_attendee, "ATTENDEE is required"),
    ("request", _broken_request_without_organizer, "ORGANIZER is required"),
    ("request", _broken_request_without_attendee, "ATTENDEE is required"),
    ("request", _broken_request_without_sequence, "SEQUENCE is required"),
    ("request", _broken_request_cancelled_status, "STATUS must be CONFIRMED/TENTATIVE"),
    ("request", _broken_without_vtimezone, "TZID Europe/Copenhagen is used but has no VTIMEZONE"),
    ("request", _broken_without_method, "METHOD must occur once"),
    ("request", _broken_version, 'VERSION must occur once and be "2.0"'),
    ("request", _broken_without_prodid, "PRODID must occur once"),
    ("request", _broken_two_uids, "same UID"),
    ("request", _broken_dtend_and_duration, "DTEND and DURATION"),
    ("request", _broken_without_dtstart, "DTSTART is required"),
    ("request", _broken_with_vtodo, "VTODO must not be present"),
    ("feed", _broken_feed_with_attendee, "ATTENDEE must not be present"),
    ("feed", _broken_without_vtimezone, "has no VTIMEZONE"),
]


@pytest.mark.parametrize(
    ("kind", "breakage", "expected"), BROKEN, ids=[b.__name__ for _, b, _ in BROKEN]
)
def test_checker_catches_broken_calendars(
    kind: str, breakage: Callable[[Calendar], None], expected: str
) -> None:
    text = dict(generated())[kind]
    assert check_itip(text) == []
    cal = parse(text)
    breakage(cal)
    problems = check_itip(cal.to_ical().decode())
    assert any(expected in p for p in problems), problems


def test_checker_reports_unparseable_text() -> None:
    assert check_itip("not a calendar") != []
