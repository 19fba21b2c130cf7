"""A person's rights: what we hold on an e-mail address (art. 15) and its erasure (art. 17)."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from opgaveudvalg.cli.common import actor
from opgaveudvalg.db import session_scope
from opgaveudvalg.retention import person, schedule
from opgaveudvalg.settings import get_settings

person_app = typer.Typer(
    help="En persons rettigheder: indsigt i og sletning af oplysningerne om en e-mailadresse.",
    no_args_is_help=True,
)


@person_app.command("export")
def export(
    email: str,
    out: Annotated[
        Path | None, typer.Option(help="Mappe til filerne (standard: <output>/indsigt/<tid>)")
    ] = None,
) -> None:
    """Alt, vi har om adressen i alle udvalg, som JSON og som brev (HTML og PDF)."""
    settings = get_settings()
    with session_scope() as session:
        paths = person.export(session, settings, email, out, actor())
    typer.echo("\n".join(str(p) for p in paths))


@person_app.command("erase")
def erase(
    email: str,
    yes: Annotated[bool, typer.Option("--yes", help="Slet uden at spørge")] = False,
) -> None:
    """Slet alt om adressen, undtagen det, der skal gemmes som sagsakter (vises først)."""
    settings = get_settings()
    with session_scope() as session:
        plan = person.erasure_plan(session, settings, email)
        typer.echo("\n".join(plan.lines()))
        if not any(plan.held.counts().values()):
            return
        if not (yes or (sys.stdin.isatty() and typer.confirm("Slet nu?"))):
            session.rollback()
            typer.echo("Intet er slettet (brug --yes for at slette).")
            return
        notes = person.erase(session, settings, plan, schedule.today_in(settings), actor())
    typer.echo("\n".join([*notes, "Slettet."]))
