"""Recruitment commands: import the form tool's export, follow the call, close it."""

from pathlib import Path

import typer

from opgaveudvalg import committee
from opgaveudvalg.cli.common import actor
from opgaveudvalg.settings import get_settings

applications_app = typer.Typer(help="Ansøgninger.", no_args_is_help=True)
recruitment_app = typer.Typer(help="Rekruttering.", no_args_is_help=True)


@applications_app.command("import")
def import_applications(slug: str, file: Path) -> None:
    """Importér en eksport (CSV, XLSX eller JSON) fra formularværktøjet som sit eget flowløb."""
    from opgaveudvalg import orchestration

    orchestration.use_prefect(get_settings(), server=True)
    from flows.recruitment import import_applications_flow

    counts = import_applications_flow(slug=slug, file=str(file.resolve()))
    typer.echo(import_summary(counts))


def import_summary(counts: dict[str, int]) -> str:
    return (
        f"{counts['rows']} rækker: {counts['inserted']} nye ansøgere, "
        f"{counts['updated']} opdaterede, {counts['unchanged']} uændrede; "
        f"{counts['rejected']} afviste rækker; {counts['repeated']} rækker erstattet af en "
        f"senere række med samme e-mail; {counts['flagged']} mulige dubletter til vurdering"
    )


@recruitment_app.command("status")
def recruitment_status(slug: str) -> None:
    """Ansøgere pr. profil og pr. repræsentationsmål, afviste rækker og advarsler."""
    from opgaveudvalg.recruitment import status

    with committee.committee_session(slug) as (session, found):
        typer.echo(status.recruitment_status(session, found, get_settings()).report())


@recruitment_app.command("close")
def recruitment_close(slug: str) -> None:
    """Luk opslaget før fristen; rekrutteringsflowet går derefter videre til udvælgelse."""
    from opgaveudvalg.recruitment import call

    with committee.committee_session(slug) as (session, found):
        call.request_close(session, found, actor())
    typer.echo(f"Opslaget for '{slug}' lukkes; flowet går videre til udvælgelse")
