"""Building the e-mail for one outbox row: MIME parts, calendar invitation and attached file.

E-mail addresses go to the SMTP server only; `redact` takes them out of any text that is
logged or stored as an error.
"""

import hashlib
import mimetypes
import re
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses
from pathlib import Path

from opgaveudvalg.mail import itip
from opgaveudvalg.models import OutboxMessage
from opgaveudvalg.settings import PROJECT_ROOT, Settings, get_settings

# Quoted-printable or base64 bodies: no relay on the way needs 8BITMIME.
# Lines up to RFC 5322's limit: with the default 78, CPython folds "svømmehal – møde" into two
# encoded words and the space between them is lost on decoding.
POLICY = policy.SMTP.clone(cte_type="7bit", max_line_length=998)
_ADDRESS = re.compile(r"[^\s<>()\[\]@,;:\"']+@[^\s<>()\[\]@,;:\"']+")


def sender_address(settings: Settings | None = None) -> str:
    """The From address: `mail_from`, else the secretariat's mailbox."""
    settings = settings or get_settings()
    return str(settings.mail_from or settings.secretariat_email)


def message_id(idempotency_key: str, sender: str) -> str:
    """A Message-ID that is the same every time the message is built."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@opgaveudvalg.{sender.rpartition('@')[2]}>"


def sender_name(settings: Settings, committee_title: str) -> str:
    """The From display name: 'Gentofte Kommune – Opgaveudvalget for en ny svømmehal'."""
    return f"{settings.municipality} – {committee_title}"


def build_message(row: OutboxMessage, sender: str, display_name: str = "") -> EmailMessage:
    """The e-mail for one outbox row, to its one recipient only: text and HTML alternatives,
    with a calendar invitation (inline part and invite.ics) and a file when the row has them.
    `display_name` is shown as the sender's name in front of the address."""
    message = EmailMessage(policy=POLICY)
    message["From"] = formataddr((display_name, sender)) if display_name else sender
    message["To"] = _single_recipient(row.to_address)
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = message_id(row.idempotency_key, sender)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    message["Content-Language"] = row.language  # after the body: making it multipart moves it
    if row.calendar:
        _add_calendar(message, row.calendar)
    if row.attachment:
        _attach_file(message, _resolve_path(row.attachment))
    return message


def redact(text: str) -> str:
    """The text with every e-mail address replaced by '[adresse]'."""
    return _ADDRESS.sub("[adresse]", text)


def _single_recipient(address: str) -> str:
    parsed = getaddresses([address])
    if len(parsed) != 1 or not _ADDRESS.fullmatch(parsed[0][1]) or parsed[0][1] != address.strip():
        raise ValueError("modtageradressen er ikke én gyldig e-mailadresse")
    return parsed[0][1]


def _add_calendar(message: EmailMessage, calendar: str) -> None:
    method = itip.method_of(calendar)
    message.add_alternative(calendar, subtype="calendar", params={"method": method})
    message.add_attachment(
        calendar.encode("utf-8"), maintype="application", subtype="ics", filename="invite.ics"
    )


def _attach_file(message: EmailMessage, path: Path) -> None:
    if not path.is_file():
        raise FileNotFoundError(f"den vedhæftede fil findes ikke: {path.name}")
    content_type, encoding = mimetypes.guess_type(path.name)
    if content_type is None or encoding is not None:
        content_type = "application/octet-stream"
    maintype, subtype = content_type.split("/", 1)
    message.add_attachment(
        path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name
    )


def _resolve_path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path
