"""Recruitment stage: open the call, take imports (each its own flow run), close at the deadline
or on command, then hand the committee to selection."""

import sys
import time
from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from rich.progress import Progress, SpinnerColumn, TextColumn

from opgaveudvalg import orchestration
from opgaveudvalg.committee import committee_session
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.recruitment import call, intake, status
from opgaveudvalg.settings import get_settings

IMPORT_COUNTS = ("rows", "inserted", "updated", "unchanged", "rejected", "repeated", "flagged")


def reject_dir(slug: str) -> Path:
    return CommitteeFiles.of(get_settings().output_dir, slug).rejects()


@task(cache_policy=NO_CACHE)
def open_call(slug: str) -> int:
    with committee_session(slug) as (session, found):
        files = call.open_call(session, found, get_settings(), "flow:recruitment")
    return len(files)


@task(cache_policy=NO_CACHE)
def publish_status(slug: str) -> int:
    """Publish the aggregates as a table artifact; returns the number of applicants."""
    with committee_session(slug) as (session, found):
        current = status.recruitment_status(session, found, get_settings())
    orchestration.publish_table(
        f"rekruttering-{slug}", current.rows(), f"Rekruttering til {slug}: ansøgere og mål"
    )
    return current.applicants


@task(cache_policy=NO_CACHE)
def import_file(slug: str, file: str) -> dict[str, int]:
    settings = get_settings()
    logger = get_run_logger()
    columns = (SpinnerColumn(), TextColumn("{task.description}: {task.completed} rækker"))
    with Progress(*columns, disable=not sys.stderr.isatty()) as bar:
        job = bar.add_task(f"Importerer {Path(file).name}", total=None)

        def progress(rows: int) -> None:
            bar.update(job, completed=rows)
            if rows % 10_000 == 0:
                logger.info("%s rækker læst", rows)

        with committee_session(slug) as (session, found):
            batch = intake.import_applications(session, found, Path(file), settings, progress)
            return batch.model_dump(include=set(IMPORT_COUNTS))


@task(cache_policy=NO_CACHE)
def wait_for_close(slug: str) -> str:
    """One task for the whole call period: returns why the call closed (deadline or command)."""
    while True:
        with committee_session(slug) as (session, found):
            reason = call.close_reason(session, found, date.today())
        if reason:
            return reason
        time.sleep(get_settings().approval_poll_seconds)


@task(cache_policy=NO_CACHE)
def close(slug: str, reason: str) -> str:
    with committee_session(slug) as (session, found):
        call.close_recruitment(session, found, "flow:recruitment", reason)
        return found.status.value


@flow(name="import-applications", flow_run_name="import-{slug}")
def import_applications_flow(slug: str, file: str) -> dict[str, int]:
    """One export file into the committee's applicants; then the status artifact is refreshed."""
    counts = import_file(slug, file)
    publish_status(slug)
    get_run_logger().info("Import: %s", counts)
    return counts


@flow(name="recruitment", flow_run_name="recruitment-{slug}")
def recruitment_flow(slug: str) -> str:
    """Returns 'selecting' once the call has closed."""
    logger = get_run_logger()
    open_call(slug)
    publish_status(slug)
    reason = wait_for_close(slug)
    logger.info("Opslaget lukkes: %s", reason)
    publish_status(slug)
    return close(slug, reason)
