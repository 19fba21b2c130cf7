"""Keeping the runs honest: a run whose process died while Running is crashed and rescheduled."""

from uuid import UUID

from prefect import State, flow, get_run_logger
from prefect.states import Failed

from opgaveudvalg.orchestration import portfolio, reaper

GONE = "flowløbet findes ikke længere"


def _run_id(text: str) -> UUID | None:
    """The run's ID; empty when the run was deleted before the automation fired (Prefect then
    fills in an empty template)."""
    try:
        return UUID(text)
    except ValueError:
        return None


@flow(name="reap-stalled-run", flow_run_name="reap-{flow_run_id}")
def reap_stalled_run_flow(flow_run_id: str) -> str | State:
    """Started by an automation when a run's heartbeats stop. Reads the run again and acts only
    if it is still Running without a heartbeat (a suspended run's late heartbeat is harmless)."""
    run_id = _run_id(flow_run_id)
    try:
        outcome = reaper.reap(run_id) if run_id else GONE
    except reaper.NoAnswer as error:
        get_run_logger().error("Flowløb %s: %s", flow_run_id, error)
        return Failed(message=str(error))
    get_run_logger().info("Flowløb %s: %s", flow_run_id, outcome)
    return outcome


@flow(name="flag-stale-wait", flow_run_name="stale-{flow_run_id}")
def flag_stale_wait_flow(flow_run_id: str) -> str:
    """Started by an automation when a committee's run has been suspended longer than the
    setting `stale_wait_days`: mail the secretariat (through the outbox) what it waits for."""
    run_id = _run_id(flow_run_id)
    outcome = portfolio.remind_if_still_waiting(run_id) if run_id else GONE
    get_run_logger().info("Flowløb %s: %s", flow_run_id, outcome)
    return outcome
