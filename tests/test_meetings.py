"""Meetings of an appointed committee: the plan, changes, invitations that update and cancel,
agendas, minutes and attendance."""

import json
import re
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

from opgaveudvalg import committee, models
from opgaveudvalg.errors import UserError
from opgaveudvalg.meetings import agenda, changes, documents, feeds, invitations, minutes, plan
from opgaveudvalg.meetings.documents import write_agenda, write_meeting_document
from opgaveudvalg.members import roster
from opgaveudvalg.models import MeetingState
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import get_settings
from opgaveudvalg.yamlinput import FileInvalid

TODAY = date(2027, 1, 10)  # after KB's appointment, before the first meeting


def test_dates_avoid_public_and_school_holidays() -> None:
    breaks = get_settings().school_holidays
    # Thursdays; the middle one would be Ascension Day (6 May 2027)
    chosen = plan.propose_dates(date(2027, 4, 22), date(2027, 5, 20), 3, weekday=3)
    assert chosen == [date(2027, 4, 22), date(2027, 4, 29), date(2027, 5, 20)]
    summer = plan.propose_dates(
        date(2027, 6, 1), date(2027, 9, 1), 4, weekday=1, school_holidays=breaks
    )
    [holiday] = [b for b in breaks if b.start <= date(2027, 7, 15) <= b.end]
    assert all(not holiday.start <= day <= holiday.end for day in summer)
    with pytest.raises(UserError, match="kun 2 ledige torsdage"):
        plan.propose_dates(date(2027, 4, 29), date(2027, 5, 13), 3, weekday=3)


def test_plan_follows_the_mandate_and_is_stable(appointed: str) -> None:
    settings = get_settings()
    danish = holidays.country_holidays("DK", years=[2027, 2028])
    with committee.committee_session(appointed) as (session, found):
        planned = plan.meetings(session, found)
        mandate = committee.current_mandate(session, found)
        again = plan.plan_meetings(session, found, settings, "test")
    assert len(planned) == mandate.tidsplan.antal_møder
    assert [m.id for m in again] == [m.id for m in planned]
    zone = ZoneInfo(settings.timezone)
    for meeting in planned:
        start = meeting.starts_at.astimezone(zone)
        assert plan.WEEKDAYS[start.weekday()] == settings.meeting_weekday
        assert start.strftime("%H:%M") == settings.meeting_start_time
        assert start.date() not in danish
        assert not any(start.date() in period for period in settings.school_holidays)
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
    with committee.committee_session(appointed) as (session, found):
        first = invitations.queue_invitations(session, found, settings, TODAY)
        addresses = {a.email for a in session.exec(select(models.Applicant))}
        addresses |= {m.email for m in roster.members(session, found) if m.email}
        members = roster.members(session, found)  # the citizens and the politicians
        count = len(plan.meetings(session, found))
        assert len(members) == 15 and len(first) == count * len(members)
        assert invitations.queue_invitations(session, found, settings, TODAY) == []
        meeting = plan.get_meeting(session, found, 2)
        uid = meeting.uid
        new_start = datetime(2027, 4, 6, 17, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
        changes.move_meeting(session, found, 2, new_start, "test")
        moved = invitations.queue_invitations(session, found, settings, TODAY)
        changes.cancel_meeting(session, found, 3, "test", "sygdom")
        cancelled = invitations.queue_invitations(session, found, settings, TODAY)
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
    with committee.committee_session(appointed) as (session, found):
        invitations.queue_invitations(session, found, settings, TODAY)
        session.flush()
        before = {m.id for m in session.exec(select(models.OutboxMessage))}
        leaving = next(m for m in roster.members(session, found) if m.applicant_id)
        successor = invitations.hand_over_seat(
            session, found, leaving.applicant_id or 0, TODAY, "flyttet", "test", settings
        )
        session.flush()
        new = [m for m in session.exec(select(models.OutboxMessage)) if m.id not in before]
        count = len(plan.meetings(session, found))
    cancels = [m for m in new if m.kind == "moede-cancel"]
    requests = [m for m in new if m.kind == "moede-request"]
    assert {m.applicant_id for m in cancels} == {leaving.applicant_id} and len(cancels) == count
    assert {str(c["METHOD"]) for c in calendars(cancels)} == {"CANCEL"}
    assert {m.applicant_id for m in requests} == {successor.applicant_id}
    assert len(requests) == count and len(new) == 2 * count


def test_feed_publishes_the_same_uids_without_attendees(appointed: str) -> None:
    with committee.committee_session(appointed) as (session, found):
        changes.cancel_meeting(session, found, 1, "test", "flyttes")
        path = invitations.write_feed(session, found, get_settings())
        uids = {m.uid for m in plan.meetings(session, found)}
    feed = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(feed["METHOD"]) == "PUBLISH" and check_itip(path.read_text(encoding="utf-8")) == []
    events = feed.walk("VEVENT")
    assert {str(e["UID"]) for e in events} == uids
    assert all("ATTENDEE" not in e for e in events)
    assert sorted(str(e["STATUS"]) for e in events).count("CANCELLED") == 1


def test_agenda_minutes_and_attendance(appointed: str, tmp_path: Path) -> None:
    settings = get_settings()
    agenda_file = tmp_path / "dagsorden.yaml"
    agenda_file.write_text(
        "punkter:\n"
        "  - titel: Vision for svømmehallen\n"
        "    indstilling: Det indstilles, at udvalget drøfter visionen.\n"
        "    beskrivelse: Administrationen præsenterer tre scenarier.\n"
        "    bilag: [Scenarier.pdf]\n",
        encoding="utf-8",
    )
    with committee.committee_session(appointed) as (session, found):
        seat = next(m for m in roster.members(session, found) if m.applicant_id)
        meeting = agenda.set_agenda(session, found, 1, agenda_file, "test")
        files = write_meeting_document(session, found, meeting, settings, minutes=False)
    titles = [item["titel"] for item in meeting.agenda]
    assert titles == [
        "Godkendelse af dagsorden",
        "Velkomst og præsentation",
        "Opgaven og kommissoriet",
        "Samarbejdsform",
        "Vision for svømmehallen",
        "Eventuelt",
    ]
    pdf = next(f for f in files if f.suffix == ".pdf" and f.parent.name == "da")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    for expected in (
        "Dagsorden",
        "Tidspunkt",
        "Ordstyrer",
        "Referent",
        "5. Vision for svømmehallen",
        "Indstilling",
        "Beskrivelse af sagen",
        "Scenarier.pdf",
    ):
        assert expected in text
    for number in (1, 2):
        minutes_file = tmp_path / f"referat-{number}.yaml"
        minutes_file.write_text(
            f"beslutninger:\n  1: Godkendt\n  2: Udvalget valgte scenarie B.\n"
            f"drøftelser:\n  2: Mange ønsker et varmtvandsbassin.\n"
            f"fravær:\n  - {{medlem: {seat.id}, afbud: {'true' if number == 1 else 'false'}}}\n",
            encoding="utf-8",
        )
        with committee.committee_session(appointed) as (session, found):
            held = minutes.record_minutes(session, found, number, minutes_file, "test")
            files = write_meeting_document(session, found, held, settings, minutes=True)
            warnings = minutes.attendance_warnings(session, found)
        assert held.state == MeetingState.held
    assert warnings == [
        f"Medlem {seat.id} (ansøger {seat.applicant_id}) har været fraværende to møder i træk – tag kontakt"
    ]
    pdf = next(f for f in files if f.suffix == ".pdf" and f.parent.name == "da")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Referat" in text and "Beslutning" in text and "Udvalget valgte scenarie B." in text
    assert "(uden afbud)" in text  # meeting 2: absent without notice
    with committee.committee_session(appointed) as (session, found):
        first = plan.get_meeting(session, found, 1)
        assert first.minutes_approved_at_meeting == 2
        rows = session.exec(
            select(models.Attendance).where(models.Attendance.meeting_id == first.id)
        ).all()
        assert (
            len(rows) == 15 and sum(r.status != "present" for r in rows) == 1
        )  # 10 citizens, 5 politicians


def minutes_problems(slug: str, path: Path, text: str) -> str:
    """The error recording `text` as meeting 1's minutes gives; the meeting stays unheld."""
    path.write_text(text, encoding="utf-8")
    with committee.committee_session(slug) as (session, found):
        with pytest.raises(FileInvalid) as error:
            minutes.record_minutes(session, found, 1, path, "test")
        assert plan.get_meeting(session, found, 1).state == MeetingState.planned
    return str(error.value)


def test_minutes_file_errors_name_the_file_line_and_field(appointed: str, tmp_path: Path) -> None:
    bad = tmp_path / "referat.yaml"
    name = str(bad)
    assert minutes_problems(appointed, bad, "beslutninger:\n  1: Godkendt\n  9: Godkendt\n") == (
        f"{name}:3: beslutninger.9: dagsordenen har punkterne 1–5"
    )
    assert minutes_problems(appointed, bad, "beslutninger:\n  første: Godkendt\n") == (
        f"{name}:2: beslutninger.første: skal være et helt tal"
    )
    problems = minutes_problems(
        appointed,
        bad,
        "beslutninger:\n  1: Godkendt\nfravær:\n  - {medlem: 99999}\n  - {medlem: 1, afbud: måske}\n",
    )
    assert problems == f"{name}:5: fravær[1].afbud: skal være true eller false"
    problems = minutes_problems(
        appointed, bad, "beslutninger:\n  1: Godkendt\nfravær:\n  - {medlem: 99999}\n"
    )
    assert problems.startswith(f"{name}:4: fravær[0].medlem: skal være et medlems-ID (")
    assert minutes_problems(appointed, bad, "beslutninger: {1: Godkendt}\nfravaer: []\n") == (
        f"{name}:2: fravaer: ukendt felt – tjek stavningen"
    )
    assert minutes_problems(appointed, bad, "- 1: Godkendt\n").startswith(
        f"{name}:1: filen skal indeholde felter som 'beslutninger:'"
    )


def test_minutes_accept_empty_sections_and_numbers_as_text(appointed: str, tmp_path: Path) -> None:
    path = tmp_path / "referat.yaml"
    path.write_text(
        "beslutninger:\n  1: 2027\n  2: Godkendt\ndrøftelser:\nfravær:\n", encoding="utf-8"
    )
    with committee.committee_session(appointed) as (session, found):
        held = minutes.record_minutes(session, found, 1, path, "test")
        assert held.minutes == {"beslutninger": {1: "2027", 2: "Godkendt"}, "drøftelser": {}}
        assert held.state == MeetingState.held


def test_an_unknown_item_kind_is_named_with_the_kinds_allowed_in_danish(
    appointed: str, tmp_path: Path
) -> None:
    path = tmp_path / "dagsorden.yaml"
    path.write_text("punkter:\n  - titel: Budget\n    art: afstemning\n", encoding="utf-8")
    with (
        committee.committee_session(appointed) as (session, found),
        pytest.raises(FileInvalid) as error,
    ):
        agenda.set_agenda(session, found, 1, path, "test")
    assert str(error.value) == (
        f"{path}:3: punkter[0].art: skal være en af 'beslutning', 'drøftelse' eller 'orientering'"
    )


def test_agenda_file_errors_name_the_file_line_and_field(appointed: str, tmp_path: Path) -> None:
    path = tmp_path / "dagsorden.yaml"
    path.write_text(
        "punkter:\n"
        "  - titel: Budget\n"
        "  - indstilling: Uden titel\n"
        "  - titel: Trafik\n"
        "    bilag: Plan.pdf\n"
        "    ansvarlig: Jens\n",
        encoding="utf-8",
    )
    with committee.committee_session(appointed) as (session, found):
        with pytest.raises(FileInvalid) as error:
            agenda.set_agenda(session, found, 1, path, "test")
        titles = [item["titel"] for item in plan.get_meeting(session, found, 1).agenda]
    assert str(error.value).splitlines() == [
        f"{path}:3: punkter[1].titel: feltet mangler",
        f"{path}:5: punkter[2].bilag: skal være en liste (linjer med '- ')",
        f"{path}:6: punkter[2].ansvarlig: ukendt felt – tjek stavningen",
    ]
    assert titles == [item["titel"] for item in plan.default_agenda(1)]
    path.write_text("titel: Budget\n", encoding="utf-8")
    missing = re.escape(f"{path}:1: punkter: feltet mangler")
    with (
        committee.committee_session(appointed) as (session, found),
        pytest.raises(FileInvalid, match=missing),
    ):
        agenda.set_agenda(session, found, 1, path, "test")


def test_agenda_items_may_leave_fields_empty(appointed: str, tmp_path: Path) -> None:
    path = tmp_path / "dagsorden.yaml"
    path.write_text("punkter:\n  - titel: Budget\n    indstilling:\n    bilag:\n", encoding="utf-8")
    with committee.committee_session(appointed) as (session, found):
        meeting = agenda.set_agenda(session, found, 1, path, "test")
    assert meeting.agenda[-2] == {
        "titel": "Budget",
        "indstilling": "",
        "beskrivelse": "",
        "bilag": [],
        "art": "drøftelse",
        "en": {},
    }


def test_a_school_holiday_in_the_settings_moves_a_meeting_out_of_it(
    appointed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone = ZoneInfo(get_settings().timezone)
    with committee.committee_session(appointed) as (session, found):
        usual = [m.starts_at.astimezone(zone).date() for m in plan.meetings(session, found)]
        for meeting in plan.meetings(session, found):
            session.delete(meeting)
    day = usual[2]
    holiday = {
        "name": "lokal ferie",
        "start": str(day - timedelta(days=3)),
        "end": str(day + timedelta(days=3)),
    }
    monkeypatch.setenv("OPGAVEUDVALG_SCHOOL_HOLIDAYS", json.dumps([holiday]))
    get_settings.cache_clear()
    assert [(b.start, b.end) for b in get_settings().school_holidays] == [
        (day - timedelta(days=3), day + timedelta(days=3))
    ]
    with committee.committee_session(appointed) as (session, found):
        planned = plan.plan_meetings(session, found, get_settings(), "test")
        moved = [m.starts_at.astimezone(zone).date() for m in planned]
    assert len(moved) == len(usual) and day not in moved
    assert not any(day - timedelta(days=3) <= other <= day + timedelta(days=3) for other in moved)
    assert all(other.weekday() == day.weekday() for other in moved)


def test_a_school_holiday_that_ends_before_it_starts_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    holiday = {"start": "2027-07-01", "end": "2027-06-01"}
    monkeypatch.setenv("OPGAVEUDVALG_SCHOOL_HOLIDAYS", json.dumps([holiday]))
    get_settings.cache_clear()
    with pytest.raises(
        UserError,
        match=r"indstillingen 'school_holidays\.0'.*start 2027-07-01 ligger efter end 2027-06-01",
    ):
        get_settings()


def test_dst_weeks_keep_local_time(appointed: str) -> None:
    """A meeting moved across the change to summer time keeps 17:00 local, 15:00 UTC."""
    settings = get_settings()
    with committee.committee_session(appointed) as (session, found):
        invitations.queue_invitations(session, found, settings, TODAY)
        start = plan.local(date(2027, 3, 29), plan.rules(settings).start, settings.timezone)
        changes.move_meeting(session, found, 1, start, "test")
        [message, *_] = invitations.queue_invitations(session, found, settings, TODAY)
    moved = only_event(icalendar.Calendar.from_ical(message.calendar)).decoded("DTSTART")
    assert moved.utcoffset() == timedelta(hours=2)
    assert moved.astimezone(ZoneInfo("UTC")).hour == int(settings.meeting_start_time[:2]) - 2


def test_the_agenda_goes_to_each_member_once_per_version(appointed: str, tmp_path: Path) -> None:
    settings = get_settings()
    with committee.committee_session(appointed) as (session, found):
        meeting = plan.get_meeting(session, found, 1)
        pdf = write_agenda(session, found, meeting, settings)
        first = invitations.queue_agenda(session, found, meeting, settings, pdf)
        again = invitations.queue_agenda(session, found, meeting, settings, pdf)
        agenda_file = tmp_path / "dagsorden.yaml"
        agenda_file.write_text("punkter:\n  - titel: Budget\n", encoding="utf-8")
        meeting = agenda.set_agenda(session, found, 1, agenda_file, "test")
        changed = invitations.queue_agenda(session, found, meeting, settings, pdf)
    assert (
        pdf == CommitteeFiles.of(settings.output_dir, appointed).meeting(1, "da") / "dagsorden.pdf"
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    assert len(first) == 15 and again == [] and len(changed) == 15  # citizens and politicians
    assert len({m.to_address for m in first}) == 15
    assert all(m.attachment == str(pdf) and m.calendar is None for m in first)
    assert "5. Budget" in changed[0].body_text


def test_the_minutes_go_to_everyone_who_held_a_seat_once_per_version(
    appointed: str, tmp_path: Path
) -> None:
    path = tmp_path / "referat.yaml"
    path.write_text("beslutninger:\n  1: Godkendt\n", encoding="utf-8")
    settings = get_settings()
    with committee.committee_session(appointed) as (session, found):
        held = minutes.record_minutes(session, found, 1, path, "test")
        assert documents.write_missing_minutes(session, found, settings) == [1]
        [(meeting, pdf)] = documents.written_minutes(session, found, settings)
        first = invitations.queue_minutes(session, found, meeting, settings, pdf)
        again = invitations.queue_minutes(session, found, meeting, settings, pdf)
        path.write_text("beslutninger:\n  1: Godkendt med en rettelse\n", encoding="utf-8")
        minutes.record_minutes(session, found, 1, path, "test")
        changed = invitations.queue_minutes(session, found, held, settings, pdf)
    assert pdf.name == "referat.pdf" and pdf.read_bytes().startswith(b"%PDF")
    assert len(first) == 15 and again == [] and len(changed) == 15  # citizens and politicians
    assert {m.kind for m in first} == {"moede-referat"}
    assert first[0].subject.startswith("Referat: ") and "møde 1" in first[0].subject
    assert "Her er referatet af møde 1" in first[0].body_text
    assert all(m.attachment == str(pdf) for m in first)


def test_the_feed_is_served_as_text_calendar(appointed: str) -> None:
    settings = get_settings()
    with committee.committee_session(appointed) as (session, found):
        path = invitations.write_feed(session, found, settings)
    server = feeds.feed_server(settings.output_dir, port=0)
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


@pytest.mark.slow
def test_the_secretariat_changes_the_plan_from_the_command_line(appointed: str) -> None:
    moved = opgaveudvalg(
        "meetings", "move", appointed, "2", "--date", "2027-04-27", "--time", "16:30"
    )
    assert moved.returncode == 0, moved.stderr
    assert "ferie" not in moved.stderr and "helligdag" not in moved.stderr  # a plain Tuesday
    cancelled = opgaveudvalg("meetings", "cancel", appointed, "3", "--reason", "sygdom")
    assert cancelled.returncode == 0, cancelled.stderr
    summer = opgaveudvalg(
        "meetings", "move", appointed, "4", "--date", "2027-07-13", "--time", "16:30"
    )
    assert summer.returncode == 0
    assert summer.stderr.splitlines()[0] == (
        "Bemærk: 2027-07-13 ligger i sommerferie (2027-06-26–2027-08-08) – mødet er lagt der "
        "alligevel"
    )
    listed = opgaveudvalg("meetings", "list", appointed)
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()[1:]}
    assert "2027-04-27 16:30" in lines["2"] and "planlagt" in lines["2"]
    assert "aflyst" in lines["3"] and "2027-07-13 16:30" in lines["4"]
    members = opgaveudvalg("members", "list", appointed).stdout
    assert " formand " in members and " næstformand " in members and " medlem " in members
    assert "chair" not in members and "member" not in members
    invited = opgaveudvalg("meetings", "invite", appointed, "--dry-run")
    assert invited.returncode == 0, invited.stderr
    assert "Prøvekørsel – intet er sendt" in invited.stdout and "{" not in invited.stdout
    again = opgaveudvalg("meetings", "cancel", appointed, "3")
    assert again.returncode == 1
    assert again.stderr.strip() == "fejl: Møde nr. 3 er aflyst og kan ikke ændres"
    wrong = opgaveudvalg(
        "meetings", "move", appointed, "2", "--date", "27-04-2027", "--time", "16:30"
    )
    assert wrong.returncode == 1
    assert "er ikke en dato og et klokkeslæt som 2027-03-02 17:00" in wrong.stderr
    unknown = opgaveudvalg("meetings", "cancel", appointed, "99")
    assert unknown.returncode == 1 and "intet møde nr. 99" in unknown.stderr


def test_a_public_or_school_holiday_is_named_in_one_danish_line() -> None:
    summer = get_settings().school_holidays
    assert plan.holiday_warning(date(2027, 5, 6), summer) == (
        "Bemærk: 2027-05-06 er en helligdag (Kristi himmelfartsdag)"
    )
    assert plan.holiday_warning(date(2027, 7, 13), summer) == (
        "Bemærk: 2027-07-13 ligger i sommerferie (2027-06-26–2027-08-08)"
    )
    assert plan.holiday_warning(date(2027, 4, 27), summer) is None
