"""The deployments a worker runs, and the runs they are given for a later date.

Deployments are created from this code by `opgaveudvalg deploy` (again after each upgrade),
on a process work pool by default; the same deployments run on a Docker or Kubernetes pool
(see the README)."""

import contextlib
from datetime import datetime, timedelta
from uuid import UUID

from prefect import deploy as deploy_all
from prefect import flow, get_client
from prefect.automations import Automation
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments import run_deployment
from prefect.deployments.runner import RunnerDeployment
from prefect.events.actions import RunDeployment
from prefect.events.schemas.automations import EventTrigger, Posture
from prefect.exceptions import ObjectAlreadyExists
from prefect.schedules import Cron
from prefect.states import Cancelled

from opgaveudvalg.orchestration import reaper, setup
from opgaveudvalg.orchestration.runs import (
    DEPLOYMENT_NAME,
    LIFECYCLE_FLOW,
    WAKE_FLOW,
    committee_tag,
    deployment,
    scheduled_wakes,
)
from opgaveudvalg.settings import PROJECT_ROOT, Settings

IMPORT_FLOW = "import-applications"
REAPER_FLOW = "reap-stalled-run"
STALE_FLOW = "flag-stale-wait"
RETENTION_FLOW = "retention"
RETENTION_CRON = "30 2 * * *"  # daily at 02:30 local time
REAPER_AUTOMATION = "opgaveudvalg: flowløb uden puls"
STUCK_AUTOMATION = "opgaveudvalg: flowløb, der aldrig startede"
STALE_AUTOMATION = "opgaveudvalg: udvalg venter for længe"
# What a suspended run does next when it stops waiting.
WAIT_ENDED = (
    "Resuming",
    "Scheduled",
    "Pending",
    "Running",
    "Completed",
    "Failed",
    "Crashed",
    "Cancelled",
)
# States in which a run's heartbeats rightly stop.
ENDED = ("Completed", "Failed", "Crashed", "Cancelled", "Suspended", "Paused")
ENTRYPOINTS = {
    LIFECYCLE_FLOW: "flows/lifecycle.py:lifecycle_flow",
    WAKE_FLOW: "flows/lifecycle.py:wake_flow",
    IMPORT_FLOW: "flows/recruitment.py:import_applications_flow",
    REAPER_FLOW: "flows/operations.py:reap_stalled_run_flow",
    STALE_FLOW: "flows/operations.py:flag_stale_wait_flow",
    RETENTION_FLOW: "flows/retention.py:retention_flow",
}


def deploy(settings: Settings) -> list[UUID]:
    """Create (or update) the work pool and every deployment; returns the deployments' IDs."""
    ensure_work_pool(settings.work_pool)
    # The sync API of Prefect's dual sync/async functions: typed as possibly a coroutine.
    daily = {RETENTION_FLOW: [Cron(RETENTION_CRON, timezone=settings.timezone)]}
    runners: list[RunnerDeployment] = [
        flow.from_source(source=str(PROJECT_ROOT), entrypoint=entrypoint).to_deployment(  # type: ignore[union-attr, misc]
            name=DEPLOYMENT_NAME, schedules=daily.get(name)
        )
        for name, entrypoint in ENTRYPOINTS.items()
    ]
    created: list[UUID] = deploy_all(  # type: ignore[assignment]
        *runners,
        work_pool_name=settings.work_pool,
        build=False,
        push=False,
        print_next_steps_message=False,
        ignore_warnings=True,  # Prefect's advice to use `serve` for a process pool
    )
    by_flow = dict(zip(ENTRYPOINTS, created, strict=True))
    silent = timedelta(seconds=3 * setup.HEARTBEAT_SECONDS)
    watch(REAPER_AUTOMATION, by_flow[REAPER_FLOW], "prefect.flow-run.heartbeat", ENDED, silent)
    started = ("Running", *ENDED)
    stuck = timedelta(seconds=reaper.STUCK_SECONDS + 30)
    watch(STUCK_AUTOMATION, by_flow[REAPER_FLOW], "prefect.flow-run.Submitting", started, stuck)
    stale = timedelta(days=settings.stale_wait_days)
    watch(STALE_AUTOMATION, by_flow[STALE_FLOW], "prefect.flow-run.Suspended", WAIT_ENDED, stale)
    return created


def watch(
    name: str, deployment_id: UUID, after: str, ended: tuple[str, ...], within: timedelta
) -> None:
    """An automation (replacing any of the same name) that runs a deployment for a flow run
    with `after` that has had neither `after` again nor any of the `ended` states `within`.
    The deployment reads the run again before it acts."""
    with get_client(sync_client=True) as client:
        for old in client.read_automations_by_name(name):
            client.delete_automation(old.id)
    Automation(
        name=name,
        trigger=EventTrigger(
            match={"prefect.resource.id": "prefect.flow-run.*"},
            after={after},
            expect={after, *(f"prefect.flow-run.{state}" for state in ended)},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=within,
        ),
        actions=[
            RunDeployment(
                source="selected",
                deployment_id=deployment_id,
                parameters={"flow_run_id": "{{ flow_run.id | string }}"},
            )
        ],
    ).create()


def ensure_work_pool(name: str) -> None:
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=name, type="process"))


def schedule_wake(slug: str, wait: str, when: datetime) -> UUID:
    """A run of the wake deployment at `when` that wakes the committee's run sleeping on `wait`.
    One per committee, wait and moment: scheduling the same again changes nothing; the woken
    run schedules a new one if the date has moved."""
    run = run_deployment(
        deployment(WAKE_FLOW),
        parameters={"slug": slug, "wait": wait},
        scheduled_time=when,
        tags=[committee_tag(slug)],
        idempotency_key=f"{wait}:{slug}:{when.isoformat()}",
        timeout=0,
        as_subflow=False,
    )
    return run.id  # type: ignore[union-attr]


def cancel_wakes(slug: str, wait: str) -> int:
    """Cancel the committee's scheduled wakes for `wait` (e.g. once the call has closed, its
    deadline's wake has nothing left to do); returns how many."""
    stale = [run for run in scheduled_wakes(slug) if run.parameters.get("wait") == wait]
    with get_client(sync_client=True) as client:
        for run in stale:
            client.set_flow_run_state(run.id, Cancelled(message="Ikke længere aktuel"), force=True)
    return len(stale)
