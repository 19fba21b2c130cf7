"""Running the house: the committees at a glance, the app database, the Prefect server."""

import typer

from opgaveudvalg import documents
from opgaveudvalg.db import engine_for, upgrade
from opgaveudvalg.errors import UserError
from opgaveudvalg.settings import get_settings

commands = typer.Typer()
db_app = typer.Typer(help="App-databasen.", no_args_is_help=True)


@commands.command("committees")
def list_committees() -> None:
    """Porteføljen: hvert udvalgs fase, hvad det venter på og siden hvornår, næste dato, der
    udløser noget, og advarsler."""
    from opgaveudvalg.errors import UserError
    from opgaveudvalg.orchestration import portfolio, setup

    settings = get_settings()
    try:
        setup.use_prefect(settings, server=True)
        reachable = True
    except UserError as exc:
        typer.echo(f"Bemærk: {exc}; flowløbenes kolonner vises som '?'", err=True)
        reachable = False
    rows = portfolio.rows(settings, reachable)
    if not rows:
        typer.echo("Ingen udvalg endnu – start et med `opgaveudvalg launch SLUG`")
        return
    typer.echo("\n".join(documents.text_table(portfolio.HEADERS, rows)))
    if found := portfolio.warnings(settings):
        typer.echo("\nAdvarsler:\n" + "\n".join(f"  - {w}" for w in found))


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
    if upgrade := setup.run_foreground(setup.upgrade_command(settings)):
        raise typer.Exit(upgrade)
    typer.echo(f"Prefect UI: {settings.prefect_api_url.removesuffix('/api')}")
    raise typer.Exit(setup.run_foreground(setup.server_command(settings)))


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


@commands.command()
def resume(slug: str) -> None:
    """Lad udvalgets flowløb gå videre, når den fejl, det stoppede ved, er rettet."""
    from opgaveudvalg.orchestration import runs, setup
    from opgaveudvalg.orchestration.waits import Wait

    setup.use_prefect(get_settings(), server=True)
    woken = runs.wake(slug, Wait.FIX)
    if not woken:
        raise UserError(f"'{slug}' har intet flowløb, der venter på en rettelse")
    typer.echo(f"Flowløb {woken} går videre")
