"""The outbox: stored messages sent by SMTP one at a time, each delivered at most once.

A message's `status`:

- ``pending``: stored, not tried yet (or put back by a person with `resolve`).
- ``sending``: claimed by a send run, which is handing it to the SMTP server right now.
- ``sent``: the SMTP server accepted it (`sent_at`).
- ``failed``: the server refused it, or it could not be built; tried again from
  `next_attempt_at` (`send_backoff_seconds` × 2^(attempts−1)).
- ``dead``: refused `send_max_attempts` times; a person must look at it (`resolve`).
- ``unknown``: a run stopped while the message was with the server: the process died between
  the claim and recording the answer (found as ``sending`` at the start of the next run), or
  the connection broke during the SMTP transaction. It may or may not have arrived, so it is
  never resent automatically: a person checks and calls `resolve`.

The rule is *at most once*: a message is claimed in its own committed transaction before the
server hears of it, and marked sent in the next transaction right after the server accepts it.
Only the SMTP transaction itself lies between the two, so a crash can leave at most one
message per run in doubt, and that one is reported rather than sent twice. One sender at a time
per committee: a second run started while another is sending would mark the first one's
in-flight message ``unknown`` (a false alarm, never a double delivery).

E-mail addresses go to the SMTP server only; logs, reports and the webhook get IDs and counts.
The message itself is built in `mail.message`, the SMTP session is `mail.smtp`, and what a run
did is a `mail.report.SendReport`.
"""

import logging
import re
import smtplib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import col, select

from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.mail.message import (
    POLICY,
    build_message,
    redact,
    sender_address,
    sender_name,
)
from opgaveudvalg.mail.report import SendFailure, SendReport
from opgaveudvalg.mail.smtp import REFUSALS, Connection, SmtpUnavailable, describe_error
from opgaveudvalg.mail.webhook import post_webhook
from opgaveudvalg.models import AuditEvent, Committee, OutboxMessage, utcnow
from opgaveudvalg.settings import Settings, get_settings

logger = logging.getLogger(__name__)


class Status(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    dead = "dead"
    unknown = "unknown"


# --- selecting and recording -------------------------------------------------------------------


def _due_clause(now: datetime, max_attempts: int) -> Any:
    waiting = or_(
        col(OutboxMessage.status) == Status.pending.value,
        and_(
            col(OutboxMessage.status) == Status.failed.value,
            col(OutboxMessage.attempts) < max_attempts,
        ),
    )
    timely = or_(
        col(OutboxMessage.next_attempt_at).is_(None), col(OutboxMessage.next_attempt_at) <= now
    )
    return and_(waiting, timely)


def _for_committee(statement: Any, committee_id: int | None) -> Any:
    if committee_id is None:
        return statement
    return statement.where(col(OutboxMessage.committee_id) == committee_id)


def due_ids(committee_id: int | None, now: datetime, max_attempts: int) -> list[int]:
    """IDs of the messages to send now, oldest first."""
    statement = select(OutboxMessage.id).where(_due_clause(now, max_attempts))
    statement = _for_committee(statement, committee_id).order_by(col(OutboxMessage.id))
    with session_scope() as session:
        return [i for i in session.exec(statement) if i is not None]


def _load_due(message_id: int, now: datetime, max_attempts: int) -> OutboxMessage | None:
    statement = select(OutboxMessage).where(
        col(OutboxMessage.id) == message_id, _due_clause(now, max_attempts)
    )
    with session_scope() as session:
        return session.exec(statement).first()


def _update(message_id: int, *conditions: Any, **values: Any) -> bool:
    """One committed UPDATE of one row; True when the row matched the conditions."""
    statement = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, *conditions)
        .values(**values)
    )
    with session_scope() as session:
        return session.connection().execute(statement).rowcount == 1


def _claim(row: OutboxMessage) -> bool:
    """Take the row for this run (committed before SMTP hears of it); False if another run did."""
    assert row.id is not None
    return _update(
        row.id,
        col(OutboxMessage.status) == row.status,
        col(OutboxMessage.attempts) == row.attempts,
        status=Status.sending.value,
        attempts=row.attempts + 1,
    )


def _mark_sent(message_id: int, when: datetime) -> None:
    _update(message_id, status=Status.sent.value, sent_at=when, last_error=None)


def _mark_unknown(message_id: int, error: str) -> None:
    _update(message_id, status=Status.unknown.value, last_error=error)


def _mark_failed(message_id: int, attempts: int, error: str, now: datetime) -> Status:
    """Failed with a later retry, or dead after the last allowed attempt."""
    settings = get_settings()
    if attempts >= settings.send_max_attempts:
        _update(message_id, status=Status.dead.value, last_error=error, next_attempt_at=None)
        return Status.dead
    delay = settings.send_backoff_seconds * 2 ** (attempts - 1)
    _update(
        message_id,
        status=Status.failed.value,
        last_error=error,
        next_attempt_at=now + timedelta(seconds=delay),
    )
    return Status.failed


INTERRUPTED = (
    "afsendelsen blev afbrudt, mens beskeden var hos SMTP-serveren; "
    "kontrollér om modtageren fik den, og afklar den med 'resolve'"
)


def mark_interrupted(committee_id: int | None = None) -> list[int]:
    """Rows left in 'sending' by a run that died become 'unknown' (never resent blindly)."""
    statement = select(OutboxMessage.id).where(col(OutboxMessage.status) == Status.sending.value)
    with session_scope() as session:
        ids = [i for i in session.exec(_for_committee(statement, committee_id)) if i is not None]
    for message_id in ids:
        _update(
            message_id,
            col(OutboxMessage.status) == Status.sending.value,
            status=Status.unknown.value,
            last_error=INTERRUPTED,
        )
        logger.warning("outbox: message %s was interrupted while sending; now unknown", message_id)
    return ids


# --- sending -----------------------------------------------------------------------------------


def send_pending(
    committee_id: int | None = None, dry_run: bool = False, now: datetime | None = None
) -> SendReport:
    """Send the messages that are due (all committees, or one), at most once each.

    `dry_run` writes them as .eml files under `eml_dir` instead and changes nothing in the
    database. A real run first marks messages a dead run left in 'sending' as 'unknown', sends
    the due ones in batches of `send_batch_size` (one SMTP connection each), and stops with
    `report.error` when the server cannot be reached. `now` fixes the clock (tests)."""
    settings = get_settings()
    clock = _fixed_clock(now) if now else utcnow
    report = SendReport(committee_id=committee_id, dry_run=dry_run)
    if dry_run:
        write_eml(committee_id, clock(), report)
        return report
    for message_id in mark_interrupted(committee_id):
        report.add_failure(message_id, Status.unknown, INTERRUPTED)
    ids = due_ids(committee_id, clock(), settings.send_max_attempts)
    for batch in _chunks(ids, settings.send_batch_size):
        try:
            _send_batch(batch, settings, clock, report)
        except SmtpUnavailable as exc:
            report.error = str(exc)
            logger.error("outbox: %s", report.error)
            break
    if settings.webhook_url and (report.sent or report.failures or report.error):
        report.webhook_error = post_webhook(settings.webhook_url, report.summary())
    return report


def _fixed_clock(moment: datetime) -> Callable[[], datetime]:
    fixed = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return lambda: fixed


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _send_batch(
    ids: list[int], settings: Settings, clock: Callable[[], datetime], report: SendReport
) -> None:
    sender = sender_address(settings)
    names = _sender_names(settings)
    with Connection(settings) as connection:
        for message_id in ids:
            _send_one(message_id, sender, names, connection, settings, clock, report)


def _sender_names(settings: Settings) -> dict[int | None, str]:
    """Each committee's From display name, by committee id."""
    with session_scope() as session:
        return {c.id: sender_name(settings, c.title) for c in session.exec(select(Committee))}


def _send_one(
    message_id: int,
    sender: str,
    names: dict[int | None, str],
    connection: Connection,
    settings: Settings,
    clock: Callable[[], datetime],
    report: SendReport,
) -> None:
    """Build, claim, hand to the server, record — one message, each step committed."""
    row = _load_due(message_id, clock(), settings.send_max_attempts)
    if row is None:
        return  # sent or claimed by another run since the list was made
    try:
        message = build_message(row, sender, names.get(row.committee_id, ""))
    except (OSError, ValueError) as exc:
        if _claim(row):
            _record_failure(row, f"kunne ikke danne beskeden: {redact(str(exc))}", clock, report)
        return
    client = connection.ready()  # before the claim: an unreachable server leaves the row as is
    if not _claim(row):
        return
    try:
        client.send_message(message, from_addr=sender, to_addrs=[row.to_address])
    except REFUSALS as exc:
        _record_failure(row, describe_error(exc), clock, report)
        return
    except (smtplib.SMTPException, OSError) as exc:
        connection.drop()
        error = f"forbindelsen til SMTP-serveren afbrød under afsendelsen ({describe_error(exc)})"
        _mark_unknown(message_id, error)
        report.add_failure(message_id, Status.unknown, error)
        logger.warning("outbox: message %s in doubt: %s", message_id, error)
        return
    _mark_sent(message_id, clock())
    report.sent += 1
    logger.info("outbox: message %s sent", message_id)


def _record_failure(
    row: OutboxMessage, error: str, clock: Callable[[], datetime], report: SendReport
) -> None:
    assert row.id is not None
    status = _mark_failed(row.id, row.attempts + 1, error, clock())
    report.add_failure(row.id, status, error)
    logger.warning(
        "outbox: message %s %s (attempt %s): %s", row.id, status, row.attempts + 1, error
    )


# --- dry run -----------------------------------------------------------------------------------


def write_eml(committee_id: int | None, now: datetime, report: SendReport) -> None:
    """Write each due message as <eml_dir>/<committee slug>/<id>-<kind>.eml; no status changes."""
    settings = get_settings()
    sender = sender_address(settings)
    names = _sender_names(settings)
    statement = select(OutboxMessage).where(_due_clause(now, settings.send_max_attempts))
    statement = _for_committee(statement, committee_id).order_by(col(OutboxMessage.id))
    with session_scope() as session:
        rows = list(session.exec(statement))
        slugs = {c.id: c.slug for c in session.exec(select(Committee))}
    for row in rows:
        assert row.id is not None
        try:
            message = build_message(row, sender, names.get(row.committee_id, ""))
        except (OSError, ValueError) as exc:
            error = f"kunne ikke danne beskeden: {redact(str(exc))}"
            report.failures.append(SendFailure(row.id, row.status, error))
            continue
        kind = re.sub(r"[^A-Za-z0-9_-]+", "_", row.kind)
        target = settings.eml_dir / slugs[row.committee_id] / f"{row.id}-{kind}.eml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(message.as_bytes(policy=POLICY))
        report.written.append(str(target))


# --- for people --------------------------------------------------------------------------------


def status_counts(committee_id: int | None = None) -> dict[str, int]:
    """How many messages have each status."""
    statement = _for_committee(select(OutboxMessage.status), committee_id)
    counts: dict[str, int] = {}
    with session_scope() as session:
        for status in session.exec(statement):
            counts[status] = counts.get(status, 0) + 1
    return counts


RESOLVABLE = (Status.unknown, Status.dead, Status.failed)


def resolve(message_id: int, delivered: bool, actor: str, reason: str) -> Status:
    """A person's verdict on an 'unknown', 'dead' or 'failed' message: it arrived (→ sent) or it
    did not (→ pending, attempts reset, sent by the next run). Written to the audit log."""
    with session_scope() as session:
        row = session.get(OutboxMessage, message_id)
        if row is None:
            raise UserError(f"Der er ingen besked med id {message_id} i udbakken.")
        if row.status not in RESOLVABLE:
            raise UserError(
                f"Besked {message_id} har status '{row.status}'; kun beskeder med status "
                "'unknown', 'dead' eller 'failed' kan afklares."
            )
        old = row.status
        new = Status.sent if delivered else Status.pending
        row.status = new.value
        row.sent_at = utcnow() if delivered else None
        row.attempts = row.attempts if delivered else 0
        row.next_attempt_at = None
        row.last_error = None
        session.add(row)
        session.add(
            AuditEvent(
                committee_id=row.committee_id,
                actor=actor,
                action="outbox.resolve",
                reason=reason,
                details={"message_id": message_id, "from": old, "to": new.value},
            )
        )
    return new
