"""A committee's runs on the Prefect server: launch the lifecycle, find what it waits for,
answer it or wake it. Runs carry the tag `committee:<slug>`, never a name."""

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.flow_runs import resume_flow_run
from prefect.input import RunInput

from opgaveudvalg.errors import UserError
from opgaveudvalg.orchestration.waits import WAITING_FOR, describe_wait
from opgaveudvalg.settings import Settings

LIFECYCLE_FLOW = "committee-lifecycle"
WAKE_FLOW = "wake-committee"
DEPLOYMENT_NAME = "opgaveudvalg"
ACTIVE_STATES = [
    StateType.SCHEDULED,
    StateType.PENDING,
    StateType.RUNNING,
    StateType.PAUSED,
    StateType.CANCELLING,
]
# A suspended run's process may still be exiting; resuming it then can wedge the worker
# (Prefect issues #10632, #16806), so a resume waits until the suspension is this old.
SETTLE_SECONDS = 5.0


def committee_tag(slug: str) -> str:
    return f"committee:{slug}"


def deployment(flow_name: str) -> str:
    return f"{flow_name}/{DEPLOYMENT_NAME}"


def committee_runs(
    slug: str,
    flow_name: str,
    states: list[StateType] | None = None,
    sort: FlowRunSort = FlowRunSort.EXPECTED_START_TIME_DESC,
) -> list[FlowRun]:
    """The committee's runs of one flow, newest first unless `sort` says otherwise."""
    state_filter = FlowRunFilterState(type=FlowRunFilterStateType(any_=states)) if states else None
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[committee_tag(slug)]), state=state_filter
            ),
            sort=sort,
        )


def lifecycle_runs(slug: str, states: list[StateType] | None = None) -> list[FlowRun]:
    """The committee's lifecycle runs, newest first."""
    return committee_runs(slug, LIFECYCLE_FLOW, states)


def scheduled_wakes(slug: str) -> list[FlowRun]:
    """The committee's wake runs still to fire, soonest first."""
    return committee_runs(
        slug, WAKE_FLOW, [StateType.SCHEDULED], FlowRunSort.EXPECTED_START_TIME_ASC
    )


def active_lifecycle(slug: str) -> FlowRun | None:
    runs = lifecycle_runs(slug, ACTIVE_STATES)
    return runs[0] if runs else None


def launch(slug: str) -> FlowRun:
    """Create the committee's run of the lifecycle deployment; a worker runs it."""
    active = active_lifecycle(slug)
    if active is not None:
        state = active.state.name if active.state else "ukendt"
        raise UserError(
            f"'{slug}' har allerede et aktivt flowløb ({active.name}, {state}) – "
            "se `opgaveudvalg committees`"
        )
    return start(LIFECYCLE_FLOW, slug, {"slug": slug}, timeout=0)


def start(flow_name: str, slug: str, parameters: dict[str, Any], timeout: float | None) -> FlowRun:
    """A run of our deployment of `flow_name` for the committee; waits `timeout` s for it to
    end (None: until it ends)."""
    try:
        run = run_deployment(
            deployment(flow_name),
            parameters=parameters,
            tags=[committee_tag(slug)],
            timeout=timeout,
            as_subflow=False,
        )
    except ObjectNotFound:
        raise UserError(
            f"deployment '{deployment(flow_name)}' findes ikke – kør `opgaveudvalg deploy`"
        ) from None
    return run  # type: ignore[return-value]


def worker_online(pool: str) -> bool:
    """Whether a worker of the pool has been heard from within the last two minutes."""
    with get_client(sync_client=True) as client:
        try:
            workers = client.read_workers_for_work_pool(pool)
        except ObjectNotFound:
            return False
    recent = datetime.now(UTC) - timedelta(minutes=2)
    return any(w.last_heartbeat_time and w.last_heartbeat_time > recent for w in workers)


def waiting_run(slug: str, wait: str) -> FlowRun | None:
    """The committee's run suspended on `wait` (a `Wait` value), if any."""
    for run in lifecycle_runs(slug, [StateType.PAUSED]):
        key = run.state.state_details.pause_key if run.state else None
        if key and key.startswith(wait):
            return run
    return None


def submit_input(slug: str, answer: RunInput, wait: str) -> UUID:
    """Resume the committee's run waiting on `wait` with `answer`."""
    run = waiting_run(slug, wait)
    if run is None:
        raise UserError(
            f"Intet flowløb for '{slug}' venter på {WAITING_FOR[wait]} – "
            f"se `opgaveudvalg committees`, eller start det med `opgaveudvalg launch {slug}`"
        )
    _resume(run, answer.model_dump(mode="json"))
    return run.id


def wake(slug: str, wait: str, patience_seconds: float = 60) -> UUID | None:
    """Wake the committee's run if it sleeps on `wait`, so that it reads what was just recorded.
    A run still at work is given `patience_seconds` to reach its wait; with no active run there
    is nothing to wake (the next launch reads the database)."""
    deadline = time.monotonic() + patience_seconds
    while True:
        run = waiting_run(slug, wait)
        if run is not None:
            _resume(run, None)
            return run.id
        active = active_lifecycle(slug)
        if active is None or active.state_type == StateType.PAUSED:
            return None
        if time.monotonic() > deadline:
            return None
        time.sleep(1)


def _resume(run: FlowRun, run_input: dict[str, object] | None) -> None:
    if run.state and run.state.timestamp:
        age = (datetime.now(UTC) - run.state.timestamp).total_seconds()
        time.sleep(max(0.0, SETTLE_SECONDS - age))
    resume_flow_run(run.id, run_input=run_input)


def run_url(settings: Settings, run_id: UUID) -> str:
    return f"{settings.prefect_api_url.removesuffix('/api')}/runs/flow-run/{run_id}"


def run_and_wait(flow_name: str, slug: str, parameters: dict[str, Any]) -> object:
    """Run a deployment for the committee on a worker, wait for it, and return its result; a
    failed run's message becomes the error."""
    run = start(flow_name, slug, parameters, timeout=None)
    if run.state is None or not run.state.is_completed():
        message = run.state.message if run.state else "ingen tilstand"
        raise UserError(f"flowløb {run.name} endte som {run.state_name}: {message}")
    return run.state.result()


@dataclass
class RunOverview:
    """Where a committee's lifecycle run stands in Prefect."""

    state: str
    waiting_for: str = ""
    since: datetime | None = None
    next_wake: datetime | None = None
    run_id: UUID | None = None


def overview(slug: str) -> RunOverview:
    """The newest lifecycle run's state, what it waits for and since when, and the committee's
    next scheduled wake."""
    newest = lifecycle_runs(slug)
    if not newest:
        return RunOverview("intet flowløb")
    run = newest[0]
    view = RunOverview(run.state_name or "ukendt", run_id=run.id)
    if run.state_type == StateType.PAUSED and run.state:
        view.waiting_for = describe_wait(run.state.state_details.pause_key)
        view.since = run.state.timestamp
    scheduled = scheduled_wakes(slug)
    view.next_wake = scheduled[0].expected_start_time if scheduled else None
    return view
