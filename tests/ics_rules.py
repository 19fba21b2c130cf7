"""Test helper: check an iTIP calendar against the RFC 5546 property tables for its METHOD.

`check_itip(text)` returns a list of violations (empty = conforms). Covered: VCALENDAR
(METHOD, VERSION 2.0, PRODID, CALSCALE), the VEVENT tables of PUBLISH (3.2.1), REQUEST (3.2.2)
and CANCEL (3.2.5) - required properties, properties and components that must be absent,
at-most-once properties, STATUS values, DTEND/DURATION exclusion, same UID - and RFC 5545: every
TZID used has a VTIMEZONE, and each VTIMEZONE has well-formed observances.

Deliberate reading of the tables: REQUEST's SEQUENCE ("MUST be present if value is greater than
0") is required outright, as our messages always carry it; CANCEL is checked as a whole-event
cancel (STATUS:CANCELLED, ATTENDEE 1+), which is what the app sends.
"""

from dataclasses import dataclass

from icalendar import Calendar, Component

# RFC 5546 "1" or "0 or 1" VEVENT properties (identical in the three tables).
AT_MOST_ONCE = {
    "CLASS",
    "CREATED",
    "DESCRIPTION",
    "DTEND",
    "DTSTAMP",
    "DTSTART",
    "DURATION",
    "GEO",
    "LAST-MODIFIED",
    "LOCATION",
    "ORGANIZER",
    "PRIORITY",
    "RECURRENCE-ID",
    "RRULE",
    "SEQUENCE",
    "STATUS",
    "SUMMARY",
    "TRANSP",
    "UID",
    "URL",
}


@dataclass(frozen=True)
class Table:
    """One method's VEVENT table."""

    section: str
    required: frozenset[str]
    forbidden: frozenset[str]  # properties with presence "0"
    statuses: frozenset[str]  # allowed STATUS values
    status_required: bool
    valarm_allowed: bool
    same_uid: bool  # "All components MUST have the same UID"


TABLES = {
    "PUBLISH": Table(
        section="3.2.1",
        required=frozenset({"DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"}),
        forbidden=frozenset({"ATTENDEE", "REQUEST-STATUS"}),
        statuses=frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"}),
        status_required=False,
        valarm_allowed=True,
        same_uid=False,
    ),
    "REQUEST": Table(
        section="3.2.2",
        required=frozenset(
            {"ATTENDEE", "DTSTAMP", "DTSTART", "ORGANIZER", "SEQUENCE", "SUMMARY", "UID"}
        ),
        forbidden=frozenset(),
        statuses=frozenset({"TENTATIVE", "CONFIRMED"}),
        status_required=False,
        valarm_allowed=True,
        same_uid=True,
    ),
    "CANCEL": Table(
        section="3.2.5",
        required=frozenset({"ATTENDEE", "DTSTAMP", "ORGANIZER", "SEQUENCE", "UID", "STATUS"}),
        forbidden=frozenset({"REQUEST-STATUS"}),
        statuses=frozenset({"CANCELLED"}),
        status_required=True,
        valarm_allowed=False,
        same_uid=True,
    ),
}
FORBIDDEN_COMPONENTS = ("VFREEBUSY", "VTODO", "VJOURNAL")  # "0" in all three tables


def check_itip(text: str) -> list[str]:
    """Return the RFC 5546/5545 violations found in a serialized iTIP calendar."""
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except ValueError as error:
        return [f"cannot parse: {error}"]
    if not calendars:
        return ["no VCALENDAR"]
    problems: list[str] = []
    for cal in calendars:
        problems += _parse_errors(cal) + _check_calendar(cal)
    return problems


def _count(component: Component, name: str) -> int:
    """How many times a property occurs in a component."""
    value = component.get(name)
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else 1


def _parse_errors(cal: Component) -> list[str]:
    """Lines icalendar could not parse (it records them instead of raising)."""
    return [f"{c.name}: parse error {error}" for c in cal.walk() for error in c.errors]


def _check_calendar(cal: Component) -> list[str]:
    """Check one VCALENDAR: its own properties, then its components by METHOD."""
    problems = []
    if _count(cal, "VERSION") != 1 or str(cal.get("VERSION")) != "2.0":
        problems.append('VCALENDAR: VERSION must occur once and be "2.0"')
    if _count(cal, "PRODID") != 1:
        problems.append("VCALENDAR: PRODID must occur once")
    if _count(cal, "CALSCALE") > 1 or str(cal.get("CALSCALE", "GREGORIAN")) != "GREGORIAN":
        problems.append("VCALENDAR: CALSCALE may occur once and must be GREGORIAN")
    if _count(cal, "METHOD") != 1:
        return [*problems, "VCALENDAR: METHOD must occur once (iTIP)"]
    method = str(cal["METHOD"]).upper()
    table = TABLES.get(method)
    if table is None:
        return [*problems, f"VCALENDAR: METHOD {method} is not checked here"]
    problems += _check_components(cal, method, table)
    problems += _check_timezones(cal)
    return problems


def _check_components(cal: Component, method: str, table: Table) -> list[str]:
    """The VEVENT table plus the component rows (VEVENT 1+, VTODO etc. 0)."""
    where = f"{method} (RFC 5546 {table.section})"
    problems = [
        f"{where}: {name} must not be present" for name in FORBIDDEN_COMPONENTS if cal.walk(name)
    ]
    events = [c for c in cal.subcomponents if c.name == "VEVENT"]
    if not events:
        problems.append(f"{where}: at least one VEVENT required")
    for event in events:
        problems += _check_event(event, where, table)
    uids = {str(e.get("UID")) for e in events}
    if table.same_uid and len(uids) > 1:
        problems.append(f"{where}: all VEVENTs must have the same UID, got {sorted(uids)}")
    if table.same_uid and sum("RECURRENCE-ID" not in e for e in events) > 1:
        problems.append(f"{where}: more than one VEVENT without RECURRENCE-ID for the UID")
    return problems


def _check_event(event: Component, where: str, table: Table) -> list[str]:
    """Check one VEVENT against a method's table."""
    uid = event.get("UID", "?")
    where = f"{where} VEVENT {uid}"
    problems = [
        f"{where}: {name} is required" for name in sorted(table.required) if name not in event
    ]
    problems += [
        f"{where}: {name} must not be present" for name in sorted(table.forbidden) if name in event
    ]
    problems += [
        f"{where}: {name} must not occur more than once"
        for name in sorted(AT_MOST_ONCE)
        if _count(event, name) > 1
    ]
    if "DTEND" in event and "DURATION" in event:
        problems.append(f"{where}: DTEND and DURATION must not both be present")
    status = event.get("STATUS")
    if status is not None and str(status).upper() not in table.statuses:
        allowed = "/".join(sorted(table.statuses))
        problems.append(f"{where}: STATUS must be {allowed}, got {status}")
    alarms = [c for c in event.subcomponents if c.name == "VALARM"]
    if alarms and not table.valarm_allowed:
        problems.append(f"{where}: VALARM must not be present")
    return problems


def _check_timezones(cal: Component) -> list[str]:
    """RFC 5545 3.2.19/3.6.5: each TZID used is defined once, by a well-formed VTIMEZONE."""
    problems = []
    defined: list[str] = []
    for tz in cal.walk("VTIMEZONE"):
        defined.append(str(tz.get("TZID")))
        observances = [c for c in tz.subcomponents if c.name in ("STANDARD", "DAYLIGHT")]
        if not observances:
            problems.append(f"VTIMEZONE {tz.get('TZID')}: needs a STANDARD or DAYLIGHT")
        for obs in observances:
            problems += [
                f"VTIMEZONE {tz.get('TZID')} {obs.name}: {name} is required"
                for name in ("DTSTART", "TZOFFSETFROM", "TZOFFSETTO")
                if _count(obs, name) != 1
            ]
    problems += [
        f"VTIMEZONE {tzid} defined twice" for tzid in set(defined) if defined.count(tzid) > 1
    ]
    for tzid in sorted(_used_tzids(cal) - set(defined)):
        problems.append(f"TZID {tzid} is used but has no VTIMEZONE")
    return problems


def _used_tzids(cal: Component) -> set[str]:
    """TZID parameters of all properties outside VTIMEZONEs."""
    used = set()
    for component in cal.walk():
        if component.name in ("VTIMEZONE", "STANDARD", "DAYLIGHT"):
            continue
        for value in component.values():
            for item in value if isinstance(value, list) else [value]:
                params = getattr(item, "params", {})
                if "TZID" in params:
                    used.add(str(params["TZID"]))
    return used
