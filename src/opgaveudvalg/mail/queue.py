"""Putting a message in the outbox: one row per recipient and idempotency key, sent later."""

from html import escape

from sqlmodel import Session, select

from opgaveudvalg.models import OutboxMessage


def queued(session: Session, key: str) -> OutboxMessage | None:
    return session.exec(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).first()


def enqueue(
    session: Session,
    *,
    committee_id: int,
    key: str,
    kind: str,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str,
    applicant_id: int | None = None,
    language: str = "da",
    attachment: str | None = None,
    calendar: str | None = None,
) -> OutboxMessage:
    """The message with this key: queued now unless it already is, so a step that runs again
    never queues a second copy."""
    existing = queued(session, key)
    if existing is not None:
        return existing
    message = OutboxMessage(
        committee_id=committee_id,
        idempotency_key=key,
        kind=kind,
        applicant_id=applicant_id,
        to_address=to_address,
        language=language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachment=attachment,
        calendar=calendar,
    )
    session.add(message)
    return message


def enqueue_note(
    session: Session,
    *,
    committee_id: int,
    key: str,
    kind: str,
    to_address: str,
    subject: str,
    text: str,
) -> OutboxMessage:
    """A plain Danish note (e.g. a reminder to the secretariat), queued like any message."""
    return enqueue(
        session,
        committee_id=committee_id,
        key=key,
        kind=kind,
        to_address=to_address,
        subject=subject,
        body_text=text,
        body_html=plain_html(subject, text),
    )


def plain_html(subject: str, text: str) -> str:
    """A plain Danish text as the HTML part of a mail: paragraphs at blank lines."""
    paragraphs = escape(text).replace("\n\n", "</p><p>").replace("\n", "<br>")
    return (
        f'<html lang="da"><head><title>{escape(subject)}</title></head>'
        f"<body><p>{paragraphs}</p></body></html>"
    )
