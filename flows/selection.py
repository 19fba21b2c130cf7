"""Selection stage: the fair lottery's probabilities, the public draw, reports, KB's appointment
and the letters. Only run IDs, counts and aggregate figures reach Prefect."""

from prefect import flow, get_run_logger, task

from opgaveudvalg import committee, orchestration
from opgaveudvalg.db import session_scope
from opgaveudvalg.models import SelectionStatus
from opgaveudvalg.selection import reports as selection_documents
from opgaveudvalg.selection import runs as selection
from opgaveudvalg.settings import get_settings

ACTOR = "flow:selection"


@task
def compute(slug: str) -> int:
    """The lottery's distribution; an earlier run still waiting for its draw is reused."""
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        runs = selection.open_runs(session, found)
        run = runs[0] if runs else selection.compute_selection(session, found)
        return run.id  # type: ignore[return-value]


@task
def publish_summary(slug: str, run_id: int) -> None:
    with session_scope() as session:
        rows = selection_documents.summary_rows(session, selection.get_run(session, run_id))
    orchestration.publish_table(
        f"udvaelgelse-{slug}", rows, f"Udvælgelse {run_id} til {slug}: mål og sandsynligheder"
    )


@task
def draw(slug: str, public_number: int) -> int:
    """Draw from the newest open run: the secretariat may have recomputed it meanwhile
    (`opgaveudvalg selection compute`, e.g. with a re-appointed member fixed). Returns its ID."""
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        run = selection.draw_panel(
            session, selection.open_runs(session, found)[0], public_number, ACTOR
        )
        return run.id  # type: ignore[return-value]


@task
def write_reports(run_id: int) -> int:
    with session_scope() as session:
        files = selection_documents.write_reports(
            session, selection.get_run(session, run_id), get_settings()
        )
    return len(files)


@task
def appoint(slug: str, answer: orchestration.AppointmentInput, flow_run_id: str) -> int:
    """Record KB's appointment and queue the letters in one transaction; returns the letters."""
    settings = get_settings()
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        selection.record_appointment(
            session,
            found,
            answer.kb_meeting_date,
            answer.agenda_item,
            [selection.Amendment(a.remove, a.add) for a in answer.amendments],
            selection.load_politicians(selection.politicians_path(settings.committees_dir, slug)),
            flow_run_id,
            ACTOR,
        )
        return len(selection_documents.write_letters(session, found, settings))


@flow(name="selection", flow_run_name="selection-{slug}")
def selection_flow(slug: str) -> str:
    """Returns 'appointed' once KB has appointed the members."""
    settings = get_settings()
    logger = get_run_logger()
    run_id = compute(slug)
    publish_summary(slug, run_id)
    with session_scope() as session:
        drawn = selection.get_run(session, run_id).status == SelectionStatus.drawn
    if not drawn:
        logger.info("Udvælgelse %s beregnet; afventer det offentligt trukne tal", run_id)
        number = orchestration.wait_for_public_draw(
            slug, settings.approval_timeout_days, settings.approval_poll_seconds
        )
        run_id = draw(slug, number)
        logger.info("Panel trukket i udvælgelse %s", run_id)
        publish_summary(slug, run_id)
    write_reports(run_id)
    answer = orchestration.wait_for_appointment(
        slug, settings.approval_timeout_days, settings.approval_poll_seconds
    )
    letters = appoint(slug, answer, orchestration.current_flow_run_id())
    logger.info("KB har udpeget medlemmerne; %s breve lagt i udbakken", letters)
    return "appointed"
