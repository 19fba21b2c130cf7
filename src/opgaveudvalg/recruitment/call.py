"""The public call (opslag): opening it, and closing it at the deadline or on command."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from opgaveudvalg import documents, models
from opgaveudvalg.committee import (
    audit,
    current_mandate,
    decision_for,
    latest_mandate,
    mandate_content,
    transition,
)
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import Settings

CLOSE_REQUESTED = "recruitment.close_requested"


@dataclass(frozen=True)
class CallInfo:
    """What the public call says beyond the mandate itself (render context `call`)."""

    deadline: date
    how_to_apply: str
    questions: list[str]
    postcodes: list[str]
    min_age: int
    retention_unselected_months: int
    retention_members_months: int
    secretariat_email: str
    dpo_email: str


def call_info(mandate: Mandate, settings: Settings) -> CallInfo:
    return CallInfo(
        mandate.rekruttering.ansøgningsfrist,
        mandate.rekruttering.ansøgning,
        mandate.balance_categories,
        settings.postcodes,
        settings.applicant_min_age,
        settings.retention_unselected_months,
        settings.retention_members_months,
        settings.secretariat_email,
        settings.dpo_email,
    )


def open_call(
    session: Session, committee: models.Committee, settings: Settings, actor: str
) -> list[Path]:
    """Move a mandated committee to `recruiting` and render its call; again if already open."""
    if committee.status == models.CommitteeStatus.mandated:
        transition(session, committee, models.CommitteeStatus.recruiting, actor, "opslag åbnet")
    row = latest_mandate(session, committee.id)  # type: ignore[arg-type]
    decision = decision_for(session, row.id)  # type: ignore[arg-type, union-attr]
    mandate = mandate_content(row)  # type: ignore[arg-type]
    meta = documents.DocumentMeta(
        "opslag",
        mandate.titel,
        settings.municipality,
        row.version,  # type: ignore[union-attr]
        date.today(),  # the call is dated the day it is published
        decision.case_number if decision else None,
        "da",
        approved=True,
    )
    return documents.write_in_languages(
        "opslag",
        meta,
        CommitteeFiles.of(settings.output_dir, mandate.slug).call,
        ("da", "en"),
        ("html", "pdf", "txt"),
        mandate=mandate,
        call=call_info(mandate, settings),
    )


def request_close(session: Session, committee: models.Committee, actor: str) -> None:
    """Ask the waiting recruitment flow to close the call before the deadline."""
    if committee.status != models.CommitteeStatus.recruiting:
        raise UserError(f"'{committee.slug}' rekrutterer ikke (status '{committee.status.value}')")
    audit(session, committee.id, actor, CLOSE_REQUESTED)


def close_requested(session: Session, committee: models.Committee) -> bool:
    """Whether someone asked to close the call early (`opgaveudvalg recruitment close`)."""
    return (
        session.exec(
            select(models.AuditEvent.id).where(
                models.AuditEvent.committee_id == committee.id,
                models.AuditEvent.action == CLOSE_REQUESTED,
            )
        ).first()
        is not None
    )


def close_reason(session: Session, committee: models.Committee, today: date) -> str | None:
    """Why the call is closed now: the deadline has passed or a close was requested; else None."""
    if today > current_mandate(session, committee).rekruttering.ansøgningsfrist:
        return "ansøgningsfristen er udløbet"
    if close_requested(session, committee):
        return "lukket på kommando"
    return None


def close_recruitment(
    session: Session, committee: models.Committee, actor: str, reason: str
) -> None:
    """Hand the committee to selection."""
    transition(session, committee, models.CommitteeStatus.selecting, actor, reason)
