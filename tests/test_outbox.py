"""The outbox against a real SMTP server (aiosmtpd on 127.0.0.1): MIME structure, one recipient per
message, at-most-once delivery across reruns and killed processes, refusals with backoff, dry
runs as .eml files and the webhook summary."""

import email
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from helpers import (
    Mailbox,
    add_messages,
    address,
    free_port,
    new_committee,
    rows,
    start_smtp,
    statuses,
)
from sqlmodel import select

from opgaveudvalg import models
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.mail import outbox
from opgaveudvalg.mail.message import POLICY, build_message, message_id
from opgaveudvalg.settings import PROJECT_ROOT, get_settings

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
SENDER = "opgaveudvalg@gentofte.dk"  # the secretariat's mailbox in config/settings.toml


def invitation(method: str = "REQUEST") -> str:
    return "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//opgaveudvalg//test//DA",
            f"METHOD:{method}",
            "BEGIN:VEVENT",
            "UID:moede-1@opgaveudvalg.gentofte.dk",
            "SEQUENCE:0",
            "DTSTAMP:20270301T090000Z",
            "DTSTART:20270315T160000Z",
            "DTEND:20270315T180000Z",
            "SUMMARY:Møde 1 i opgaveudvalget",
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )


def aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


# --- MIME ----------------------------------------------------------------------------------------


def test_mime_structure_one_recipient_and_stable_message_id(smtp: Mailbox, tmp_path: Path) -> None:
    committee_id = new_committee()
    letter = tmp_path / "brev.pdf"
    letter.write_bytes(b"%PDF-1.4 test")
    [plain] = add_messages(committee_id, range(1, 2))
    [invited] = add_messages(committee_id, range(2, 3), calendar=invitation(), kind="moede")
    [attached] = add_messages(committee_id, range(3, 4), attachment=str(letter))

    report = outbox.send_pending()

    assert (report.sent, report.ok) == (3, True)
    assert len(smtp.messages) == 3
    everyone = {address(n) for n in (1, 2, 3)}
    delivered = {}
    for (mail_from, rcpts, raw), parsed in zip(smtp.messages, smtp.parsed(), strict=True):
        [recipient] = rcpts
        assert mail_from == SENDER
        assert parsed["To"] == recipient
        assert parsed["From"] == f"Gentofte Kommune – Ny svømmehal <{SENDER}>"
        for other in everyone - {recipient}:
            assert other.encode() not in raw
        for header in ("Cc", "Bcc", "Reply-To"):
            assert parsed[header] is None
        delivered[recipient] = parsed
    by_id = rows()

    message = delivered[address(1)]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert "text/calendar" not in {p.get_content_type() for p in message.walk()}
    assert message["Subject"] == "Brev nr. 1 – æøå"
    assert message.get_body(("plain",)).get_content().startswith("Kære borger 1")  # type: ignore[union-attr]
    assert message["Message-ID"] == message_id(by_id[plain].idempotency_key, SENDER)
    assert message["Message-ID"].endswith("@opgaveudvalg.gentofte.dk>")
    rebuilt = build_message(by_id[plain], SENDER)
    assert rebuilt["Message-ID"] == message["Message-ID"]
    assert rebuilt["Date"] == message["Date"]

    message = delivered[address(2)]
    assert message.get_content_type() == "multipart/mixed"
    alternative, ics = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    parts = list(alternative.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
    assert parts[2].get_param("method") == "REQUEST"
    assert parts[2].get_content_charset() == "utf-8"
    assert "SUMMARY:Møde 1 i opgaveudvalget" in parts[2].get_content()
    assert (ics.get_content_type(), ics.get_filename()) == ("application/ics", "invite.ics")
    assert b"METHOD:REQUEST" in ics.get_content()
    assert by_id[invited].status == "sent"

    message = delivered[address(3)]
    [file] = list(message.iter_attachments())
    assert (file.get_content_type(), file.get_filename()) == ("application/pdf", "brev.pdf")
    assert file.get_content() == b"%PDF-1.4 test"
    assert by_id[attached].status == "sent"


def test_a_cancellation_carries_method_cancel() -> None:
    row = models.OutboxMessage(
        id=1,
        committee_id=1,
        idempotency_key="aflysning",
        kind="moede-aflyst",
        to_address=address(1),
        language="da",
        subject="Aflyst",
        body_text="Mødet er aflyst.",
        body_html="<p>Mødet er aflyst.</p>",
        calendar=invitation("CANCEL"),
    )
    message = build_message(row, SENDER)
    [calendar] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "CANCEL"


def test_a_danish_subject_survives_the_round_trip() -> None:
    subject = "Aflyst: Opgaveudvalget for en ny svømmehal – møde 5"
    row = models.OutboxMessage(
        id=1,
        committee_id=1,
        idempotency_key="emne",
        kind="moede-cancel",
        to_address=address(1),
        language="da",
        subject=subject,
        body_text="Mødet er aflyst.",
        body_html="<p>Mødet er aflyst.</p>",
    )
    raw = build_message(row, SENDER).as_bytes(policy=POLICY)
    assert email.message_from_bytes(raw, policy=policy.default)["Subject"] == subject


@pytest.mark.parametrize("to_address", [f"{address(1)}, {address(2)}", "ikke-en-adresse"])
def test_a_row_that_is_not_one_address_is_never_sent(smtp: Mailbox, to_address: str) -> None:
    committee_id = new_committee()
    [row_id] = add_messages(committee_id, range(1, 2), to_address=to_address)
    report = outbox.send_pending(now=T0)
    assert smtp.messages == []
    assert statuses() == {row_id: "failed"}
    assert "ikke én gyldig e-mailadresse" in report.failures[0].error


# --- at most once ----------------------------------------------------------------------------------


def test_sending_twice_delivers_each_message_once(
    smtp: Mailbox, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_SEND_BATCH_SIZE", "3")  # three SMTP connections for seven
    get_settings.cache_clear()
    committee_id = new_committee()
    ids = add_messages(committee_id, range(1, 8))
    first = outbox.send_pending(committee_id)
    second = outbox.send_pending(committee_id)
    assert (first.sent, second.sent, second.ok) == (7, 0, True)
    assert smtp.per_recipient() == {address(n): 1 for n in range(1, 8)}
    assert set(statuses().values()) == {"sent"}
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows().values())
    assert len(ids) == 7


def test_only_the_chosen_committee_is_sent(smtp: Mailbox) -> None:
    first, second = new_committee("a"), new_committee("b")
    add_messages(first, range(1, 3))
    add_messages(second, range(3, 5))
    assert outbox.send_pending(first).sent == 2
    assert smtp.per_recipient() == {address(1): 1, address(2): 1}
    assert outbox.status_counts(second) == {"pending": 2}


CRASHING_SENDER = """
import os, smtplib, sys
from opgaveudvalg.mail import outbox

k, where = int(sys.argv[1]), sys.argv[2]
calls = 0

def counted(original, before):
    def hooked(*args, **kwargs):
        global calls
        calls += 1
        if before and calls == k:
            os._exit(1)
        result = original(*args, **kwargs)
        if not before and calls == k:
            os._exit(1)
        return result
    return hooked

if where == "after-commit":      # the k-th 'sent' is committed, the process dies
    outbox._mark_sent = counted(outbox._mark_sent, before=False)
elif where == "after-accept":    # the server accepted the k-th, 'sent' not yet committed
    smtplib.SMTP.send_message = counted(smtplib.SMTP.send_message, before=False)
elif where == "before-send":     # the k-th is claimed, the server has not heard of it
    smtplib.SMTP.send_message = counted(smtplib.SMTP.send_message, before=True)
outbox.send_pending()
"""


def crash_sender(k: int, where: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_SENDER, str(k), where],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr


def test_a_sender_killed_between_messages_resumes_without_doubles(
    smtp: Mailbox, database_url: str
) -> None:
    committee_id = new_committee()
    ids = add_messages(committee_id, range(1, 6))
    crash_sender(2, "after-commit")
    assert smtp.per_recipient() == {address(1): 1, address(2): 1}
    assert list(statuses().values()) == ["sent", "sent", "pending", "pending", "pending"]

    report = outbox.send_pending()

    assert (report.sent, report.unknown, report.ok) == (3, 0, True)
    assert smtp.per_recipient() == {address(n): 1 for n in range(1, 6)}
    assert statuses() == dict.fromkeys(ids, "sent")


def test_a_sender_killed_after_acceptance_leaves_the_message_unknown(
    smtp: Mailbox, database_url: str
) -> None:
    committee_id = new_committee()
    ids = add_messages(committee_id, range(1, 6))
    crash_sender(3, "after-accept")
    assert smtp.per_recipient() == {address(n): 1 for n in (1, 2, 3)}
    assert statuses()[ids[2]] == "sending"

    report = outbox.send_pending()
    again = outbox.send_pending()

    assert (report.sent, report.unknown) == (2, 1)
    assert [(f.message_id, f.status) for f in report.failures] == [(ids[2], "unknown")]
    assert "@" not in json.dumps(report.as_dict())
    assert (again.sent, again.unknown, again.ok) == (0, 0, True)
    assert smtp.per_recipient() == {address(n): 1 for n in range(1, 6)}
    assert statuses() == {**dict.fromkeys(ids, "sent"), ids[2]: "unknown"}


def test_a_sender_killed_before_transmission_never_sends_twice(smtp: Mailbox) -> None:
    """At most once: the claimed message is in doubt, so it waits for a person."""
    committee_id = new_committee()
    ids = add_messages(committee_id, range(1, 4))
    crash_sender(2, "before-send")
    report = outbox.send_pending()
    assert (report.sent, report.unknown) == (1, 1)
    assert smtp.per_recipient() == {address(1): 1, address(3): 1}

    assert outbox.resolve(ids[1], False, "sekretariat", "ikke modtaget") == "pending"
    assert outbox.send_pending().sent == 1
    assert smtp.per_recipient() == {address(n): 1 for n in range(1, 4)}
    with session_scope() as session:
        [event] = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "outbox.resolve")
        )
        assert event.details == {"message_id": ids[1], "from": "unknown", "to": "pending"}


def test_resolve_refuses_a_message_that_was_sent(smtp: Mailbox) -> None:
    [row_id] = add_messages(new_committee(), range(1, 2))
    outbox.send_pending()
    with pytest.raises(UserError, match="har status 'sent'"):
        outbox.resolve(row_id, False, "sekretariat", "fejl")
    with pytest.raises(UserError, match="ingen besked med id 999"):
        outbox.resolve(999, True, "sekretariat", "fejl")


# --- refusals and an unreachable server ------------------------------------------------------------


def test_a_refused_recipient_is_retried_with_backoff_then_dead(
    smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_SEND_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("OPGAVEUDVALG_SEND_BACKOFF_SECONDS", "60")
    get_settings.cache_clear()
    ids = add_messages(new_committee(), range(1, 4))
    smtp.refuse = {address(2)}

    report = outbox.send_pending(now=T0)

    assert (report.sent, report.failed, report.dead) == (2, 1, 0)
    [failure] = report.failures
    assert (failure.message_id, failure.status) == (ids[1], "failed")
    assert failure.error.startswith("550 5.1.1 <[adresse]>")
    assert "@" not in json.dumps(report.as_dict())
    row = rows()[ids[1]]
    assert (row.status, row.attempts) == ("failed", 1)
    assert aware(row.next_attempt_at) == T0 + timedelta(seconds=60)
    assert row.last_error is not None and "@" not in row.last_error

    assert outbox.send_pending(now=T0 + timedelta(seconds=59)).failures == []  # not due yet
    second = outbox.send_pending(now=T0 + timedelta(seconds=60))
    assert (second.failed, rows()[ids[1]].attempts) == (1, 2)
    assert aware(rows()[ids[1]].next_attempt_at) == T0 + timedelta(seconds=60 + 120)
    third = outbox.send_pending(now=T0 + timedelta(seconds=180))
    assert (third.failed, third.dead, third.failures[0].status) == (0, 1, "dead")
    assert outbox.send_pending(now=T0 + timedelta(days=30)).failures == []
    assert statuses() == {ids[0]: "sent", ids[1]: "dead", ids[2]: "sent"}
    assert smtp.per_recipient() == {address(1): 1, address(3): 1}

    smtp.refuse = set()
    outbox.resolve(ids[1], False, "sekretariat", "adressen er rettet hos modtageren")
    assert outbox.send_pending(now=T0 + timedelta(days=31)).sent == 1
    assert smtp.per_recipient() == {address(n): 1 for n in range(1, 4)}


def test_an_unreachable_server_stops_the_run_and_claims_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_PORT", str(free_port()))
    get_settings.cache_clear()
    ids = add_messages(new_committee(), range(1, 3))
    report = outbox.send_pending()
    assert report.error is not None and "SMTP-serveren 127.0.0.1" in report.error
    assert not report.ok
    assert {(row.status, row.attempts) for row in rows().values()} == {("pending", 0)}
    assert len(ids) == 2


def test_login_when_a_username_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    def authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"hemmelig"
        return AuthResult(success=ok, handled=False)

    mailbox, controller = start_smtp(
        monkeypatch, authenticator=authenticate, auth_require_tls=False
    )
    try:
        add_messages(new_committee(), range(1, 2))
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_USERNAME", "opgaveudvalg")
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_ALLOW_PLAINTEXT_LOGIN", "true")  # 127.0.0.1 only
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_PASSWORD", "forkert")
        get_settings.cache_clear()
        refused = outbox.send_pending()
        assert refused.error is not None and "535" in refused.error
        assert "forkert" not in refused.error
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_PASSWORD", "hemmelig")
        get_settings.cache_clear()
        assert outbox.send_pending().sent == 1
        assert mailbox.per_recipient() == {address(1): 1}
    finally:
        controller.stop()


# --- dry run -----------------------------------------------------------------------------------------


def test_a_dry_run_writes_eml_files_and_sends_nothing(smtp: Mailbox) -> None:
    committee_id = new_committee()
    ids = add_messages(committee_id, range(1, 3), kind="brev-udpeget")
    [invited] = add_messages(committee_id, range(3, 4), kind="moede", calendar=invitation())

    report = outbox.send_pending(dry_run=True)

    folder = get_settings().eml_dir / "ny-svoemmehal"
    expected = [folder / f"{i}-brev-udpeget.eml" for i in ids] + [folder / f"{invited}-moede.eml"]
    assert report.written == [str(path) for path in expected]
    assert (report.sent, report.dry_run) == (0, True)
    assert smtp.messages == []
    assert set(statuses().values()) == {"pending"}
    for n, path in enumerate(expected, start=1):
        parsed = email.message_from_bytes(
            path.read_bytes(), _class=EmailMessage, policy=email.policy.default
        )
        assert parsed["To"] == address(n)
        assert parsed.get_body(("plain",)).get_content().startswith(f"Kære borger {n}")  # type: ignore[union-attr]
    assert outbox.send_pending().sent == 3  # a real run afterwards still sends them


def test_a_dry_run_prints_kinds_recipients_and_subjects_not_a_dict_or_bodies(smtp: Mailbox) -> None:
    from opgaveudvalg.cli.mail import report_lines

    committee_id = new_committee()
    add_messages(committee_id, range(1, 4), kind="brev-udpeget")
    add_messages(committee_id, range(4, 5), kind="moede", calendar=invitation())

    lines = report_lines(outbox.send_pending(dry_run=True))

    assert lines == [
        "Prøvekørsel – intet er sendt: 4 beskeder skrevet som .eml-filer",
        "  brev-udpeget: 3 modtagere – emne 'Brev nr. 1 – æøå', 'Brev nr. 2 – æøå' og 1 andre emner",
        "  moede: 1 modtagere – emne 'Brev nr. 4 – æøå'",
        f"  i {get_settings().eml_dir}",
    ]
    assert not any("Kære" in line or "{" in line for line in lines)


# --- webhook -----------------------------------------------------------------------------------------


class Hook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    server = HTTPServer(("127.0.0.1", 0), Hook)
    Hook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OPGAVEUDVALG_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
    get_settings.cache_clear()
    yield Hook.received
    server.shutdown()
    server.server_close()


def test_the_webhook_gets_the_summary(smtp: Mailbox, webhook: list[dict[str, Any]]) -> None:
    committee_id = new_committee()
    add_messages(committee_id, range(1, 4))
    smtp.refuse = {address(3)}
    report = outbox.send_pending(committee_id, now=T0)
    assert report.webhook_error is None
    assert webhook == [
        {"committee_id": committee_id, "sent": 2, "failed": 1, "dead": 0, "unknown": 0}
    ]
    outbox.send_pending(committee_id, now=T0)  # nothing due: no post
    outbox.send_pending(committee_id, dry_run=True, now=T0 + timedelta(hours=1))
    assert len(webhook) == 1


def test_a_failing_webhook_does_not_fail_the_run(
    smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_WEBHOOK_URL", f"http://127.0.0.1:{free_port()}/hook")
    get_settings.cache_clear()
    add_messages(new_committee(), range(1, 2))
    report = outbox.send_pending()
    assert report.sent == 1
    assert report.webhook_error == "webhooken kunne ikke nås (ConnectError)"
