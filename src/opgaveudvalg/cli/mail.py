"""Outbox commands: send what is waiting."""

from typing import Annotated

import typer

outbox_app = typer.Typer(help="Udbakken: e-mails og kalenderinvitationer.", no_args_is_help=True)


@outbox_app.command("send")
def outbox_send(
    dry_run: Annotated[bool, typer.Option(help="Skriv .eml-filer i stedet for at sende")] = False,
) -> None:
    """Send alle ventende beskeder (gentagne forsøg sender aldrig det samme to gange)."""
    from opgaveudvalg.mail import outbox

    report = outbox.send_pending(dry_run=dry_run)
    typer.echo(str(report.counts()))
