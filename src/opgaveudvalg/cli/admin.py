"""Running the house: the committees at a glance, the app database, the Prefect server."""

import typer

from opgaveudvalg import committee, documents
from opgaveudvalg.db import engine_for, session_scope, upgrade
from opgaveudvalg.settings import get_settings

commands = typer.Typer()
db_app = typer.Typer(help="App-databasen.", no_args_is_help=True)


@commands.command("committees")
def list_committees() -> None:
    """Oversigt: slug, titel, status, seneste ændring."""
    settings = get_settings()
    with session_scope() as session:
        rows = [
            (c.slug, c.title, c.status.value, documents.local_time(c.updated_at, settings.timezone))
            for c in committee.list_committees(session)
        ]
    if not rows:
        typer.echo("Ingen udvalg endnu – start et med `opgaveudvalg launch SLUG`")
        return
    typer.echo(
        "\n".join(documents.text_table(("slug", "titel", "status", "seneste ændring"), rows))
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Opgradér app-databasens skema til nyeste version."""
    upgrade(engine_for(get_settings().database_url))
    typer.echo("Databasen er opdateret")


@commands.command()
def server() -> None:
    """Start Prefect-serveren (UI og API), som CLI, worker og flows deler, mod databasen i
    indstillingen prefect_database_url (PostgreSQL i drift; tom: SQLite under prefect_home)."""
    from opgaveudvalg.orchestration import setup

    settings = get_settings()
    command = setup.server_command(settings)
    typer.echo(f"Prefect UI: {settings.prefect_api_url.removesuffix('/api')}")
    raise typer.Exit(setup.run_foreground(command))


@commands.command()
def deploy() -> None:
    """Opret work pool'en og alle deployments (igen efter hver opdatering af koden)."""
    from opgaveudvalg.orchestration import deployments, setup

    settings = get_settings()
    setup.use_prefect(settings, server=True)
    created = deployments.deploy(settings)
    typer.echo(f"{len(created)} deployments i work pool '{settings.work_pool}'")


@commands.command()
def worker() -> None:
    """Start en worker, der kører udvalgenes flowløb, hvert i sin egen proces. Kør den i
    forgrunden under en supervisor (systemd Restart=always), ikke med `&`."""
    from opgaveudvalg.orchestration import setup

    raise typer.Exit(setup.run_foreground(setup.worker_command(get_settings())))
