"""Failed sends are visible: `opgaveudvalg outbox send` ends with exit code 1 and one 'fejl:' line
saying what went wrong and what to do whenever something due was not delivered (the SMTP server
unreachable, the login refused, a message failed, dead or in doubt), and 0 only when everything
went out. Against a real SMTP server (aiosmtpd on 127.0.0.1); the CLI runs as its own process."""

import subprocess
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from helpers import (
    Mailbox,
    add_messages,
    address,
    free_port,
    new_committee,
    opgaveudvalg,
    self_signed_tls,
    start_smtp,
    statuses,
)
from sqlalchemy import update

from opgaveudvalg import models
from opgaveudvalg.db import session_scope
from opgaveudvalg.mail import outbox
from opgaveudvalg.settings import get_settings


def fejl_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one 'fejl:' line, and no traceback."""
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("fejl:")]
    return line


def test_everything_sent_exits_0(smtp: Mailbox) -> None:
    add_messages(new_committee(), range(1, 3))
    result = opgaveudvalg("outbox", "send")
    assert result.returncode == 0, result.stderr
    assert "sendt 2, afvist 0, opgivet 0, i tvivl 0" in result.stdout
    assert result.stderr == ""
    assert smtp.per_recipient() == {address(1): 1, address(2): 1}
    assert opgaveudvalg("outbox", "send").returncode == 0  # nothing due is not a failure


def test_an_unreachable_server_exits_1_and_names_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_PORT", str(port))
    ids = add_messages(new_committee(), range(1, 3))

    result = opgaveudvalg("outbox", "send")

    assert result.returncode == 1
    line = fejl_line(result)
    assert line.startswith(f"fejl: SMTP-serveren 127.0.0.1:{port} kan ikke nås: ")
    assert "kontrollér smtp_host, smtp_port" in line
    assert "sendt 0," in result.stdout
    assert statuses() == dict.fromkeys(ids, "pending")


def test_a_refused_login_exits_1_and_names_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        return AuthResult(success=False, handled=False)

    mailbox, controller = start_smtp(monkeypatch, authenticator=refuse, auth_require_tls=False)
    try:
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_USERNAME", "opgaveudvalg")
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_PASSWORD", "forkert")
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_ALLOW_PLAINTEXT_LOGIN", "true")  # 127.0.0.1 only
        ids = add_messages(new_committee(), range(1, 2))

        result = opgaveudvalg("outbox", "send")

        assert result.returncode == 1
        line = fejl_line(result)
        assert f"SMTP-serveren 127.0.0.1:{controller.port} afviste login: 535" in line
        assert "kontrollér smtp_username og smtp_password" in line
        assert "forkert" not in result.stdout + result.stderr
        assert mailbox.messages == []
        assert statuses() == dict.fromkeys(ids, "pending")
    finally:
        controller.stop()


def test_a_refused_message_fails_then_dies_and_a_person_sends_it_again(
    smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_SEND_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("OPGAVEUDVALG_SEND_BACKOFF_SECONDS", "0")
    ids = add_messages(new_committee(), range(1, 3))
    smtp.refuse = {address(2)}

    first = opgaveudvalg("outbox", "send")
    assert first.returncode == 1
    assert "sendt 1, afvist 1, opgivet 0" in first.stdout
    assert f"besked {ids[1]} (afvist (failed)): 550 5.1.1 <[adresse]>" in first.stdout
    assert f"1 afvist (failed, id {ids[1]}); de prøves igen" in fejl_line(first)

    second = opgaveudvalg("outbox", "send")
    assert second.returncode == 1
    assert "sendt 0, afvist 0, opgivet 1" in second.stdout
    line = fejl_line(second)
    assert f"1 opgivet (dead, id {ids[1]})" in line
    assert "'opgaveudvalg outbox resolve ID --not-delivered'" in line
    assert "@" not in first.stdout + first.stderr + second.stdout + second.stderr

    smtp.refuse = set()
    resolved = opgaveudvalg(
        "outbox", "resolve", str(ids[1]), "--not-delivered", "--reason", "adressen er rettet"
    )
    assert resolved.returncode == 0, resolved.stderr
    assert f"Besked {ids[1]} har nu status venter (pending)" in resolved.stdout
    third = opgaveudvalg("outbox", "send")
    assert third.returncode == 0, third.stderr
    assert smtp.per_recipient() == {address(1): 1, address(2): 1}


def test_a_message_in_doubt_exits_1_and_points_to_resolve(smtp: Mailbox) -> None:
    [row_id] = add_messages(new_committee(), range(1, 2))
    with session_scope() as session:  # as a run killed during the SMTP transaction leaves it
        session.connection().execute(
            update(models.OutboxMessage).values(status="sending", attempts=1)
        )

    result = opgaveudvalg("outbox", "send")

    assert result.returncode == 1
    assert "i tvivl 1" in result.stdout
    line = fejl_line(result)
    assert f"1 i tvivl (unknown, id {row_id})" in line
    assert "'opgaveudvalg outbox resolve ID --delivered' eller '--not-delivered'" in line
    resolved = opgaveudvalg("outbox", "resolve", str(row_id), "--delivered", "--reason", "modtaget")
    assert resolved.returncode == 0, resolved.stderr
    assert opgaveudvalg("outbox", "send").returncode == 0
    assert smtp.messages == []  # never sent twice
    assert statuses() == {row_id: "sent"}


def test_resolve_of_an_unknown_id_is_a_one_line_error() -> None:
    result = opgaveudvalg("outbox", "resolve", "999", "--delivered", "--reason", "fejl")
    assert result.returncode == 1
    assert fejl_line(result) == "fejl: Der er ingen besked med id 999 i udbakken."


def test_a_dry_run_with_a_message_that_cannot_be_built_is_a_problem(smtp: Mailbox) -> None:
    add_messages(new_committee(), range(1, 2))
    [broken] = add_messages(new_committee("b"), range(2, 3), to_address="ikke-en-adresse")
    report = outbox.send_pending(dry_run=True)
    assert (len(report.written), report.ok) == (1, False)
    assert report.problem() == f"1 kunne ikke dannes (id {broken}), se fejlen ovenfor"


def test_a_report_with_nothing_undelivered_has_no_problem(smtp: Mailbox) -> None:
    add_messages(new_committee(), range(1, 2))
    report = outbox.send_pending()
    assert (report.sent, report.problem(), report.ok) == (1, None, True)


# --- implicit TLS (SMTPS, port 465) ------------------------------------------------------------------


def test_implicit_tls_with_a_login(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"hemmelig"
        return AuthResult(success=ok, handled=False)

    context, certificate = self_signed_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # the client trusts this server only
    # aiosmtpd counts only STARTTLS as TLS for AUTH; this connection is TLS from the first byte
    mailbox, controller = start_smtp(
        monkeypatch, ssl_context=context, authenticator=authenticate, auth_require_tls=False
    )
    try:
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_SSL", "true")
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_USERNAME", "opgaveudvalg")
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_PASSWORD", "hemmelig")
        get_settings.cache_clear()
        add_messages(new_committee(), range(1, 2))
        report = outbox.send_pending()
        assert (report.sent, report.ok) == (1, True), report.problem()
        assert mailbox.per_recipient() == {address(1): 1}
    finally:
        controller.stop()


def test_implicit_tls_to_a_server_without_tls_is_unreachable(
    smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_SSL", "true")
    get_settings.cache_clear()
    add_messages(new_committee(), range(1, 2))
    report = outbox.send_pending()
    assert report.error is not None and "kan ikke nås" in report.error
    assert "smtp_ssl/smtp_starttls" in report.error
    assert smtp.messages == []


def test_starttls_with_a_login(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def authenticate(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"hemmelig"
        return AuthResult(success=ok, handled=False)

    context, certificate = self_signed_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    mailbox, controller = start_smtp(
        monkeypatch, tls_context=context, require_starttls=True, authenticator=authenticate
    )
    try:
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_STARTTLS", "true")
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_USERNAME", "opgaveudvalg")
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_PASSWORD", "hemmelig")
        get_settings.cache_clear()
        add_messages(new_committee(), range(1, 2))
        report = outbox.send_pending()
        assert (report.sent, report.ok) == (1, True), report.problem()
        assert mailbox.per_recipient() == {address(1): 1}
    finally:
        controller.stop()
