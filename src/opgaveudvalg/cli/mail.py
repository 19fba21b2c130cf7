"""Outbox commands: send what is waiting, and settle a message a person has checked."""

from typing import Annotated

import typer

from opgaveudvalg.cli.common import actor
from opgaveudvalg.errors import UserError

outbox_app = typer.Typer(help="Udbakken: e-mails og kalenderinvitationer.", no_args_is_help=True)


@outbox_app.command("send")
def outbox_send(
    dry_run: Annotated[bool, typer.Option(help="Skriv .eml-filer i stedet for at sende")] = False,
) -> None:
    """Send alle ventende beskeder (gentagne forsøg sender aldrig det samme to gange).

    Slutter med kode 1 og en 'fejl:'-linje, når noget ikke blev leveret."""
    from opgaveudvalg.mail import outbox

    report = outbox.send_pending(dry_run=dry_run)
    typer.echo(str(report.counts()))
    for failure in report.failures:
        typer.echo(f"besked {failure.message_id} ({failure.status}): {failure.error}")
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
    typer.echo(f"Besked {message_id} har nu status '{status}'")
