"""A run whose process was killed stays Running for good. An automation watches the runs'
heartbeats and, when they stop, starts the reaper deployment, which looks again before it acts:
Prefect's own "no heartbeat → Crashed" automation also crashes runs that have just suspended,
because their last heartbeats arrive late.

Each state change is sent once. Prefect's client repeats a request that timed out, and a forced
change the slow server was still applying then lands twice: a second `Scheduled` after a worker
has taken the run hands it to a second worker process, and the lifecycle runs twice at once."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
from prefect import State, get_client
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.objects import StateType
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings
from prefect.states import Crashed, Scheduled

from opgaveudvalg.orchestration.setup import HEARTBEAT_SECONDS

SILENT_SECONDS = 2 * HEARTBEAT_SECONDS
# A run handed to a worker starts within seconds; one still Pending after this lost its worker.
STUCK_SECONDS = 120
MAX_RECOVERIES = 3
RECOVERING = "Recovering"


def reap(flow_run_id: UUID) -> str:
    """Crash and reschedule the run if it is Running and silent, or Pending far too long (its
    worker died while handing it over); returns what was done."""
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        if not run.state or run.state_type not in (StateType.RUNNING, StateType.PENDING):
            return f"ingenting: tilstanden er {run.state_type}"
        quiet = SILENT_SECONDS if run.state_type == StateType.RUNNING else STUCK_SECONDS
        since = datetime.now(UTC) - timedelta(seconds=quiet)
        if run.state.timestamp > since or _heartbeats_since(flow_run_id, since):
            return "ingenting: flowløbet lever"
        recoveries = sum(s.name == RECOVERING for s in client.read_flow_run_states(flow_run_id))
        message = f"Ingen fremgang i {quiet} s ({run.state_name}); processen er død"
        _set_once(client, flow_run_id, Crashed(message=message))
        if recoveries >= MAX_RECOVERIES:
            return f"crashed efter {recoveries} genstarter"
        _set_once(client, flow_run_id, Scheduled(name=RECOVERING))
        return "crashed og genstartet"


class NoAnswer(Exception):
    """The server did not confirm a state change; it may still apply it, once."""


def _set_once(client: SyncPrefectClient, flow_run_id: UUID, state: State) -> None:
    try:
        with temporary_settings({PREFECT_CLIENT_MAX_RETRIES: 0}):
            client.set_flow_run_state(flow_run_id, state, force=True)
    except httpx.HTTPError as error:
        raise NoAnswer(
            f"Prefect-serveren bekræftede ikke skiftet til {state.name} "
            f"({type(error).__name__}); se flowløbets tilstand, og genstart det i Prefect UI "
            "hvis det står som Crashed"
        ) from error


def _heartbeats_since(flow_run_id: UUID, since: datetime) -> bool:
    with get_client(sync_client=True) as client:
        response = client.request(
            "POST",
            "/events/filter",
            json={
                "filter": {
                    "occurred": {"since": since.isoformat()},
                    "event": {"name": ["prefect.flow-run.heartbeat"]},
                    "resource": {"id": [f"prefect.flow-run.{flow_run_id}"]},
                },
                "limit": 1,
            },
        )
        return bool(response.json().get("events"))
