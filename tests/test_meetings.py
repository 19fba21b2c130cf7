"""Meetings of an appointed committee: the plan, changes, invitations that update and cancel,
agendas, minutes and attendance."""

import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import httpx
import icalendar
import pytest
from ics_rules import check_itip
from pypdf import PdfReader
from sqlmodel import select
from test_selection import SLUG, appoint, compute_and_draw, selecting

from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.meetings import plan as meetings
from opgaveudvalg.members import roster
from opgaveudvalg.models import MeetingState
from opgaveudvalg.settings import get_settings

TODAY = date(2027, 1, 10)  # after KB's appointment, before the first meeting


@pytest.fixture
def appointed(tmp_path: Path) -> str:
    selecting(tmp_path)
    compute_and_draw()
    appoint()
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        meetings.plan_meetings(session, found, get_settings(), "test")
    return SLUG


def test_dates_avoid_public_and_school_holidays() -> None:
    # Thursdays; the middle one would be Ascension Day (6 May 2027)
    chosen = meetings.propose_dates(date(2027, 4, 22), date(2027, 5, 20), 3, weekday=3)
    assert chosen == [date(2027, 4, 22), date(2027, 4, 29), date(2027, 5, 20)]
    summer = meetings.propose_dates(date(2027, 6, 1), date(2027, 9, 1), 4, weekday=1)
    assert all(not date(2027, 6, 27) <= day <= date(2027, 8, 10) for day in summer)
    with pytest.raises(UserError, match="kun 2 ledige torsdage"):
        meetings.propose_dates(date(2027, 4, 29), date(2027, 5, 13), 3, weekday=3)


def test_plan_follows_the_mandate_and_is_stable(appointed: str) -> None:
    settings = get_settings()
    danish = holidays.country_holidays("DK", years=[2027, 2028])
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        planned = meetings.meetings(session, found)
        mandate = committee.current_mandate(session, found)
        again = meetings.plan_meetings(session, found, settings, "test")
    assert len(planned) == mandate.tidsplan.antal_møder
    assert [m.id for m in again] == [m.id for m in planned]
    zone = ZoneInfo(settings.timezone)
    for meeting in planned:
        start = meeting.starts_at.astimezone(zone)
        assert start.strftime("%A %H:%M") == f"{start:%A} {settings.meeting_start_time}"
        assert meetings.WEEKDAYS[start.weekday()] == settings.meeting_weekday
        assert start.date() not in danish
        assert mandate.tidsplan.start <= start.date() < mandate.tidsplan.aflevering
        assert meeting.agenda[0]["titel"] == "Godkendelse af dagsorden"
    assert len({m.uid for m in planned}) == len(planned)


def calendars(messages: list[models.OutboxMessage]) -> list[icalendar.Calendar]:
    return [icalendar.Calendar.from_ical(m.calendar) for m in messages if m.calendar]


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    [vevent] = calendar.walk("VEVENT")
    return vevent


def test_invitations_update_and_cancel_with_the_same_uid(appointed: str) -> None:
    settings = get_settings()
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        first = meetings.queue_invitations(session, found, settings, TODAY)
        addresses = {a.email for a in session.exec(select(models.Applicant))}
        members = {m.applicant_id for m in roster.members(session, found) if m.applicant_id}
        count = len(meetings.meetings(session, found))
        assert len(first) == count * len(members)
        assert meetings.queue_invitations(session, found, settings, TODAY) == []
        meeting = meetings.get_meeting(session, found, 2)
        uid = meeting.uid
        new_start = datetime(2027, 4, 6, 17, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
        meetings.move_meeting(session, found, 2, new_start, "test")
        moved = meetings.queue_invitations(session, found, settings, TODAY)
        meetings.cancel_meeting(session, found, 3, "test", "sygdom")
        cancelled = meetings.queue_invitations(session, found, settings, TODAY)
    for message in first + moved + cancelled:
        assert check_itip(message.calendar or "") == []
        others = addresses - {message.to_address}
        raw = message.body_text + message.body_html + (message.calendar or "")
        assert not any(address in raw for address in others)
        attendees = only_event(icalendar.Calendar.from_ical(message.calendar)).get("ATTENDEE")
        assert str(attendees).lower() == f"mailto:{message.to_address}".lower()
    assert len(moved) == len(members) and len(cancelled) == len(members)
    updates = [only_event(c) for c in calendars(moved)]
    assert {str(e["UID"]) for e in updates} == {uid}
    assert {int(e["SEQUENCE"]) for e in updates} == {1}
    assert {e.decoded("DTSTART") for e in updates} == {new_start}
    cancels = calendars(cancelled)
    assert {str(c["METHOD"]) for c in cancels} == {"CANCEL"}
    assert {str(only_event(c)["STATUS"]) for c in cancels} == {"CANCELLED"}
    assert {int(only_event(c)["SEQUENCE"]) for c in cancels} == {1}


def test_a_member_who_leaves_gets_cancels_and_the_substitute_requests(appointed: str) -> None:
    settings = get_settings()
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        meetings.queue_invitations(session, found, settings, TODAY)
        session.flush()
        before = {m.id for m in session.exec(select(models.OutboxMessage))}
        leaving = next(m for m in roster.members(session, found) if m.applicant_id)
        successor = meetings.hand_over_seat(
            session, found, leaving.applicant_id or 0, TODAY, "flyttet", "test", settings
        )
        session.flush()
        new = [m for m in session.exec(select(models.OutboxMessage)) if m.id not in before]
        count = len(meetings.meetings(session, found))
    cancels = [m for m in new if m.kind == "moede-cancel"]
    requests = [m for m in new if m.kind == "moede-request"]
    assert {m.applicant_id for m in cancels} == {leaving.applicant_id} and len(cancels) == count
    assert {str(c["METHOD"]) for c in calendars(cancels)} == {"CANCEL"}
    assert {m.applicant_id for m in requests} == {successor.applicant_id}
    assert len(requests) == count and len(new) == 2 * count


def test_feed_publishes_the_same_uids_without_attendees(appointed: str) -> None:
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        meetings.cancel_meeting(session, found, 1, "test", "flyttes")
        path = meetings.write_feed(session, found, get_settings())
        uids = {m.uid for m in meetings.meetings(session, found)}
    feed = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(feed["METHOD"]) == "PUBLISH" and check_itip(path.read_text(encoding="utf-8")) == []
    events = feed.walk("VEVENT")
    assert {str(e["UID"]) for e in events} == uids
    assert all("ATTENDEE" not in e for e in events)
    assert sorted(str(e["STATUS"]) for e in events).count("CANCELLED") == 1


def test_agenda_minutes_and_attendance(appointed: str, tmp_path: Path) -> None:
    settings = get_settings()
    agenda = tmp_path / "dagsorden.yaml"
    agenda.write_text(
        "punkter:\n"
        "  - titel: Vision for svømmehallen\n"
        "    indstilling: Det indstilles, at udvalget drøfter visionen.\n"
        "    beskrivelse: Administrationen præsenterer tre scenarier.\n"
        "    bilag: [Scenarier.pdf]\n",
        encoding="utf-8",
    )
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        seat = next(m for m in roster.members(session, found) if m.applicant_id)
        meeting = meetings.set_agenda(session, found, 1, agenda, "test")
        files = meetings.write_meeting_document(session, found, meeting, settings, minutes=False)
    titles = [item["titel"] for item in meeting.agenda]
    assert titles == ["Godkendelse af dagsorden", "Vision for svømmehallen", "Eventuelt"]
    pdf = next(f for f in files if f.suffix == ".pdf" and f.parent.name == "da")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    for expected in (
        "Dagsorden",
        "Tidspunkt",
        "Ordstyrer",
        "Referent",
        "2. Vision for svømmehallen",
        "Indstilling",
        "Beskrivelse af sagen",
        "Scenarier.pdf",
    ):
        assert expected in text
    for number in (1, 2):
        minutes = tmp_path / f"referat-{number}.yaml"
        minutes.write_text(
            f"beslutninger:\n  1: Godkendt\n  2: Udvalget valgte scenarie B.\n"
            f"drøftelser:\n  2: Mange ønsker et varmtvandsbassin.\n"
            f"fravær:\n  - {{medlem: {seat.id}, afbud: {'true' if number == 1 else 'false'}}}\n",
            encoding="utf-8",
        )
        with session_scope() as session:
            found = committee.get_committee(session, appointed)
            held = meetings.record_minutes(session, found, number, minutes, "test")
            files = meetings.write_meeting_document(session, found, held, settings, minutes=True)
            warnings = meetings.attendance_warnings(session, found)
        assert held.state == MeetingState.held
    assert warnings == [
        f"Medlem {seat.id} (ansøger {seat.applicant_id}) har været fraværende to møder i træk – tag kontakt"
    ]
    pdf = next(f for f in files if f.suffix == ".pdf" and f.parent.name == "da")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Referat" in text and "Beslutning" in text and "Udvalget valgte scenarie B." in text
    assert "(uden afbud)" in text  # meeting 2: absent without notice
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        first = meetings.get_meeting(session, found, 1)
        assert first.minutes_approved_at_meeting == 2
        rows = session.exec(
            select(models.Attendance).where(models.Attendance.meeting_id == first.id)
        ).all()
        assert len(rows) == 10 and sum(r.status != "present" for r in rows) == 1


def test_minutes_file_errors_name_the_file_and_the_entry(appointed: str, tmp_path: Path) -> None:
    bad = tmp_path / "referat.yaml"
    bad.write_text("beslutninger:\n  9: Godkendt\n", encoding="utf-8")
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        with pytest.raises(UserError, match=r"referat.yaml: dagsordenen har punkterne 1–2"):
            meetings.record_minutes(session, found, 1, bad, "test")
    bad.write_text("beslutninger:\n  første: Godkendt\n", encoding="utf-8")
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        with pytest.raises(UserError, match=r"referat.yaml: 'beslutninger' skal være punktnumre"):
            meetings.record_minutes(session, found, 1, bad, "test")
    bad.write_text("beslutninger:\n  1: Godkendt\nfravær:\n  - {medlem: 99999}\n", encoding="utf-8")
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        with pytest.raises(UserError, match=r"referat.yaml: fravær nr. 1: 'medlem'"):
            meetings.record_minutes(session, found, 1, bad, "test")


def test_dst_weeks_keep_local_time(appointed: str) -> None:
    """A meeting moved across the change to summer time keeps 17:00 local, 15:00 UTC."""
    settings = get_settings()
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        meetings.queue_invitations(session, found, settings, TODAY)
        start = meetings.local(date(2027, 3, 29), meetings.rules(settings).start, settings.timezone)
        meetings.move_meeting(session, found, 1, start, "test")
        [message, *_] = meetings.queue_invitations(session, found, settings, TODAY)
    moved = only_event(icalendar.Calendar.from_ical(message.calendar)).decoded("DTSTART")
    assert moved.utcoffset() == timedelta(hours=2)
    assert moved.astimezone(ZoneInfo("UTC")).hour == int(settings.meeting_start_time[:2]) - 2


def test_the_agenda_goes_to_each_member_once_per_version(appointed: str, tmp_path: Path) -> None:
    settings = get_settings()
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        meeting = meetings.get_meeting(session, found, 1)
        files = meetings.write_meeting_document(session, found, meeting, settings, minutes=False)
        pdf = next(f for f in files if f.suffix == ".pdf" and f.parent.name == "da")
        first = meetings.queue_agenda(session, found, meeting, settings, pdf)
        again = meetings.queue_agenda(session, found, meeting, settings, pdf)
        agenda = tmp_path / "dagsorden.yaml"
        agenda.write_text("punkter:\n  - titel: Budget\n", encoding="utf-8")
        meeting = meetings.set_agenda(session, found, 1, agenda, "test")
        changed = meetings.queue_agenda(session, found, meeting, settings, pdf)
    assert len(first) == 10 and again == [] and len(changed) == 10
    assert len({m.to_address for m in first}) == 10
    assert all(m.attachment == str(pdf) and m.calendar is None for m in first)
    assert "2. Budget" in changed[0].body_text


def test_the_feed_is_served_as_text_calendar(appointed: str) -> None:
    settings = get_settings()
    with session_scope() as session:
        found = committee.get_committee(session, appointed)
        path = meetings.write_feed(session, found, settings)
    server = meetings.feed_server(settings.output_dir, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        answer = httpx.get(f"{base}/{appointed}.ics")
        missing = [
            httpx.get(f"{base}{p}").status_code
            for p in ("/ukendt.ics", "/../app.db", f"/{appointed}/kalender.ics")
        ]
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert answer.content == path.read_bytes()
    assert missing == [404, 404, 404]


def opgaveudvalg(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "opgaveudvalg.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_secretariat_changes_the_plan_from_the_command_line(appointed: str) -> None:
    moved = opgaveudvalg(
        "meetings", "move", appointed, "2", "--date", "2027-04-27", "--time", "16:30"
    )
    assert moved.returncode == 0, moved.stderr
    cancelled = opgaveudvalg("meetings", "cancel", appointed, "3", "--reason", "sygdom")
    assert cancelled.returncode == 0, cancelled.stderr
    listed = opgaveudvalg("meetings", "list", appointed)
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert "2027-04-27 16:30" in lines["2"] and "planned" in lines["2"]
    assert "cancelled" in lines["3"]
    wrong = opgaveudvalg(
        "meetings", "move", appointed, "2", "--date", "27-04-2027", "--time", "16:30"
    )
    assert wrong.returncode == 1
    assert "er ikke en dato og et klokkeslæt som 2027-03-02 17:00" in wrong.stderr
    unknown = opgaveudvalg("meetings", "cancel", appointed, "99")
    assert unknown.returncode == 1 and "intet møde nr. 99" in unknown.stderr
