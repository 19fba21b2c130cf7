"""One SMTP session for a batch of messages, and the server's errors in words without addresses."""

import smtplib
import ssl

from opgaveudvalg.mail.message import redact
from opgaveudvalg.settings import Settings


class SmtpUnavailable(Exception):
    """The SMTP server could not be reached or refused the session (not one message)."""


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
        client = smtplib.SMTP(timeout=s.smtp_timeout)
        try:
            client.connect(s.smtp_host, s.smtp_port)
            if s.smtp_starttls:
                client.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                client.login(s.smtp_username, password)
        except (smtplib.SMTPException, OSError) as exc:
            client.close()
            raise SmtpUnavailable(
                f"SMTP-serveren {s.smtp_host}:{s.smtp_port} kan ikke bruges: {describe_error(exc)}"
            ) from exc
        return client

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
