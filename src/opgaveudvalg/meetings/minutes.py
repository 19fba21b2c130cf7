"""A meeting's minutes and attendance: decisions per agenda item, optional discussion, and who
was absent (with or without notice); every other member holding a seat that day was present.
Recording the minutes makes the meeting held; the first held meeting puts the committee in
session.

The minutes file (YAML), items by their number on the agenda::

    beslutninger:
      1: Godkendt
      2: Udvalget valgte scenarie B.
    drøftelser:
      2: Mange ønsker et varmtvandsbassin.
    fravær:
      - {medlem: 17, afbud: true}
"""

from pathlib import Path
from typing import Annotated

from sqlmodel import Session, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit, transition
from opgaveudvalg.errors import UserError
from opgaveudvalg.meetings.plan import get_meeting, meetings
from opgaveudvalg.members.roster import members
from opgaveudvalg.models import AttendanceStatus, CommitteeStatus, MeetingState, utcnow
from opgaveudvalg.yamlinput import (
    Entry,
    FileInvalid,
    Problem,
    empty_if_none,
    format_path,
    line_of,
    read_yaml,
    validate,
)


class Absence(Entry):
    medlem: int
    afbud: bool = False


class MinutesFile(Entry):
    beslutninger: Annotated[dict[int, str], empty_if_none({})] = {}
    drøftelser: Annotated[dict[int, str], empty_if_none({})] = {}
    fravær: Annotated[list[Absence], empty_if_none([])] = []


def record_minutes(
    session: Session, committee: models.Committee, number: int, path: Path, actor: str
) -> models.Meeting:
    """Decisions per item, optional discussion, and who was absent (with or without notice);
    every other member holding a seat that day was present. The meeting is then held."""
    meeting = get_meeting(session, committee, number)
    if meeting.state == MeetingState.cancelled:
        raise UserError(f"Møde nr. {number} er aflyst")
    seated = {m.id for m in members(session, committee, meeting.starts_at.date())}
    minutes = load_minutes(path, len(meeting.agenda), {i for i in seated if i is not None})
    meeting.minutes = {"beslutninger": minutes.beslutninger, "drøftelser": minutes.drøftelser}
    _record_attendance(session, meeting, seated, minutes.fravær)
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
    enter_session(session, committee, actor)
    return meeting


def load_minutes(path: Path, items: int, seated: set[int]) -> MinutesFile:
    """The minutes file, validated against the meeting: items 1..`items` of its agenda and
    absent members among those `seated`; raises FileInvalid naming file, line and field."""
    document = read_yaml(
        path, "da", "'beslutninger:' og 'fravær:'", "'beslutninger:' and 'fravær:'"
    )
    minutes = validate(MinutesFile, document, str(path))
    wrong: list[tuple[tuple[str | int, ...], str]] = [
        ((section, str(item)), f"dagsordenen har punkterne 1–{items}")
        for section, numbered in (
            ("beslutninger", minutes.beslutninger),
            ("drøftelser", minutes.drøftelser),
        )
        for item in numbered
        if not 1 <= item <= items
    ]
    ids = ", ".join(map(str, sorted(seated)))
    wrong += [
        (("fravær", index, "medlem"), f"skal være et medlems-ID ({ids})")
        for index, absence in enumerate(minutes.fravær)
        if absence.medlem not in seated
    ]
    if wrong:
        raise FileInvalid(
            [
                Problem(str(path), line_of(document, field), format_path(field), message)
                for field, message in wrong
            ]
        )
    return minutes


def _record_attendance(
    session: Session,
    meeting: models.Meeting,
    seated: set[int | None],
    absent: list[Absence],
) -> None:
    statuses = dict.fromkeys(seated, AttendanceStatus.present)
    for absence in absent:
        statuses[absence.medlem] = (
            AttendanceStatus.absent_with_notice
            if absence.afbud
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


def enter_session(session: Session, committee: models.Committee, actor: str) -> None:
    """An appointed committee is in session once its first meeting is held (no change if it
    is in session already)."""
    if committee.status == CommitteeStatus.appointed:
        transition(session, committee, CommitteeStatus.in_session, actor, "første møde holdt")


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
                f"Medlem {membership_id} (ansøger {membership.applicant_id}) har været "
                "fraværende to møder i træk – tag kontakt"
            )
    return warnings
