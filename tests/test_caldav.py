"""Our iTIP messages applied to a real CalDAV server (Radicale) the way a calendar client does.

A REQUEST is stored as a calendar object (VTIMEZONE + VEVENT, no METHOD); a REQUEST with the
same UID and a higher SEQUENCE replaces it; a CANCEL marks it STATUS:CANCELLED. The server must
then show exactly one event for the UID, at the right time, with the right status.
"""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import caldav
import pytest
from icalendar import Calendar, Event

from opgaveudvalg.mail.itip import MeetingEvent, Person, cancel, request

CPH = ZoneInfo("Europe/Copenhagen")
ORGANIZER = Person("opgaveudvalg@kommune.dk", "Sekretariatet")
ANNE = Person("anne@example.dk", "Anne Ærø")
USER = "anne"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Radicale exited with {process.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers (e.g. 401/403), which is all we wait for
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"Radicale did not answer at {url}:\n{log.read_text()}")


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[str]:
    """A real Radicale server on a free local port; yields its base URL."""
    port = _free_port()
    config = tmp_path / "radicale.conf"
    config.write_text(
        f"""[server]
hosts = 127.0.0.1:{port}

[auth]
type = none

[rights]
type = owner_only

[storage]
filesystem_folder = {tmp_path / "collections"}

[web]
type = none

[logging]
level = warning
""",
        encoding="utf-8",
    )
    log_path = tmp_path / "radicale.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            _wait_until_up(url, process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _client(url: str) -> caldav.DAVClient:
    # auth type "none" accepts any password; the user name decides whose collections these are
    return caldav.DAVClient(url=url, username=USER, password="x")


@pytest.fixture
def calendar(radicale: str) -> Iterator[caldav.Calendar]:
    with _client(radicale) as client:
        yield client.principal().make_calendar(name="Anne", cal_id="anne-calendar")


# --- how a calendar client applies iTIP (not the app's job; it is what we rely on) ---------


def _stored_object(message: Calendar, vevent: Event) -> str:
    """A CalDAV calendar object from an iTIP message: its VTIMEZONEs and VEVENT, no METHOD."""
    stored = Calendar()
    stored.add("prodid", "-//test client//EN")
    stored.add("version", "2.0")
    for tz in message.timezones:
        stored.add_component(tz)
    stored.add_component(vevent)
    return stored.to_ical().decode()


def _find(calendar: caldav.Calendar, uid: str) -> caldav.Event | None:
    try:
        return calendar.get_event_by_uid(uid)
    except caldav.lib.error.NotFoundError:
        return None


def _sequence(vevent: Event) -> int:
    return int(vevent.get("SEQUENCE", 0))


def apply_itip(calendar: caldav.Calendar, text: str) -> str:
    """Apply an iTIP REQUEST/CANCEL to a CalDAV calendar as a client would; say what was done.

    Saves with `increase_seqno=False`: the caldav library otherwise bumps SEQUENCE on every
    save, and here the organizer's SEQUENCE must be stored as sent.
    """
    message = Calendar.from_ical(text)
    method = str(message["METHOD"])
    (incoming,) = message.events
    stored = _find(calendar, str(incoming["UID"]))
    if stored is not None:
        current = stored.icalendar_component
        if _sequence(incoming) <= _sequence(current):
            return "ignored (not newer)"
    if method == "REQUEST":
        data = _stored_object(message, incoming)
        if stored is None:
            calendar.add_event(data, increase_seqno=False)
            return "created"
        stored.data = data
        stored.save(increase_seqno=False)
        return "replaced"
    if method == "CANCEL":
        if stored is None:
            return "ignored (unknown)"
        current = stored.icalendar_component
        current["STATUS"] = "CANCELLED"
        current["SEQUENCE"] = _sequence(incoming)
        stored.save(increase_seqno=False)
        return "cancelled"
    raise ValueError(f"unsupported METHOD {method}")


# --- the scenario ----------------------------------------------------------------------------


def _meeting(sequence: int, start: datetime) -> MeetingEvent:
    return MeetingEvent(
        uid="7d0c7a30-2f5e-4b8e-9f3c-0d6f1b2a9c44",
        sequence=sequence,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        summary="Opgaveudvalget for en ny svømmehal – møde 2",
        location="Rådhuset, mødesal 1",
        description="Dagsorden: https://kommune.dk/udvalg/svoemmehal/moede-2",
    )


def _server_events(url: str) -> list[Event]:
    """All VEVENTs in Anne's calendar, read back over a fresh connection."""
    with _client(url) as client:
        (cal,) = client.principal().get_calendars()
        objects = cal.get_events()
        return [Calendar.from_ical(obj.data).events[0] for obj in objects]


def _events_between(url: str, start: datetime, end: datetime) -> list[Event]:
    """The server's own time-range query (it interprets TZID/VTIMEZONE itself)."""
    with _client(url) as client:
        (cal,) = client.principal().get_calendars()
        found = cal.search(start=start, end=end, event=True, expand=False)
        return [Calendar.from_ical(obj.data).events[0] for obj in found]


# Around the spring DST change: Monday after the last Sunday of March 2027 (CEST, UTC+2),
# moved to the Monday before it (CET, UTC+1).
FIRST = datetime(2027, 3, 29, 17, tzinfo=CPH)  # 15:00 UTC
MOVED = datetime(2027, 3, 22, 17, tzinfo=CPH)  # 16:00 UTC


def test_request_update_cancel_on_a_real_caldav_server(
    radicale: str, calendar: caldav.Calendar
) -> None:
    uid = _meeting(0, FIRST).uid
    assert apply_itip(calendar, request(_meeting(0, FIRST), ORGANIZER, ANNE)) == "created"
    (stored,) = _server_events(radicale)
    assert str(stored["UID"]) == uid and stored.start.astimezone(UTC).hour == 15

    assert apply_itip(calendar, request(_meeting(1, MOVED), ORGANIZER, ANNE)) == "replaced"
    (stored,) = _server_events(radicale)
    assert str(stored["UID"]) == uid and int(stored["SEQUENCE"]) == 1
    assert stored.start == MOVED and stored.start.astimezone(UTC) == datetime(
        2027, 3, 22, 16, tzinfo=UTC
    )
    assert _events_between(radicale, datetime(2027, 3, 22, 15, tzinfo=UTC), MOVED + timedelta(1))
    assert not _events_between(
        radicale, datetime(2027, 3, 29, 14, tzinfo=UTC), datetime(2027, 3, 29, 18, tzinfo=UTC)
    )

    # a late copy of the first invitation must not move it back
    assert apply_itip(calendar, request(_meeting(0, FIRST), ORGANIZER, ANNE)).startswith("ignored")
    (stored,) = _server_events(radicale)
    assert stored.start == MOVED

    assert apply_itip(calendar, cancel(_meeting(2, MOVED), ORGANIZER, ANNE)) == "cancelled"
    (stored,) = _server_events(radicale)
    assert str(stored["UID"]) == uid
    assert stored["STATUS"] == "CANCELLED" and int(stored["SEQUENCE"]) == 2
    assert stored.start == MOVED


def test_stored_object_is_a_plain_calendar_object(radicale: str, calendar: caldav.Calendar) -> None:
    apply_itip(calendar, request(_meeting(0, FIRST), ORGANIZER, ANNE))
    with _client(radicale) as client:
        (cal,) = client.principal().get_calendars()
        (obj,) = cal.get_events()
        stored = Calendar.from_ical(obj.data)
    assert "METHOD" not in stored
    assert [tz["TZID"] for tz in stored.timezones] == ["Europe/Copenhagen"]
    assert stored.get_missing_tzids() == set()


def test_cancel_for_an_unknown_meeting_changes_nothing(
    radicale: str, calendar: caldav.Calendar
) -> None:
    assert apply_itip(calendar, cancel(_meeting(1, FIRST), ORGANIZER, ANNE)).startswith("ignored")
    assert _server_events(radicale) == []
