"""The local PostgreSQL 15 cluster for the load benchmark: started if it is down, a throwaway
role with an app database and a Prefect database (as .ci/run makes them), dropped afterwards;
the cluster is stopped again only if the benchmark started it and nobody else is connected."""

import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

CLUSTER = ("15", "main")
ROLE = "opgaveudvalg_load"
APP_DB = "opgaveudvalg_load"
PREFECT_DB = "opgaveudvalg_load_prefect"


@dataclass(frozen=True)
class Databases:
    app_url: str  # SQLAlchemy URL for the app (psycopg)
    prefect_url: str  # for the Prefect server (setup.prefect_database_url makes it asyncpg)


def psql(sql: str) -> str:
    done = subprocess.run(
        ["su", "postgres", "-c", "psql -q -At -v ON_ERROR_STOP=1"],
        input=sql,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def cluster_running() -> bool:
    done = subprocess.run(["pg_ctlcluster", *CLUSTER, "status"], capture_output=True)
    return done.returncode == 0


def start_cluster() -> bool:
    """Start the cluster if it is down; True if this call started it."""
    if cluster_running():
        return False
    subprocess.run(["pg_ctlcluster", *CLUSTER, "start"], check=True)
    for _ in range(30):
        if subprocess.run(["su", "postgres", "-c", "pg_isready -q"]).returncode == 0:
            break
        time.sleep(1)
    return True


def drop_sql() -> str:
    return (
        f"DROP DATABASE IF EXISTS {APP_DB} WITH (FORCE);\n"
        f"DROP DATABASE IF EXISTS {PREFECT_DB} WITH (FORCE);\n"
        f"DROP ROLE IF EXISTS {ROLE};\n"
    )


def create_databases() -> Databases:
    password = secrets.token_hex(12)
    psql(
        drop_sql() + f"CREATE ROLE {ROLE} LOGIN PASSWORD '{password}';\n"
        f"CREATE DATABASE {APP_DB} OWNER {ROLE};\n"
        f"CREATE DATABASE {PREFECT_DB} OWNER {ROLE};\n"
    )
    host = f"{ROLE}:{password}@127.0.0.1"
    return Databases(
        app_url=f"postgresql+psycopg://{host}/{APP_DB}",
        prefect_url=f"postgresql://{host}/{PREFECT_DB}",
    )


def others_connected() -> bool:
    """Anyone but us connected to the cluster (another helper's tests, say)?"""
    count = psql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname IS NOT NULL "
        f"AND datname NOT IN ('{APP_DB}', '{PREFECT_DB}') AND pid <> pg_backend_pid();"
    )
    return int(count.strip() or 0) > 0


@contextmanager
def throwaway_databases() -> Iterator[Databases]:
    started = start_cluster()
    try:
        yield create_databases()
    finally:
        psql(drop_sql())
        if started and not others_connected():
            subprocess.run(["pg_ctlcluster", *CLUSTER, "stop"], check=False)
