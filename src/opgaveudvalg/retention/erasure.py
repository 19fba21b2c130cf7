"""The deletions themselves, shared by the schedule and a person's erasure: an applicant with
everything hanging on it, a member's contact data (the membership stays: it is public record),
and the files under the output folder and the mail folder that hold their data."""

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.mail.outbox import Status
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import Settings

ERASED = "slettet"


def applicant_files(settings: Settings, slug: str, applicant_id: int) -> list[Path]:
    """The letters to one applicant: `breve/<kind>/<id>.*` and the feedback letters."""
    letters = CommitteeFiles.of(settings.output_dir, slug).letters()
    return [
        *letters.glob(f"*/{applicant_id}.*"),
        *letters.glob(f"tilbagemelding/*/ansoeger-{applicant_id}.*"),
    ]


def mail_files(settings: Settings, slug: str, message_ids: list[int]) -> list[Path]:
    """The dry run's copies of these outbox messages (`<eml_dir>/<slug>/<id>-<kind>.eml`)."""
    folder = settings.eml_dir / slug
    return [path for message_id in message_ids for path in folder.glob(f"{message_id}-*.eml")]


def messages_of(session: Session, applicant_id: int) -> list[int]:
    query = select(models.OutboxMessage.id).where(models.OutboxMessage.applicant_id == applicant_id)
    return [i for i in session.exec(query) if i is not None]


def files_of(session: Session, settings: Settings, slug: str, applicant_id: int) -> list[Path]:
    """The files that hold an applicant's data: letters and the dry run's mail copies."""
    return [
        *applicant_files(settings, slug, applicant_id),
        *mail_files(settings, slug, messages_of(session, applicant_id)),
    ]


def delete_applicant(session: Session, applicant: models.Applicant) -> None:
    """The application with its profile choices, review flags and messages."""
    for statement in (
        delete(models.ApplicantProfile).where(
            col(models.ApplicantProfile.applicant_id) == applicant.id
        ),
        delete(models.DuplicateReview).where(
            or_(
                col(models.DuplicateReview.applicant_id) == applicant.id,
                col(models.DuplicateReview.other_applicant_id) == applicant.id,
            )
        ),
        delete(models.OutboxMessage).where(col(models.OutboxMessage.applicant_id) == applicant.id),
    ):
        session.exec(statement)
    session.delete(applicant)


def public_name(applicant: models.Applicant, profile_label: str | None) -> str:
    """What the public record keeps of a member: the name where publication was allowed."""
    if applicant.publish_name:
        return applicant.name
    return f"borger, profil {profile_label}" if profile_label else "borger"


def erase_contact_data(
    session: Session, applicant: models.Applicant, profile_label: str | None, on: date
) -> None:
    """Keep only the public record of a member: the name (or "borger, profil X"); e-mail,
    phone, address, birth year, answers and motivation go, and so do their messages' bodies."""
    assert applicant.id is not None
    applicant.name = public_name(applicant, profile_label)
    applicant.email = ""
    applicant.email_key = f"{ERASED}-{applicant.id}"
    applicant.phone = None
    applicant.address = None
    applicant.postcode = ""
    applicant.birth_year = 0
    applicant.gender = ""
    applicant.attributes = {}
    applicant.motivation = ""
    applicant.wants_updates = False
    applicant.household_key = None
    applicant.content_hash = ""
    applicant.source = f"{ERASED} {on.isoformat()}"
    session.add(applicant)
    session.exec(
        delete(models.ApplicantProfile).where(
            col(models.ApplicantProfile.applicant_id) == applicant.id
        )
    )
    clear_messages(session, messages_of(session, applicant.id))


def clear_messages(session: Session, message_ids: list[int]) -> None:
    """Blank a message's address and content; its kind and dates stay as the record that it
    was (or now never will be) sent."""
    for message_id in message_ids:
        message = session.get(models.OutboxMessage, message_id)
        if message is None or message.to_address == "":
            continue
        if message.status not in (Status.sent, Status.dead):
            message.status = Status.dead.value
            message.next_attempt_at = None
        message.to_address = ""
        message.subject = ""
        message.body_text = ""
        message.body_html = ""
        message.attachment = None
        message.calendar = None
        message.last_error = None
        session.add(message)


def is_erased(applicant: models.Applicant) -> bool:
    return applicant.email_key.startswith(f"{ERASED}-")


def count_files(paths: list[Path]) -> int:
    return sum(
        1 if p.is_file() else sum(1 for f in p.rglob("*") if f.is_file())
        for p in paths
        if p.exists()
    )


def remove(paths: list[Path]) -> None:
    """Remove files and folders; those already gone were removed by an earlier run."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
