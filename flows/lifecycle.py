"""A committee's whole life as one run of one deployment.

Every human wait suspends the run: its process exits, and no process is alive while the
committee waits for people or dates. When an answer or a date wakes it, a worker starts the run
again from the top; each stage is skipped once the committee is past it, and a stage skips what
it has done, so the run goes straight back to where it stood. (A subflow cannot be suspended,
so the stages are plain functions of this flow, not flows of their own.)

A user's mistake met on the way (a file, a decision that does not fit) is logged as one line and
the run waits for `opgaveudvalg resume`, so it goes on once the input is put right."""

from prefect import flow, get_run_logger

from flows.delivery import delivery_stage
from flows.mandate import mandate_stage
from flows.meetings import meetings_stage
from flows.recruitment import recruitment_stage
from flows.selection import selection_stage
from flows.status import committee_status
from opgaveudvalg.errors import UserError
from opgaveudvalg.orchestration import flowrun, portfolio, runs
from opgaveudvalg.orchestration.waits import Wait


@flow(name="committee-lifecycle", flow_run_name="lifecycle-{slug}")
def lifecycle_flow(slug: str) -> str:
    try:
        return _live(slug)
    except UserError as error:
        get_run_logger().error("fejl: %s", error)
        flowrun.sleep_until_woken(slug, Wait.FIX)
        raise AssertionError("a suspended run does not go on") from None


def _live(slug: str) -> str:
    status = committee_status(slug)
    if status == "draft":
        status = mandate_stage(slug)
    if status in ("mandated", "recruiting"):
        status = recruitment_stage(slug)
    if status == "selecting":
        status = selection_stage(slug)
    if status in ("appointed", "in_session"):
        status = meetings_stage(slug)
    if status in ("in_session", "delivered", "decided", "closed"):
        status = delivery_stage(slug)
    portfolio.publish_portfolio()
    return status


@flow(name="wake-committee", flow_run_name="wake-{slug}-{wait}")
def wake_flow(slug: str, wait: str) -> str | None:
    """Fired on a date (e.g. the day the call closes): wake the committee's run sleeping on
    `wait`; it reads the database and goes on, or sleeps again if the date has moved."""
    woken = runs.wake(slug, wait, patience_seconds=300)
    get_run_logger().info("Vækket: %s", woken or "intet flowløb venter")
    return str(woken) if woken else None
