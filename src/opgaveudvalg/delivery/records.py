"""The delivery's tables: the handover as submitted, each body's decision on each
recommendation, and what became of each recommendation afterwards."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from opgaveudvalg.models import text_enum, timestamp


class Body(StrEnum):
    """Who decides on the recommendations, in the order they do."""

    standing_committee = "fagudvalg"
    council = "kb"


class Outcome(StrEnum):
    """A body's decision on one recommendation."""

    followed = "følges"
    partly = "følges-delvist"
    not_followed = "følges-ikke"
    budget = "budgetforhandlinger"
    to_council = "sendes-til-kb"


class FollowUpStatus(StrEnum):
    decided = "besluttet"
    under_way = "i-gang"
    carried_out = "gennemført"
    dropped = "opgivet"


class Handover(SQLModel, table=True):
    """The committee's handover file as last submitted (validated, as JSON): recommendations,
    tasks left unanswered and why, the work recorded, the members' evaluation as aggregates."""

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", unique=True)
    source_file: str
    content_hash: str = Field(max_length=64)
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    submitted_at: datetime = timestamp()
    delivered_on: date | None = None


class ConsultationDecision(SQLModel, table=True):
    """One body's recorded decision on one recommendation (OParl Consultation)."""

    __table_args__ = (UniqueConstraint("committee_id", "body", "recommendation"),)

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    body: Body = Field(sa_type=text_enum(Body))
    recommendation: int = Field(description="The recommendation's number")
    outcome: Outcome = Field(sa_type=text_enum(Outcome))
    reason: str = Field(description="Why, in public words")
    proposal: Outcome | None = Field(
        default=None,
        sa_type=text_enum(Outcome),
        description="The standing committee's proposal to KB, when it sends it there",
    )
    meeting_date: date
    agenda_item: int
    case_number: str = Field(max_length=40)
    flow_run_id: str | None = Field(default=None, max_length=36)
    recorded_at: datetime = timestamp()


class FollowUp(SQLModel, table=True):
    """One step in what became of a recommendation: its status from `on`, a short public
    text, the unit responsible and when to look at it again."""

    id: int | None = Field(default=None, primary_key=True)
    committee_id: int = Field(foreign_key="committee.id", index=True)
    recommendation: int
    status: FollowUpStatus = Field(sa_type=text_enum(FollowUpStatus))
    on: date
    text: str
    unit: str
    next_review: date | None = None
    reminded_on: date | None = None
    recorded_at: datetime = timestamp()
