"""Waiting on a committee's lifecycle run, as the people around it do: until it asks for
something, or until it ends."""

import time
from datetime import UTC, datetime
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.objects import State

from opgaveudvalg import committee
from opgaveudvalg.db import session_scope
from opgaveudvalg.orchestration import runs


def await_wait(slug: str, wait: str, run_id: UUID, timeout: float, after: datetime) -> bool:
    """True once the run has suspended on `wait` after the moment `after`; False if the run
    ends first. Raises after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = runs.waiting_run(slug, wait)
        if run and run.state and run.state.timestamp > after:
            return True
        if run_state(run_id).is_final():
            return False
        time.sleep(1)
    raise TimeoutError(f"{slug}: the run did not wait for '{wait}' within {timeout} s")


def run_state(run_id: UUID) -> State:
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(run_id).state
    assert state is not None
    return state


def await_end(slug: str, run_id: UUID, timeout: float) -> str:
    """The committee's status once its run has ended; a run that failed raises."""
    deadline = time.monotonic() + timeout
    while not (state := run_state(run_id)).is_final():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{slug}: the run did not end within {timeout} s")
        time.sleep(1)
    if not state.is_completed():
        raise RuntimeError(f"{slug}: the lifecycle run ended {state.name}: {state.message}")
    return committee_status(slug) or "draft"


def now() -> datetime:
    return datetime.now(UTC)


def committee_status(slug: str) -> str | None:
    with session_scope() as session:
        found = committee.find_committee(session, slug)
        return found.status.value if found else None
