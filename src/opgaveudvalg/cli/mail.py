"""Outbox commands: send what is waiting, and settle a message a person has checked."""

from collections import Counter, defaultdict
from email.parser import BytesHeaderParser
from email.policy import default
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opgaveudvalg.cli.common import actor
from opgaveudvalg.errors import UserError

if TYPE_CHECKING:
    from opgaveudvalg.mail.report import SendReport

STATUS_NAMES = {
    "pending": "venter",
    "sending": "sendes",
    "sent": "sendt",
    "failed": "afvist",
    "dead": "opgivet",
    "unknown": "i tvivl",
}
"""An outbox status in the secretariat's words (the English name is what `resolve` takes)."""
SHOWN_SUBJECTS = 2

outbox_app = typer.Typer(help="Udbakken: e-mails og kalenderinvitationer.", no_args_is_help=True)


@outbox_app.command("send")
def outbox_send(
    dry_run: Annotated[bool, typer.Option(help="Skriv .eml-filer i stedet for at sende")] = False,
) -> None:
    """Send alle ventende beskeder (gentagne forsøg sender aldrig det samme to gange).

    Slutter med kode 1 og en 'fejl:'-linje, når noget ikke blev leveret."""
    from opgaveudvalg.mail import outbox

    report = outbox.send_pending(dry_run=dry_run)
    typer.echo("\n".join(report_lines(report)))
    for failure in report.failures:
        typer.echo(f"besked {failure.message_id} ({status_name(failure.status)}): {failure.error}")
    if report.webhook_error:
        typer.echo(f"advarsel: {report.webhook_error}", err=True)
    problem = report.problem()
    if problem:
        raise UserError(problem)


@outbox_app.command("resolve")
def outbox_resolve(
    message_id: Annotated[int, typer.Argument(help="Beskedens id (fra 'outbox send')")],
    delivered: Annotated[
        bool,
        typer.Option(
            "--delivered/--not-delivered",
            help="Modtageren fik den (→ sent) / fik den ikke (→ sendes ved næste kørsel)",
        ),
    ],
    reason: Annotated[str, typer.Option(help="Hvorfor, til revisionssporet")],
) -> None:
    """Afklar en besked med status unknown, dead eller failed, efter at have spurgt modtageren."""
    from opgaveudvalg.mail import outbox

    status = outbox.resolve(message_id, delivered, actor(), reason)
    typer.echo(f"Besked {message_id} har nu status {status_name(status)}")


def status_name(status: str) -> str:
    """`afvist (failed)`: the Danish word, with the status name `resolve` and the docs use."""
    return f"{STATUS_NAMES.get(str(status), str(status))} ({status})"


def report_lines(report: "SendReport") -> list[str]:
    """What a send run did, in words; a dry run lists each kind of message written with its
    number of recipients and its subjects (never the bodies)."""
    if not report.dry_run:
        return [
            f"sendt {report.sent}, afvist {report.failed}, opgivet {report.dead}, "
            f"i tvivl {report.unknown}"
        ]
    lines = [f"Prøvekørsel – intet er sendt: {len(report.written)} beskeder skrevet som .eml-filer"]
    recipients: Counter[str] = Counter()
    subjects: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for written in report.written:
        path = Path(written)
        kind = path.stem.partition("-")[2]
        with path.open("rb") as stream:
            headers = BytesHeaderParser(policy=default).parse(stream)
        recipients[kind] += len(headers.get_all("To", [])) + len(headers.get_all("Cc", []))
        subjects[kind][str(headers.get("Subject", ""))] += 1
    for kind, count in sorted(recipients.items()):
        shown = [f"'{subject}'" for subject, _ in subjects[kind].most_common(SHOWN_SUBJECTS)]
        more = len(subjects[kind]) - len(shown)
        listed = ", ".join(shown) + (f" og {more} andre emner" if more > 0 else "")
        lines.append(f"  {kind}: {count} modtagere – emne {listed}")
    if report.written:
        lines.append(f"  i {Path(report.written[0]).parent.parent}")
    return lines
