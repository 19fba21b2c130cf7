"""Recruitment stage: open the call, take imports (each its own flow run), close at the deadline
or on command, then hand the committee to selection. While the call is open the lifecycle run
sleeps; a run scheduled for the deadline wakes it, as does `opgaveudvalg recruitment close`."""

import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from prefect import State, flow, get_run_logger
from prefect.states import Completed
from rich.progress import Progress, SpinnerColumn, TextColumn

from opgaveudvalg import models
from opgaveudvalg.committee import committee_session
from opgaveudvalg.db import session_scope
from opgaveudvalg.meetings import plan
from opgaveudvalg.orchestration import deployments, flowrun
from opgaveudvalg.orchestration.flowrun import step
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.recruitment import call, imports, status
from opgaveudvalg.settings import get_settings

IMPORT_COUNTS = ("rows", "inserted", "updated", "unchanged", "rejected", "repeated", "flagged")
PROGRESS_COLUMNS = (SpinnerColumn(), TextColumn("{task.description}: {task.completed} rækker"))


@step
def open_call(slug: str) -> int:
    with committee_session(slug) as (session, found):
        files = call.open_call(
            session, found, get_settings(), "flow:recruitment", plan.meeting_days
        )
    return len(files)


@step
def publish_status(slug: str) -> int:
    """Publish the aggregates as a table artifact; returns the number of applicants."""
    with committee_session(slug) as (session, found):
        current = status.recruitment_status(session, found, get_settings())
    flowrun.publish_table(
        f"rekruttering-{slug}", current.rows(), f"Rekruttering til {slug}: ansøgere og mål"
    )
    return current.applicants


@step
def import_file(batch_id: int) -> models.ImportState:
    """Run the registered import; a file it could not read ends as `refused`, its reason kept
    in the app database for the command that started it (the reason names the file)."""
    logger = get_run_logger()
    with Progress(*PROGRESS_COLUMNS, disable=not sys.stderr.isatty()) as bar:
        job = bar.add_task(f"Importerer (import {batch_id})", total=None)

        def progress(rows: int) -> None:
            bar.update(job, completed=rows)
            if rows % 10_000 == 0:
                logger.info("%s rækker læst", rows)

        with session_scope() as session:
            batch = session.get(models.ImportBatch, batch_id)
            if batch is None:
                raise ValueError(f"import {batch_id} findes ikke")
            imports.run_import(session, batch, get_settings(), progress)
            logger.info("Import %s: %s", batch_id, batch.model_dump(include=set(IMPORT_COUNTS)))
            return batch.state


@step
def close_reason(slug: str) -> str | None:
    settings = get_settings()
    with committee_session(slug) as (session, found):
        return call.close_reason(
            session, found, settings, datetime.now(ZoneInfo(settings.timezone))
        )


@step
def wake_at_deadline(slug: str) -> str:
    """A run of the wake deployment at the deadline (a few seconds after, so it has passed)."""
    settings = get_settings()
    with committee_session(slug) as (session, found):
        deadline = call.deadline_of(session, found, settings)
    deployments.schedule_wake(slug, Wait.CALL_CLOSE, deadline + timedelta(seconds=5))
    return deadline.isoformat()


@step
def cancel_deadline_wakes(slug: str) -> int:
    return deployments.cancel_wakes(slug, Wait.CALL_CLOSE)


@step
def close(slug: str, reason: str) -> str:
    with committee_session(slug) as (session, found):
        call.close_recruitment(session, found, "flow:recruitment", reason)
        return found.status.value


@flow(name="import-applications", flow_run_name="import-{slug}-{batch_id}")
def import_applications_flow(slug: str, batch_id: int) -> State:
    """One registered import (`opgaveudvalg applications import`); then the status artifact is
    refreshed. A file that cannot be read is the user's mistake, not a failed run: the run ends
    Completed as "Afvist", and the command prints the reason."""
    if import_file(batch_id) == models.ImportState.refused:
        get_run_logger().warning("Import %s afvist: filen kunne ikke læses", batch_id)
        return Completed(name="Afvist", message=f"import {batch_id}: filen kunne ikke læses")
    publish_status(slug)
    return Completed(message=f"import {batch_id} gennemført")


def recruitment_stage(slug: str) -> str:
    """Returns 'selecting' once the call has closed."""
    logger = get_run_logger()
    open_call(slug)
    publish_status(slug)
    while (reason := close_reason(slug)) is None:
        logger.info("Opslaget er åbent til %s", wake_at_deadline(slug))
        flowrun.sleep_until_woken(slug, Wait.CALL_CLOSE)
    logger.info("Opslaget lukkes: %s", reason)
    cancel_deadline_wakes(slug)
    publish_status(slug)
    return close(slug, reason)
