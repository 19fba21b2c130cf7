"""Tables of the app database (never Prefect's). Schema changes go through Alembic migrations."""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored in UTC and read back with tzinfo=UTC on every engine (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def timestamp() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


def text_enum(enum: type[StrEnum]) -> Any:
    """Stored as VARCHAR so later stages can add values without altering a database type."""
    return SAEnum(
        enum, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class CommitteeStatus(StrEnum):
    draft = "draft"
    mandated = "mandated"
    recruiting = "recruiting"
    selecting = "selecting"
    appointed = "appointed"
    in_session = "in_session"
    delivered = "delivered"
    decided = "decided"
    closed = "closed"


class Decision(StrEnum):
    approved = "approved"
    amend = "amend"
    rejected = "rejected"


class Committee(SQLModel, table=True):
    """A task committee (OParl Organization), subordinate to a standing committee."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=60)
    title: str
    status: CommitteeStatus = Field(
        default=CommitteeStatus.draft, sa_type=text_enum(CommitteeStatus)
    )
    parent_committee: str = Field(description="The standing committee it reports to")
    status_note: str | None = None
    closed_on: date | None = Field(
        default=None, description="The day it closed: the retention clock of members' data"
    )
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Mandate(SQLModel, table=True):
    """One version of a committee's mandate; every version is kept."""

    __table_args__ = (UniqueConstraint("committee_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    version: int
    content_hash: str = Field(max_length=64)
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source_file: str
    created_at: datetime = timestamp()


class CompetenceProfile(SQLModel, table=True):
    """A labelled seat group of a mandate version (Popolo Post)."""

    __table_args__ = (UniqueConstraint("mandate_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(foreign_key="mandate.id", index=True)
    key: str = Field(max_length=40)
    label: str
    description: str | None = None
    seats: int
    min_age: int | None = None
    max_age: int | None = None
    residence_required: bool = True
    soft_criteria: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class RepresentationTarget(SQLModel, table=True):
    """A balance target for one group of a category, as declared and as seat bounds."""

    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(foreign_key="mandate.id", index=True)
    category: str
    group: str
    min_count: int | None = None
    max_count: int | None = None
    min_percent: float | None = None
    max_percent: float | None = None
    min_seats: int
    max_seats: int


class ApprovalDecision(SQLModel, table=True):
    """The council's (KB's) recorded decision on a mandate version."""

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    mandate_id: int = Field(foreign_key="mandate.id", index=True)
    decision: Decision = Field(sa_type=text_enum(Decision))
    meeting_date: date
    agenda_item: int
    case_number: str = Field(max_length=40)
    note: str | None = None
    flow_run_id: str | None = Field(default=None, max_length=36)
    recorded_at: datetime = timestamp()


class AuditEvent(SQLModel, table=True):
    """Who did what, when and why — written for every state change."""

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int | None = Field(default=None, foreign_key="committee.id", index=True)
    at: datetime = timestamp()
    actor: str
    action: str = Field(index=True)
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Applicant(SQLModel, table=True):
    """One citizen's application to one committee. All of it is personal data: deleting the row
    (with its profiles, review flags and outbox messages by cascade) removes the person from the
    committee; a membership stays, as public record, without its applicant."""

    __table_args__ = (UniqueConstraint("committee_id", "email_key"),)

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    email_key: str = Field(
        max_length=320, index=True, description="E-mail normalised for deduplication"
    )
    name: str
    email: str = Field(max_length=320)
    phone: str | None = None
    address: str | None = None
    postcode: str = Field(max_length=4)
    birth_year: int
    gender: str = Field(max_length=24)
    attributes: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    motivation: str = ""
    publish_name: bool = False
    wants_updates: bool = Field(
        default=False, description="Agreed on applying to hear what became of the committee's work"
    )
    household_key: str | None = Field(default=None, max_length=16, index=True)
    content_hash: str = Field(max_length=64)
    source: str = Field(description="File and row the current data came from")
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ApplicantProfile(SQLModel, table=True):
    """A profile the applicant picked, with the hard criteria's verdict and its reason."""

    applicant_id: int = Field(foreign_key="applicant.id", primary_key=True, ondelete="CASCADE")
    profile_key: str = Field(primary_key=True, max_length=40)
    eligible: bool
    reason: str


class DuplicateReview(SQLModel, table=True):
    """Two applications with the same name and address but different e-mails, for a person to judge."""

    __table_args__ = (UniqueConstraint("applicant_id", "other_applicant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    applicant_id: int = Field(foreign_key="applicant.id", ondelete="CASCADE")
    other_applicant_id: int = Field(foreign_key="applicant.id", ondelete="CASCADE", index=True)
    resolved: bool = False


class ImportState(StrEnum):
    queued = "queued"  # registered; the import run has not read it yet
    running = "running"
    done = "done"
    refused = "refused"  # the file could not be read: `error` says why, in the user's words


class ImportBatch(SQLModel, table=True):
    """One import of an export file: its rows, and per applicant (unique e-mail) whether it
    was new, updated or unchanged against the state before the import. Prefect sees only its
    ID: the path (which may hold a name) and the error stay here."""

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    file_name: str
    file_path: str = ""
    file_sha256: str = Field(default="", max_length=64)
    state: ImportState = Field(
        default=ImportState.done, sa_column=Column(text_enum(ImportState), nullable=False)
    )
    error: str | None = None
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0
    repeated: int = Field(default=0, description="Rows superseded by a later row, same e-mail")
    imported_at: datetime = timestamp()


class ImportLock(SQLModel, table=True):
    """Held by the one import that may write a committee's applicants; taken over when its
    process is gone or it stopped beating (`recruitment.imports`)."""

    committee_id: int = Field(foreign_key="committee.id", primary_key=True)
    import_id: int = Field(foreign_key="importbatch.id")
    holder: str = Field(description="host:pid of the process running the import")
    beat_at: datetime = timestamp()


class QuarantinedRow(SQLModel, table=True):
    """A rejected row, kept until fixed: where it was, which column, why, and its values
    (with anything that looks like a CPR number removed)."""

    __table_args__ = (UniqueConstraint("committee_id", "raw_hash", "column"),)

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    import_id: int = Field(foreign_key="importbatch.id")
    file_name: str
    row_number: int
    column: str
    reason: str
    raw: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    raw_hash: str = Field(max_length=64)
    email_key: str | None = Field(default=None, max_length=320, index=True)
    person_key: str | None = Field(
        default=None, max_length=16, index=True, description="Name and postcode"
    )
    resolved: bool = False


class SelectionStatus(StrEnum):
    computed = "computed"  # probabilities known, waiting for the public draw
    drawn = "drawn"
    appointed = "appointed"
    superseded = "superseded"


class SelectionRun(SQLModel, table=True):
    """One fair lottery: its inputs (IDs and groups only), the distribution over panels, the
    public seed and the panel drawn — everything `selection verify` needs to redo the draw."""

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    mandate_id: int = Field(foreign_key="mandate.id")
    status: SelectionStatus = Field(
        default=SelectionStatus.computed, sa_type=text_enum(SelectionStatus)
    )
    method: str = Field(max_length=20)
    software_version: str = Field(max_length=40)
    inputs_hash: str = Field(max_length=64)
    inputs: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    distribution: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    probabilities: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))
    seconds: float
    seed: str | None = Field(default=None, max_length=100)
    panel_index: int | None = None
    panel: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    reserves: dict[str, list[str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = timestamp()
    drawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class Appointment(SQLModel, table=True):
    """The council's (KB's) appointment of the members proposed by a selection run."""

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    selection_run_id: int = Field(foreign_key="selectionrun.id")
    meeting_date: date
    agenda_item: int
    amendments: list[dict[str, str]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    flow_run_id: str | None = Field(default=None, max_length=36, unique=True)
    recorded_at: datetime = timestamp()


class MemberRole(StrEnum):
    chair = "chair"
    vice_chair = "vice_chair"
    member = "member"


class Membership(SQLModel, table=True):
    """A seat held: a citizen (by applicant) on a profile, or a politician on behalf of a party.
    Public record: it outlives the applicant's row (`applicant_id` then becomes NULL)."""

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    applicant_id: int | None = Field(
        default=None, foreign_key="applicant.id", ondelete="SET NULL", index=True
    )
    profile_key: str | None = Field(default=None, max_length=40)
    politician_name: str | None = None
    on_behalf_of: str | None = Field(default=None, description="The politician's party")
    email: str | None = Field(
        default=None,
        max_length=320,
        description="A politician's address, from the politicians file",
    )
    role: MemberRole = Field(default=MemberRole.member, sa_type=text_enum(MemberRole))
    start_date: date
    end_date: date | None = None
    end_reason: str | None = None


class OutboxMessage(SQLModel, table=True):
    """A message to one recipient, stored before it is sent; the key makes sending idempotent."""

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    idempotency_key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=40)
    applicant_id: int | None = Field(
        default=None, foreign_key="applicant.id", ondelete="CASCADE", index=True
    )
    to_address: str = Field(max_length=320)
    language: str = Field(max_length=2)
    subject: str
    body_text: str
    body_html: str
    attachment: str | None = Field(default=None, description="Path of a generated file to attach")
    calendar: str | None = Field(
        default=None, description="An iTIP iCalendar object (METHOD:REQUEST/CANCEL) to send along"
    )
    status: str = Field(default="pending", max_length=20, index=True)
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = timestamp()
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class MeetingState(StrEnum):
    planned = "planned"
    invited = "invited"
    held = "held"
    cancelled = "cancelled"


class Meeting(SQLModel, table=True):
    """One committee meeting. `uid` and `sequence` are its iCalendar identity: the UID never
    changes, the sequence goes up with every change sent to the members."""

    __table_args__ = (UniqueConstraint("committee_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    number: int
    uid: str = Field(max_length=80, unique=True)
    sequence: int = 0
    state: MeetingState = Field(default=MeetingState.planned, sa_type=text_enum(MeetingState))
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    location: str
    facilitators: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    agenda: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    minutes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    minutes_approved_at_meeting: int | None = None
    updated_at: datetime = timestamp()


class AttendanceStatus(StrEnum):
    present = "present"
    absent_with_notice = "absent_with_notice"
    absent_without_notice = "absent_no_notice"


class Attendance(SQLModel, table=True):
    """Who was at a meeting, per membership."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    membership_id: int = Field(foreign_key="membership.id", primary_key=True)
    status: AttendanceStatus = Field(sa_type=text_enum(AttendanceStatus))


class RetainedFigures(SQLModel, table=True):
    """What a committee's reports need once its applicants' data is deleted, kept before the
    first deletion: counts only (per profile, target group, age band), and the hash of the
    applicant data as it was, which `selection verify` compares with the lottery's inputs."""

    committee_id: int = Field(foreign_key="committee.id", primary_key=True)
    applicants: int
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    applicant_data_hash: str = Field(default="", max_length=64)
    recorded_at: datetime = timestamp()
