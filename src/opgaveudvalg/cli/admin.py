"""Running the house: the committees at a glance, the app database, the Prefect server."""

import os
import subprocess
import sys
from urllib.parse import urlparse

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
    """Start den lokale Prefect-server (UI og API), som CLI og flows deler."""
    from opgaveudvalg import orchestration

    settings = get_settings()
    orchestration.use_prefect(settings, server=False)
    os.environ["PREFECT_UI_API_URL"] = settings.prefect_api_url  # else the UI calls port 4200
    address = urlparse(settings.prefect_api_url)
    typer.echo(f"Prefect UI: {settings.prefect_api_url.removesuffix('/api')}")
    raise typer.Exit(
        subprocess.call(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                address.hostname or "127.0.0.1",
                "--port",
                str(address.port or 4200),
            ]
        )
    )
