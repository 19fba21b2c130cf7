"""`opgaveudvalg retention`: what the daily retention run deletes. The deployment deletes on
schedule; by hand the command only shows what would go, today or on a later day."""

from datetime import date
from typing import Annotated

import typer

from opgaveudvalg.errors import UserError
from opgaveudvalg.retention import schedule
from opgaveudvalg.settings import get_settings

commands = typer.Typer()


@commands.command()
def retention(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Vis hvad der ville blive slettet; slet intet")
    ] = False,
    on: Annotated[
        str | None,
        typer.Option(help="Dagen (ÅÅÅÅ-MM-DD) prøvekørslen regner fra; kun med --dry-run"),
    ] = None,
) -> None:
    """Slet personoplysninger, hvis frist er nået (kører dagligt som deployment 'retention')."""
    settings = get_settings()
    day = _day(on, dry_run) if on else schedule.today_in(settings)
    typer.echo(schedule.run(settings, day, dry_run).text())


def _day(text: str, dry_run: bool) -> date:
    if not dry_run:
        raise UserError("--on kan kun bruges med --dry-run: der slettes aldrig før fristen")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--on: '{text}' er ikke en dato (ÅÅÅÅ-MM-DD)") from None
