"""What every stage's commands share: who is acting, for the audit log; waking the lifecycle."""

import getpass
import time
from collections.abc import Callable

import typer
from sqlmodel import Session

from opgaveudvalg import committee, models
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


def status_once(
    slug: str, recorded: Callable[[Session, models.Committee], bool], seconds: int
) -> str | None:
    """The committee's status once `recorded(session, committee)` holds (the resumed run has
    recorded what the command handed it), or None after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with committee.committee_session(slug) as (session, found):
            if recorded(session, found):
                return found.status.value
        time.sleep(1)
    return None
