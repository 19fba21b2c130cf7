"""The deployments a worker runs, and the runs they are given for a later date.

Deployments are created from this code by `opgaveudvalg deploy` (again after each upgrade),
on a process work pool by default; the same deployments run on a Docker or Kubernetes pool
(see the README)."""

import contextlib
from datetime import datetime, timedelta
from uuid import UUID

from prefect import flow, get_client
from prefect.automations import Automation
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.deployments import run_deployment
from prefect.events.actions import RunDeployment
from prefect.events.schemas.automations import EventTrigger, Posture
from prefect.exceptions import ObjectAlreadyExists

from opgaveudvalg.orchestration import setup
from opgaveudvalg.orchestration.runs import DEPLOYMENT_NAME, committee_tag, deployment
from opgaveudvalg.settings import PROJECT_ROOT, Settings

WAKE_FLOW = "wake-committee"
IMPORT_FLOW = "import-applications"
REAPER_FLOW = "reap-stalled-run"
REAPER_AUTOMATION = "opgaveudvalg: flowløb uden puls"
# States in which a run's heartbeats rightly stop.
ENDED = ("Completed", "Failed", "Crashed", "Cancelled", "Suspended", "Paused")
ENTRYPOINTS = {
    "committee-lifecycle": "flows/lifecycle.py:lifecycle_flow",
    WAKE_FLOW: "flows/lifecycle.py:wake_flow",
    IMPORT_FLOW: "flows/recruitment.py:import_applications_flow",
    REAPER_FLOW: "flows/operations.py:reap_stalled_run_flow",
}


def deploy(settings: Settings) -> list[UUID]:
    """Create (or update) the work pool and every deployment; returns the deployments' IDs."""
    ensure_work_pool(settings.work_pool)
    ids = []
    for entrypoint in ENTRYPOINTS.values():
        source = flow.from_source(source=str(PROJECT_ROOT), entrypoint=entrypoint)
        deployment_id = source.deploy(  # type: ignore[union-attr]
            name=DEPLOYMENT_NAME,
            work_pool_name=settings.work_pool,
            build=False,
            push=False,
            print_next_steps=False,
        )
        ids.append(UUID(str(deployment_id)))
    watch_heartbeats(ids[list(ENTRYPOINTS).index(REAPER_FLOW)])
    return ids


def watch_heartbeats(reaper_id: UUID) -> None:
    """The automation that starts the reaper for a run whose heartbeats stop without the run
    ending or suspending (its process was killed)."""
    with get_client(sync_client=True) as client:
        for old in client.read_automations_by_name(REAPER_AUTOMATION):
            client.delete_automation(old.id)
    silent = timedelta(seconds=3 * setup.HEARTBEAT_SECONDS)
    Automation(
        name=REAPER_AUTOMATION,
        description="Genstarter et flowløb, hvis proces er død (ingen puls, ikke afsluttet)",
        trigger=EventTrigger(
            match={"prefect.resource.id": "prefect.flow-run.*"},
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", *(f"prefect.flow-run.{s}" for s in ENDED)},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=silent,
        ),
        actions=[
            RunDeployment(
                source="selected",
                deployment_id=reaper_id,
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
