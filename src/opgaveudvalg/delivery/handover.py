"""The handover file the secretariat writes: the committee's recommendations, the tasks it left
unanswered and why, the work as recorded, and the members' evaluation as aggregates.

Checked like the mandate (file:line: field: message), then against the committee: every task
number is one of the mandate's tasks, every member ID one of its members, and every task of
the mandate is answered by a recommendation or explained under `ubesvarede_opgaver`::

    anbefalinger:
      - nr: 1
        titel: Et varmtvandsbassin til genoptræning og babysvømning
        anbefaling: Hallen får et varmtvandsbassin på mindst 100 m² ...
        begrundelse: Dialogmødet med patientforeningerne viste ...
        opgaver: [2, 5]          # the mandate's tasks, numbered from 1; [] for none
        mindretal:               # left out when the committee agrees
          medlemmer: [14, 17]    # member IDs (never names)
          udtalelse: Et mindretal ønsker ...
        udgift: 1-5-mio          # ingen, under-1-mio, 1-5-mio, 5-20-mio, over-20-mio
        bilag: [{titel: Skitse af bassinet, fil: bilag/skitse.pdf}]
        en: {titel: ..., anbefaling: ..., begrundelse: ..., udtalelse: ...}
    ubesvarede_opgaver:
      4: Udvalget nåede ikke at drøfte fordelingen af bassintider.
"""

import hashlib
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator
from sqlmodel import Session, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit, current_mandate, transition
from opgaveudvalg.delivery.records import Handover
from opgaveudvalg.errors import UserError
from opgaveudvalg.meetings.plan import meetings
from opgaveudvalg.members.roster import members
from opgaveudvalg.models import CommitteeStatus, MeetingState
from opgaveudvalg.yamlinput import (
    Entry,
    FileInvalid,
    Problem,
    empty_if_none,
    line_of,
    read_yaml,
    validate,
)


class CostBand(StrEnum):
    none = "ingen"
    under_1 = "under-1-mio"
    from_1_to_5 = "1-5-mio"
    from_5_to_20 = "5-20-mio"
    over_20 = "over-20-mio"


class Attachment(Entry):
    titel: str = Field(min_length=1, max_length=200)
    fil: str = Field(min_length=1, description="Relative to the handover file")


class Dissent(Entry):
    medlemmer: list[int] = Field(min_length=1)
    udtalelse: str = Field(min_length=1)


class English(Entry):
    titel: str | None = None
    anbefaling: str | None = None
    begrundelse: str | None = None
    udtalelse: str | None = None


class Recommendation(Entry):
    nr: int = Field(ge=1, le=999)
    titel: str = Field(min_length=1, max_length=200)
    anbefaling: str = Field(min_length=1)
    begrundelse: str = Field(min_length=1)
    opgaver: list[int]
    mindretal: Dissent | None = None
    udgift: CostBand | None = None
    bilag: Annotated[list[Attachment], empty_if_none([])] = []
    en: English = English()

    @property
    def consensus(self) -> bool:
        return self.mindretal is None


class WorkingGroup(Entry):
    navn: str = Field(min_length=1)
    møder: int = Field(ge=0)


class DialogueEvent(Entry):
    titel: str = Field(min_length=1)
    dato: date
    deltagere: int | None = Field(default=None, ge=0)


class Question(Entry):
    spørgsmål: str = Field(min_length=1)
    svar: dict[str, int] = Field(min_length=2, description="Answer → how many gave it")

    @model_validator(mode="after")
    def _counts(self) -> "Question":
        if any(count < 0 for count in self.svar.values()):
            raise ValueError("et antal svar kan ikke være negativt")
        return self


class Evaluation(Entry):
    """The members' evaluation, as counted: no single member's answers."""

    besvarelser: int = Field(ge=0)
    spørgsmål: Annotated[list[Question], empty_if_none([])] = []
    læring: Annotated[list[str], empty_if_none([])] = []

    @model_validator(mode="after")
    def _within_responses(self) -> "Evaluation":
        for question in self.spørgsmål:
            if sum(question.svar.values()) > self.besvarelser:
                raise ValueError(
                    f"'{question.spørgsmål}' har flere svar end de {self.besvarelser} besvarelser"
                )
        return self


class HandoverFile(Entry):
    anbefalinger: list[Recommendation] = Field(min_length=1)
    ubesvarede_opgaver: Annotated[dict[int, str], empty_if_none({})] = {}
    arbejdsgrupper: Annotated[list[WorkingGroup], empty_if_none([])] = []
    dialogmøder: Annotated[list[DialogueEvent], empty_if_none([])] = []
    evaluering: Evaluation | None = None

    @model_validator(mode="after")
    def _numbers_once(self) -> "HandoverFile":
        numbers = [r.nr for r in self.anbefalinger]
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            raise ValueError(f"anbefaling nr. {repeated[0]} står der flere gange")
        return self

    def recommendation(self, number: int) -> Recommendation:
        return next(r for r in self.anbefalinger if r.nr == number)


def load_handover(path: Path, tasks: list[str], member_ids: set[int]) -> HandoverFile:
    """The file, checked on its own and against the mandate's tasks and the members."""
    document = read_yaml(path, "da", "anbefalinger", "anbefalinger")
    handover = validate(HandoverFile, document, str(path))
    problems = [
        *_task_problems(handover, document, str(path), len(tasks)),
        *_member_problems(handover, document, str(path), member_ids),
        *_attachment_problems(handover, document, path),
    ]
    unanswered = unanswered_tasks(handover, len(tasks))
    for number in unanswered:
        problems.append(
            Problem(
                str(path),
                line_of(document, ("anbefalinger",)),
                "anbefalinger",
                f"opgave {number} ('{_short(tasks[number - 1])}') besvares ikke af nogen "
                "anbefaling: nævn den under en anbefalings `opgaver`, eller forklar under "
                f"`ubesvarede_opgaver` ({number}: …), hvorfor udvalget ikke besvarer den",
            )
        )
    if problems:
        raise FileInvalid(problems)
    return handover


def unanswered_tasks(handover: HandoverFile, task_count: int) -> list[int]:
    """The mandate's tasks (numbered from 1) that no recommendation answers and the file does
    not explain."""
    answered = {n for r in handover.anbefalinger for n in r.opgaver}
    explained = set(handover.ubesvarede_opgaver)
    return [n for n in range(1, task_count + 1) if n not in answered | explained]


def _task_problems(
    handover: HandoverFile, document: Any, name: str, task_count: int
) -> list[Problem]:
    problems = []
    for index, recommendation in enumerate(handover.anbefalinger):
        for position, number in enumerate(recommendation.opgaver):
            if not 1 <= number <= task_count:
                where: tuple[str | int, ...] = ("anbefalinger", index, "opgaver", position)
                problems.append(_out_of_range(document, name, where, number, task_count))
    for number in handover.ubesvarede_opgaver:
        if not 1 <= number <= task_count:
            where = ("ubesvarede_opgaver", number)
            problems.append(_out_of_range(document, name, where, number, task_count))
    return problems


def _out_of_range(
    document: Any, name: str, where: tuple[str | int, ...], number: int, task_count: int
) -> Problem:
    return Problem(
        name,
        line_of(document, where),
        ".".join(str(part) for part in where),
        f"kommissoriet har opgave 1 til {task_count}, ikke {number}",
    )


def _member_problems(
    handover: HandoverFile, document: Any, name: str, member_ids: set[int]
) -> list[Problem]:
    problems = []
    for index, recommendation in enumerate(handover.anbefalinger):
        for position, member in enumerate(
            recommendation.mindretal.medlemmer if recommendation.mindretal else []
        ):
            if member not in member_ids:
                where = ("anbefalinger", index, "mindretal", "medlemmer", position)
                problems.append(
                    Problem(
                        name,
                        line_of(document, where),
                        ".".join(str(part) for part in where),
                        f"{member} er ikke et medlems-ID i udvalget "
                        "(se `opgaveudvalg members list`)",
                    )
                )
    return problems


def _attachment_problems(handover: HandoverFile, document: Any, path: Path) -> list[Problem]:
    problems = []
    for index, recommendation in enumerate(handover.anbefalinger):
        for position, attachment in enumerate(recommendation.bilag):
            where = ("anbefalinger", index, "bilag", position, "fil")
            if message := _attachment_problem(path, attachment.fil):
                problems.append(
                    Problem(
                        str(path),
                        line_of(document, where),
                        ".".join(str(part) for part in where),
                        message,
                    )
                )
    return problems


def _attachment_problem(path: Path, name: str) -> str | None:
    """An attachment is published with the report: it must be a file in the handover file's
    folder or below it."""
    folder = path.parent.resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder):
        return f"{name} ligger uden for mappen med {path.name}; læg bilagene ved siden af filen"
    if not target.is_file():
        return f"filen {name} findes ikke ved siden af {path.name}"
    return None


def _short(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# --- stored -------------------------------------------------------------------------------------


def submit_handover(
    session: Session, committee: models.Committee, path: Path, actor: str
) -> Handover:
    """Store the checked file as the committee's handover; the same content again changes
    nothing. Once handed over (status delivered or later) it is the record and stays."""
    mandate = current_mandate(session, committee)
    member_ids = {m.id for m in members(session, committee) if m.id is not None}
    handover = load_handover(path, mandate.opgaver, member_ids)
    content = handover.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    stored = stored_handover(session, committee)
    if stored is not None and stored.content_hash == digest:
        return stored
    if committee.status != CommitteeStatus.in_session:
        raise UserError(
            f"'{committee.slug}' har status '{committee.status}': anbefalingerne kan kun "
            "afleveres, mens udvalget er i gang, og ændres ikke efter afleveringen"
        )
    assert committee.id is not None
    stored = stored or Handover(
        committee_id=committee.id, source_file="", content_hash="", content={}
    )
    stored.source_file, stored.content_hash, stored.content = str(path.resolve()), digest, content
    session.add(stored)
    audit(
        session,
        committee.id,
        actor,
        "handover.submitted",
        recommendations=len(handover.anbefalinger),
        unanswered_tasks=sorted(handover.ubesvarede_opgaver),
    )
    session.flush()
    return stored


def stored_handover(session: Session, committee: models.Committee) -> Handover | None:
    return session.exec(select(Handover).where(Handover.committee_id == committee.id)).first()


def handover_content(stored: Handover) -> HandoverFile:
    return HandoverFile.model_validate(stored.content)


def recommendation_numbers(session: Session, committee: models.Committee) -> list[int]:
    stored = stored_handover(session, committee)
    return [r.nr for r in handover_content(stored).anbefalinger] if stored else []


def mark_delivered(
    session: Session, committee: models.Committee, today: date, actor: str
) -> Handover:
    """The handover has gone to the standing committee: the committee is `delivered`
    (again: a no-op)."""
    stored = stored_handover(session, committee)
    if stored is None:
        raise UserError(f"'{committee.slug}' har ingen anbefalinger endnu")
    if stored.delivered_on is None:
        stored.delivered_on = not_before_last_meeting(session, committee, today)
        session.add(stored)
        transition(session, committee, CommitteeStatus.delivered, actor)
    return stored


def not_before_last_meeting(session: Session, committee: models.Committee, day: date) -> date:
    """`day`, or the day of the committee's last meeting held if that is later: it hands over
    and closes after its work (the demo plays a year of meetings in one day)."""
    held = [m.ends_at.date() for m in meetings(session, committee) if m.state == MeetingState.held]
    return max([day, *held])
