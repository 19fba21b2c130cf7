"""Pointing Prefect at our settings, and the commands that run its server and worker."""

import os
import subprocess
import sys
from urllib.parse import urlparse

import httpx
from prefect.context import refresh_global_settings_context

from opgaveudvalg.errors import UserError
from opgaveudvalg.settings import Settings

# Heartbeats let the reaper tell a run whose process died from one still at work.
HEARTBEAT_SECONDS = 30


def use_prefect(settings: Settings, server: bool) -> None:
    """Point Prefect at our home folder and, for `server`, at the long-running server.

    Prefect reads its environment when it is imported (by this package), so its settings are
    read again here once the environment is set."""
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(settings.prefect_home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    # Suspended runs start again from the top; their earlier results must be readable then.
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "true")
    # The first start builds Prefect's database, which can take a minute on a small machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    if server:
        os.environ["PREFECT_API_URL"] = settings.prefect_api_url
    else:
        os.environ.pop("PREFECT_API_URL", None)
    refresh_global_settings_context()
    if server:
        check_server(settings.prefect_api_url)


def check_server(api_url: str) -> None:
    """Fail with a clear message if the long-running Prefect server is not answering."""
    try:
        httpx.get(f"{api_url.rstrip('/')}/health", timeout=3).raise_for_status()
    except httpx.HTTPError:
        raise UserError(
            f"Prefect-serveren på {api_url} svarer ikke – start den med `opgaveudvalg server`"
        ) from None


def upgrade_command(settings: Settings) -> list[str]:
    """Prefect's database migrations, run on their own before the server starts: on a fresh
    PostgreSQL database the server's two processes would each run them at once and fail with
    'relation … already exists'."""
    use_server_database(settings)
    return [sys.executable, "-m", "prefect", "server", "database", "upgrade", "--yes"]


def server_command(settings: Settings) -> list[str]:
    """`prefect server start` on the address in `prefect_api_url`."""
    use_server_database(settings)
    address = urlparse(settings.prefect_api_url)
    host, port = address.hostname or "127.0.0.1", str(address.port or 4200)
    return [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", port]


def use_server_database(settings: Settings) -> None:
    """The server's environment: its database in `prefect_database_url` (PostgreSQL in
    production; empty: SQLite under `prefect_home`)."""
    use_prefect(settings, server=False)
    os.environ["PREFECT_UI_API_URL"] = settings.prefect_api_url  # else the UI calls port 4200
    if settings.prefect_database_url:
        os.environ["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = prefect_database_url(
            settings.prefect_database_url
        )


def prefect_database_url(url: str) -> str:
    """Prefect's server talks to PostgreSQL through asyncpg."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


def worker_command(settings: Settings) -> list[str]:
    """A process worker on our work pool: each flow run is a fresh process that ends when the
    run ends or suspends, so a committee waiting for people has no process of its own."""
    use_prefect(settings, server=True)
    os.environ.setdefault("PREFECT_RUNNER_HEARTBEAT_FREQUENCY", str(HEARTBEAT_SECONDS))
    return [
        sys.executable,
        "-m",
        "prefect",
        "worker",
        "start",
        "--pool",
        settings.work_pool,
        "--type",
        "process",
    ]


def run_foreground(command: list[str]) -> int:
    """Run a Prefect server or worker in the foreground, so that a supervisor's SIGTERM (or ^C)
    reaches it; a worker started in the background with `&` ignores SIGTERM."""
    return subprocess.call(command)
