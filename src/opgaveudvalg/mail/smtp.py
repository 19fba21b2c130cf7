"""One SMTP session for a batch of messages, and the server's errors in words without addresses."""

import smtplib
import ssl

from opgaveudvalg.mail.message import redact
from opgaveudvalg.settings import Settings

UNREACHABLE = (
    "kontrollér smtp_host, smtp_port og smtp_ssl/smtp_starttls, og at serveren kører; "
    "de ventende beskeder er urørte, så kør 'opgaveudvalg outbox send' igen bagefter"
)
LOGIN_REFUSED = (
    "kontrollér smtp_username og smtp_password (OPGAVEUDVALG_SMTP_PASSWORD); "
    "de ventende beskeder er urørte, så kør 'opgaveudvalg outbox send' igen bagefter"
)
NO_LOGIN = (
    "mange servere tilbyder kun login over TLS: sæt smtp_starttls eller smtp_ssl, eller fjern "
    "smtp_username, hvis der ikke skal logges ind; de ventende beskeder er urørte, så kør "
    "'opgaveudvalg outbox send' igen bagefter"
)


class SmtpUnavailable(Exception):
    """The SMTP server could not be reached or refused the session (not one message).

    Its text says what happened and, after "–", which settings to check."""

    def __init__(self, what: str, advice: str) -> None:
        super().__init__(f"{what} – {advice}")


class Connection:
    """One SMTP session, opened when first needed and checked (NOOP) before every message."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def ready(self) -> smtplib.SMTP:
        """A working session: the current one if it answers, else a new one."""
        if self.client is not None:
            try:
                if self.client.noop()[0] == 250:
                    return self.client
            except (smtplib.SMTPException, OSError):
                pass
            self.close()
        self.client = self._connect()
        return self.client

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        where = f"SMTP-serveren {s.smtp_host}:{s.smtp_port}"
        context = ssl.create_default_context()
        client: smtplib.SMTP | None = None
        try:
            client = self._open(context)
            if s.smtp_starttls:
                client.starttls(context=context)
        except (smtplib.SMTPException, OSError) as exc:
            if client is not None:
                client.close()
            raise SmtpUnavailable(
                f"{where} kan ikke nås: {describe_error(exc)}", UNREACHABLE
            ) from exc
        if s.smtp_username:
            self._login(client, where)
        return client

    def _open(self, context: ssl.SSLContext) -> smtplib.SMTP:
        """Connected, with TLS from the first byte when `smtp_implicit_tls`. The host is given to
        the constructor: TLS checks the server's certificate against it (also for STARTTLS)."""
        s = self.settings
        if s.smtp_implicit_tls:
            return smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context
            )
        return smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)

    def _login(self, client: smtplib.SMTP, where: str) -> None:
        s = self.settings
        assert s.smtp_username is not None
        password = s.smtp_password.get_secret_value() if s.smtp_password else ""
        try:
            client.login(s.smtp_username, password)
        except smtplib.SMTPNotSupportedError as exc:
            client.close()
            raise SmtpUnavailable(f"{where} tilbyder ikke login (AUTH)", NO_LOGIN) from exc
        except (smtplib.SMTPException, OSError) as exc:
            client.close()
            raise SmtpUnavailable(
                f"{where} afviste login: {describe_error(exc)}", LOGIN_REFUSED
            ) from exc

    def drop(self) -> None:
        """Forget a broken session without talking to the server."""
        if self.client is not None:
            self.client.close()
            self.client = None

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self.client.close()
        self.client = None


# Errors where the server answered "no": the message was certainly not accepted.
REFUSALS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPResponseException,
    smtplib.SMTPNotSupportedError,  # raised before anything is sent
)


def describe_error(exc: BaseException) -> str:
    """The server's answer or the error's kind, with any e-mail address removed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, answer = next(iter(exc.recipients.values()))
        text = f"{code} {_text(answer)}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return redact(text)[:500]


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
