"""What every stage's commands share: who is acting, for the audit log; waking the lifecycle."""

import getpass

import typer

from opgaveudvalg.errors import UserError
from opgaveudvalg.settings import get_settings


def actor() -> str:
    return f"cli:{getpass.getuser()}"


def wake_lifecycle(slug: str, wait: str) -> None:
    """Wake the committee's run if it sleeps on `wait`, now that the change is recorded. The
    change stands without it: the run reads the database whenever it next starts."""
    from opgaveudvalg.orchestration import runs, setup

    try:
        setup.use_prefect(get_settings(), server=True)
    except UserError as exc:
        typer.echo(f"Bemærk: flowløbet er ikke vækket ({exc})", err=True)
        return
    woken = runs.wake(slug, wait)
    if woken:
        typer.echo(f"Flowløb {woken} går videre")
