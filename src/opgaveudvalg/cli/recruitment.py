"""Recruitment commands: import the form tool's export, follow the call, close it."""

from datetime import date, time
from pathlib import Path
from typing import Annotated

import typer

from opgaveudvalg import committee
from opgaveudvalg.cli.common import actor, wake_lifecycle
from opgaveudvalg.errors import UserError
from opgaveudvalg.models import ImportBatch
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import get_settings

applications_app = typer.Typer(help="Ansøgninger.", no_args_is_help=True)
recruitment_app = typer.Typer(help="Rekruttering.", no_args_is_help=True)


@applications_app.command("import")
def import_applications(slug: str, file: Path) -> None:
    """Importér en eksport (CSV, XLSX eller JSON) fra formularværktøjet som sit eget flowløb,
    som en worker kører; kommandoen venter på det."""
    from opgaveudvalg.orchestration import imports, setup

    setup.use_prefect(get_settings(), server=True)
    typer.echo(import_summary(slug, imports.import_file(slug, file)))


def import_summary(slug: str, batch: ImportBatch) -> str:
    summary = (
        f"{batch.rows} rækker: {batch.inserted} nye ansøgere, "
        f"{batch.updated} opdaterede, {batch.unchanged} uændrede; "
        f"{batch.rejected} afviste rækker; {batch.repeated} rækker erstattet af en "
        f"senere række med samme e-mail; {batch.flagged} mulige dubletter til vurdering"
    )
    if batch.rejected:
        files = CommitteeFiles.of(get_settings().output_dir, slug)
        summary += f"\nDe afviste rækker står i {files.reject_report(batch.id)}"  # type: ignore[arg-type]
    return summary


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
    wake_lifecycle(slug, Wait.CALL_CLOSE)


@recruitment_app.command("deadline")
def recruitment_deadline(
    slug: str,
    day: Annotated[str, typer.Argument(help="Sidste dag for ansøgninger, ÅÅÅÅ-MM-DD")],
    until: Annotated[
        str | None, typer.Option("--kl", help="Lukketid den dag, TT:MM (standard: dagens slutning)")
    ] = None,
) -> None:
    """Forlæng eller forkort ansøgningsfristen; opslaget dannes igen, og lukningen flyttes."""
    from opgaveudvalg.meetings import plan
    from opgaveudvalg.recruitment import call

    try:
        last_day = date.fromisoformat(day)
        at = time.fromisoformat(until) if until else None
    except ValueError:
        raise UserError(
            f"fristen skal være en dato som 2027-01-15 og --kl som 12:00, ikke '{day}' / '{until}'"
        ) from None
    with committee.committee_session(slug) as (session, found):
        moment = call.move_deadline(
            session, found, get_settings(), last_day, at, actor(), plan.meeting_days
        )
    typer.echo(f"Opslaget for '{slug}' lukker nu {moment:%Y-%m-%d %H:%M} (lokal tid)")
    wake_lifecycle(slug, Wait.CALL_CLOSE)
