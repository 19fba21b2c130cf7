"""A person's rights over what the municipality holds on them, found by e-mail address across
every committee: access (GDPR art. 15, `export`) and erasure (art. 17, `erasure_plan`, then
`erase`). The audit log gets counts and committee IDs only, never the address or a name.

Erasure, per application, by where the committee is:
- before KB's appointment (a running lottery): the application is withdrawn (deleted); a
  computed lottery that counted on it is computed again without it (the flow's public draw
  takes the newest computed run); once drawn in public, it waits for the appointment, since the
  draw must stay verifiable against the data it was drawn from;
- a member holding a seat: the first fitting reserve takes it (`invitations.hand_over_seat`),
  then the contact data goes and the public record stays;
- a past member, or any member of a closed committee: the contact data goes;
- anyone else after the appointment (not selected, reserve): the application is deleted.
The figures and the hash the reports and `selection verify` need are kept first
(`schedule.keep_figures`), as before a scheduled deletion."""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit, current_mandate
from opgaveudvalg.documents import DocumentMeta, write_document
from opgaveudvalg.errors import UserError
from opgaveudvalg.meetings.invitations import hand_over_seat
from opgaveudvalg.models import CommitteeStatus, SelectionStatus
from opgaveudvalg.recruitment.rows import email_key, email_problem
from opgaveudvalg.retention import erasure, schedule
from opgaveudvalg.selection import runs
from opgaveudvalg.selection.instance import instance_from_json, profile_labels
from opgaveudvalg.selection.model import Method
from opgaveudvalg.settings import Settings

REASON = "slettet efter anmodning (art. 17)"
BEFORE_APPOINTMENT = (CommitteeStatus.recruiting, CommitteeStatus.selecting)
LEGAL_BASIS = "databeskyttelsesforordningens art. 6, stk. 1, litra e (myndighedsopgave)"
PURPOSE = (
    "at sammensætte kommunens opgaveudvalg, at kontakte ansøgere og medlemmer om udvalget og "
    "at dokumentere Kommunalbestyrelsens beslutninger"
)
KEPT_BECAUSE = (
    "sagsakter, som kommunen skal journalisere og arkivere (databeskyttelsesforordningens "
    "art. 17, stk. 3, litra b og d)"
)


def normalised(address: str) -> str:
    """The address as applications are keyed by it; a malformed one is the user's mistake."""
    problem = email_problem(address.strip())
    if problem:
        raise UserError(f"e-mailadressen {problem}")
    return email_key(address)


# --- what is held ---------------------------------------------------------------------------


@dataclass
class Held:
    """Everything found under one address."""

    applicants: list[models.Applicant] = field(default_factory=list)
    quarantined: list[models.QuarantinedRow] = field(default_factory=list)
    messages: list[models.OutboxMessage] = field(default_factory=list)  # tied to no application
    politician_seats: list[models.Membership] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "ansøgninger": len(self.applicants),
            "afviste rækker": len(self.quarantined),
            "beskeder": len(self.messages),
            "politikerpladser": len(self.politician_seats),
        }

    def committee_ids(self) -> list[int]:
        groups = (self.applicants, self.quarantined, self.messages, self.politician_seats)
        return sorted({row.committee_id for rows in groups for row in rows})


def find(session: Session, key: str) -> Held:
    applicants = select(models.Applicant).where(models.Applicant.email_key == key)
    quarantined = select(models.QuarantinedRow).where(models.QuarantinedRow.email_key == key)
    loose = select(models.OutboxMessage).where(
        col(models.OutboxMessage.applicant_id).is_(None), models.OutboxMessage.to_address != ""
    )
    seats = select(models.Membership).where(col(models.Membership.email).is_not(None))
    return Held(
        list(session.exec(applicants.order_by(col(models.Applicant.id)))),
        list(session.exec(quarantined.order_by(col(models.QuarantinedRow.id)))),
        [
            m
            for m in session.exec(loose.order_by(col(models.OutboxMessage.id)))
            if email_key(m.to_address) == key
        ],
        [
            m
            for m in session.exec(seats.order_by(col(models.Membership.id)))
            if email_key(m.email or "") == key
        ],
    )


def _memberships(session: Session, applicant_id: int | None) -> list[models.Membership]:
    query = select(models.Membership).where(models.Membership.applicant_id == applicant_id)
    return list(session.exec(query.order_by(col(models.Membership.id))))


def _labels(session: Session, committee: models.Committee) -> dict[str, str]:
    return profile_labels(current_mandate(session, committee))


def retention(
    session: Session, settings: Settings, applicant: models.Applicant
) -> tuple[date | None, str]:
    """When the application (or, for a member, the contact data) goes on schedule (None: not
    known yet), and the rule in words."""
    committee = _committee(session, applicant.committee_id)
    appointed = schedule.appointed_on(session, committee)
    unselected = f"{settings.retention_unselected_months} måneder efter udpegningen"
    after_close = f"{settings.retention_members_months} måneder efter, at udvalget er nedlagt"
    if appointed is None:
        return None, f"Bliver du ikke udpeget, sletter vi ansøgningen {unselected}."
    place = schedule.place_of(applicant, *schedule.seats_and_reserves(session, committee))
    rules = {
        schedule.Place.member: (
            f"Dine kontaktoplysninger sletter vi {after_close}; dit medlemskab bliver i sagen."
        ),
        schedule.Place.asked: (
            f"Vi sletter ansøgningen {after_close}, for du vil have besked om, hvad der sker "
            "med udvalgets arbejde."
        ),
        schedule.Place.reserve: (
            "Du er reserve: vi sletter ansøgningen, når udvalget er nedlagt, dog tidligst "
            f"{unselected}."
        ),
        schedule.Place.unselected: f"Vi sletter ansøgningen {unselected}.",
    }
    return schedule.goes_on(settings, committee, appointed, place), rules[place]


def _committee(session: Session, committee_id: int) -> models.Committee:
    found = session.get(models.Committee, committee_id)
    assert found is not None
    return found


# --- access (art. 15) -----------------------------------------------------------------------


def described(session: Session, settings: Settings, held: Held) -> dict[str, Any]:
    """Everything held, as the export's JSON and the letter show it."""
    return {
        "dataansvarlig": settings.municipality,
        "databeskyttelsesrådgiver": settings.dpo_email,
        "formål": PURPOSE,
        "retsgrundlag": LEGAL_BASIS,
        "ansøgninger": [_application(session, settings, a) for a in held.applicants],
        "afviste_rækker": [_quarantined(session, q) for q in held.quarantined],
        "beskeder": [_message(m) | _where(session, m.committee_id) for m in held.messages],
        "politikerpladser": [_politician_seat(session, m) for m in held.politician_seats],
    }


def _where(session: Session, committee_id: int) -> dict[str, Any]:
    committee = _committee(session, committee_id)
    return {
        "udvalg": {"slug": committee.slug, "titel": committee.title, "status": committee.status}
    }


def _application(
    session: Session, settings: Settings, applicant: models.Applicant
) -> dict[str, Any]:
    committee = _committee(session, applicant.committee_id)
    labels = _labels(session, committee)
    until, rule = retention(session, settings, applicant)
    return _where(session, committee.id) | {  # type: ignore[arg-type]
        "oplysninger": applicant.model_dump(
            exclude={"id", "committee_id", "email_key", "household_key", "content_hash"}
        ),
        "profiler": [
            {
                "profil": labels.get(p.profile_key, p.profile_key),
                "egnet": p.eligible,
                "begrundelse": p.reason,
            }
            for p in _profiles(session, applicant.id)
        ],
        "medlemskaber": [
            _membership(session, m, labels) for m in _memberships(session, applicant.id)
        ],
        "dubletvurderinger": [
            {"id": r.id, "afgjort": r.resolved} for r in _reviews(session, applicant.id)
        ],
        "beskeder": [_message(m) for m in _messages(session, applicant.id)],
        "opbevaring": {"slettes": until, "regel": rule},
    }


def _profiles(session: Session, applicant_id: int | None) -> list[models.ApplicantProfile]:
    query = select(models.ApplicantProfile).where(
        models.ApplicantProfile.applicant_id == applicant_id
    )
    return list(session.exec(query.order_by(col(models.ApplicantProfile.profile_key))))


def _reviews(session: Session, applicant_id: int | None) -> list[models.DuplicateReview]:
    query = select(models.DuplicateReview).where(
        (col(models.DuplicateReview.applicant_id) == applicant_id)
        | (col(models.DuplicateReview.other_applicant_id) == applicant_id)
    )
    return list(session.exec(query))


def _messages(session: Session, applicant_id: int | None) -> list[models.OutboxMessage]:
    query = select(models.OutboxMessage).where(models.OutboxMessage.applicant_id == applicant_id)
    return list(session.exec(query.order_by(col(models.OutboxMessage.id))))


def _message(message: models.OutboxMessage) -> dict[str, Any]:
    return message.model_dump(
        include={"kind", "to_address", "subject", "body_text", "status", "created_at", "sent_at"}
    )


def _membership(
    session: Session, membership: models.Membership, labels: dict[str, str]
) -> dict[str, Any]:
    query = (
        select(models.Meeting.number, models.Meeting.starts_at, models.Attendance.status)
        .join(models.Attendance, col(models.Attendance.meeting_id) == models.Meeting.id)
        .where(models.Attendance.membership_id == membership.id)
        .order_by(col(models.Meeting.number))
    )
    return {
        "profil": labels.get(membership.profile_key or "", membership.profile_key),
        "rolle": membership.role,
        "fra": membership.start_date,
        "til": membership.end_date,
        "ophørsgrund": membership.end_reason,
        "fremmøde": [
            {"møde": number, "dato": starts.date(), "status": status}
            for number, starts, status in session.exec(query)
        ],
    }


def _quarantined(session: Session, row: models.QuarantinedRow) -> dict[str, Any]:
    return _where(session, row.committee_id) | row.model_dump(
        include={"file_name", "row_number", "column", "reason", "raw"}
    )


def _politician_seat(session: Session, membership: models.Membership) -> dict[str, Any]:
    return _where(session, membership.committee_id) | membership.model_dump(
        include={"politician_name", "on_behalf_of", "email", "role", "start_date", "end_date"}
    )


def _json_value(value: Any) -> str:
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def export(
    session: Session, settings: Settings, address: str, folder: Path | None, actor: str
) -> list[Path]:
    """`indsigt.json`, `indsigt.html` and `indsigt.pdf` in `folder` (by default a new folder
    under `<output_dir>/indsigt/`); an address we hold nothing on gets a letter saying so."""
    key = normalised(address)
    now = datetime.now(UTC)
    held = find(session, key)
    data = {"udtrukket": now, "e-mail": key, **described(session, settings, held)}
    target = folder or settings.output_dir / "indsigt" / now.strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True, exist_ok=True)
    written = target / "indsigt.json"
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_json_value)
    written.write_text(text + "\n", encoding="utf-8")
    meta = DocumentMeta(
        "indsigt", "Indsigt i dine oplysninger", settings.municipality, 1, now.date(), None, "da"
    )
    letters = [
        write_document(
            "indsigt", "da", fmt, target, meta=meta, data=data, kept_because=KEPT_BECAUSE
        )
        for fmt in ("html", "pdf")
    ]
    audit(
        session,
        None,
        actor,
        "person.exported",
        None,
        committees=held.committee_ids(),
        counts=held.counts(),
    )
    return [written, *letters]


# --- erasure (art. 17) ----------------------------------------------------------------------


class Action(StrEnum):
    withdraw = "ansøgningen trækkes tilbage fra lodtrækningen"
    hand_over = "kontaktoplysningerne; en reserve overtager pladsen"
    contact_data = "kontaktoplysningerne (tidligere medlem)"
    delete = "ansøgningen (ikke udpeget)"
    wait = "venter på Kommunalbestyrelsens udpegning"


@dataclass
class Step:
    applicant: models.Applicant
    committee: models.Committee
    action: Action
    profile: str | None  # a member's profile, as the public record names it


@dataclass
class Plan:
    held: Held
    steps: list[Step]
    paths: list[Path]
    slugs: dict[int, str]  # committee ID -> slug, for the lines

    def acting(self) -> list[Step]:
        return [s for s in self.steps if s.action != Action.wait]

    def counts(self) -> dict[str, int]:
        actions = Counter(s.action.name for s in self.steps)
        return {**self.held.counts(), **actions, "filer": erasure.count_files(self.paths)}

    def lines(self) -> list[str]:
        """What goes, what stays and why, in the secretariat's words."""
        held = self.held
        if not any(held.counts().values()):
            return ["Der er ingen oplysninger om den adresse – intet at slette."]
        gone = [
            *(f"  {s.committee.slug}: {s.action.value}" for s in self.acting()),
            *_counted("afviste rækker fra importerede filer", len(held.quarantined)),
            *_counted("beskeder til adressen", len(held.messages)),
            *_counted("adressen på politikerpladser", len(held.politician_seats)),
            *_counted("filer (breve og kopier af beskeder)", erasure.count_files(self.paths)),
        ]
        kept = [
            f"  {s.committee.slug}: medlemskabet som »{_public_name(s)}«, "
            "Kommunalbestyrelsens beslutninger og mødereferaterne"
            for s in self.acting()
            if s.action in (Action.hand_over, Action.contact_data)
        ] + [
            f"  {self.slugs[m.committee_id]}: politikerens navn og parti i udvalget"
            for m in held.politician_seats
        ]
        waiting = [
            f"  {s.committee.slug}: ansøgningen – lodtrækningen er trukket offentligt og skal "
            "kunne efterprøves; slet igen, når Kommunalbestyrelsen har udpeget medlemmerne"
            for s in self.steps
            if s.action == Action.wait
        ]
        return [
            "Slettes:",
            *(gone or ["  intet"]),
            f"Beholdes som {KEPT_BECAUSE}:",
            *(kept or ["  intet"]),
            *(["Slettes ikke endnu:", *waiting] if waiting else []),
        ]


def _counted(what: str, count: int) -> list[str]:
    return [f"  {what}: {count}"] if count else []


def _public_name(step: Step) -> str:
    return erasure.public_name(step.applicant, step.profile)


def erasure_plan(session: Session, settings: Settings, address: str) -> Plan:
    held = find(session, normalised(address))
    steps = [_step(session, a) for a in held.applicants]
    paths = [
        path
        for s in steps
        if s.action != Action.wait
        for path in erasure.files_of(session, settings, s.committee.slug, s.applicant.id)  # type: ignore[arg-type]
    ]
    slugs = {c.id: c.slug for c in session.exec(select(models.Committee)) if c.id is not None}
    for message in held.messages:
        paths += erasure.mail_files(settings, slugs[message.committee_id], [message.id])  # type: ignore[list-item]
    return Plan(held, steps, paths, slugs)


def _step(session: Session, applicant: models.Applicant) -> Step:
    committee = _committee(session, applicant.committee_id)
    seats = _memberships(session, applicant.id)
    profile = _labels(session, committee).get(seats[-1].profile_key or "") if seats else None
    return Step(applicant, committee, _action(session, committee, seats), profile)


def _action(
    session: Session, committee: models.Committee, seats: list[models.Membership]
) -> Action:
    if committee.status in BEFORE_APPOINTMENT:
        drawn = any(r.status == SelectionStatus.drawn for r in runs.open_runs(session, committee))
        return Action.wait if drawn else Action.withdraw
    if not seats:
        return Action.delete
    sitting = committee.status != CommitteeStatus.closed and any(m.end_date is None for m in seats)
    return Action.hand_over if sitting else Action.contact_data


def erase(session: Session, settings: Settings, plan: Plan, today: date, actor: str) -> list[str]:
    """Carry out the plan; returns notes for the secretariat. The files go after the rows are
    deleted and flushed but before the commit: if the commit fails, the rows that list them
    stay and erasing again finds what is left."""
    notes = [
        note for step in plan.acting() if (note := _act(session, settings, step, today, actor))
    ]
    for row in plan.held.quarantined:
        session.delete(row)
    erasure.clear_messages(session, [m.id for m in plan.held.messages if m.id is not None])
    for membership in plan.held.politician_seats:
        membership.email = None
        session.add(membership)
    session.flush()
    counts = plan.counts()  # before the files go
    erasure.remove(plan.paths)
    committees = sorted({*plan.held.committee_ids()})
    audit(session, None, actor, "person.erased", REASON, committees=committees, counts=counts)
    return notes


def _act(session: Session, settings: Settings, step: Step, today: date, actor: str) -> str | None:
    applicant, committee = step.applicant, step.committee
    if step.action == Action.withdraw:
        erasure.delete_applicant(session, applicant)
        session.flush()
        return _lottery_without(session, committee, str(applicant.id))
    schedule.keep_figures(session, settings, committee)
    if step.action == Action.delete:
        erasure.delete_applicant(session, applicant)
        return None
    note = None
    if step.action == Action.hand_over:
        successor = hand_over_seat(session, committee, applicant.id, today, REASON, actor, settings)  # type: ignore[arg-type]
        note = f"{committee.slug}: ansøger {successor.applicant_id} overtager pladsen fra {successor.start_date.isoformat()}"
    erasure.erase_contact_data(session, applicant, step.profile, today)
    return note


def _lottery_without(
    session: Session, committee: models.Committee, applicant_id: str
) -> str | None:
    """A computed lottery that counted on a withdrawn applicant no longer counts: it is
    superseded, and computed again from the applicants left (the flow draws from the newest)."""
    counting = [
        r
        for r in runs.open_runs(session, committee)
        if applicant_id in {p.id for p in instance_from_json(r.inputs).people}
    ]
    if not counting:
        return None
    newest = counting[0]
    stored = instance_from_json(newest.inputs)
    for run in counting:
        run.status = SelectionStatus.superseded
        session.add(run)
    gone = {applicant_id}
    try:
        again = runs.compute_selection(
            session, committee, Method(newest.method), stored.fixed - gone, stored.excluded - gone
        )
    except runs.SelectionInfeasible as problem:
        return f"{committee.slug}: lodtrækningen kan ikke beregnes igen uden ansøgeren – {problem}"
    return (
        f"{committee.slug}: lodtrækningen er beregnet igen uden ansøgeren (udvælgelse {again.id})"
    )
