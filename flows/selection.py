"""Selection stage: the fair lottery's probabilities, the public draw, reports, KB's appointment
and the letters. Only run IDs, counts and aggregate figures reach Prefect."""

from prefect import get_run_logger

from opgaveudvalg.committee import committee_session
from opgaveudvalg.db import session_scope
from opgaveudvalg.members import appointment, letters
from opgaveudvalg.orchestration import flowrun, inputs
from opgaveudvalg.orchestration.flowrun import step
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.selection import reports, runs
from opgaveudvalg.settings import get_settings

ACTOR = "flow:selection"


@step
def compute(slug: str) -> int:
    """The lottery's distribution; a run computed or drawn but not yet appointed is reused."""
    with committee_session(slug) as (session, found):
        return runs.open_or_compute(session, found).id  # type: ignore[return-value]


@step
def publish_summary(slug: str, run_id: int) -> None:
    with session_scope() as session:
        rows = reports.summary_rows(session, runs.get_run(session, run_id))
    flowrun.publish_table(
        f"udvaelgelse-{slug}", rows, f"Udvælgelse {run_id} til {slug}: mål og sandsynligheder"
    )


@step
def awaits_draw(run_id: int) -> bool:
    with session_scope() as session:
        return runs.awaits_draw(session, run_id)


@step
def draw(slug: str, public_number: int) -> int:
    """Draw from the newest open run: the secretariat may have recomputed it meanwhile
    (`opgaveudvalg selection compute`, e.g. with a re-appointed member fixed). Returns its ID."""
    with committee_session(slug) as (session, found):
        run = runs.draw_panel(session, runs.newest_open_run(session, found), public_number, ACTOR)
        return run.id  # type: ignore[return-value]


@step
def write_reports(run_id: int) -> int:
    with session_scope() as session:
        files = reports.write_reports(session, runs.get_run(session, run_id), get_settings())
    return len(files)


@step
def appoint(slug: str, answer: inputs.AppointmentInput, flow_run_id: str) -> int:
    """Record KB's appointment and queue the letters in one transaction; returns the letters."""
    settings = get_settings()
    politicians = appointment.load_politicians(
        appointment.politicians_path(settings.committees_dir, slug)
    )
    with committee_session(slug) as (session, found):
        appointment.record_appointment(
            session,
            found,
            answer.kb_meeting_date,
            answer.agenda_item,
            [appointment.Amendment(a.remove, a.add) for a in answer.amendments],
            politicians,
            flow_run_id,
            ACTOR,
        )
        queued = len(letters.write_letters(session, found, settings))
        rows = letters.appointment_rows(session, found)
    flowrun.publish_table(f"udpegning-{slug}", rows, f"KB's udpegning til {slug}: pladser og breve")
    return queued


def selection_stage(slug: str) -> str:
    """Returns 'appointed' once KB has appointed the members."""
    logger = get_run_logger()
    run_id = compute(slug)
    publish_summary(slug, run_id)
    if awaits_draw(run_id):
        logger.info("Udvælgelse %s beregnet; afventer det offentligt trukne tal", run_id)
        answer = flowrun.await_answer(slug, inputs.draw_form(slug), Wait.PUBLIC_DRAW)
        run_id = draw(slug, answer.public_number)
        logger.info("Panel trukket i udvælgelse %s", run_id)
        publish_summary(slug, run_id)
    write_reports(run_id)
    appointed = flowrun.await_answer(slug, inputs.appointment_form(slug), Wait.APPOINTMENT)
    queued = appoint(slug, appointed, flowrun.current_flow_run_id())
    logger.info("KB har udpeget medlemmerne; %s breve lagt i udbakken", queued)
    return "appointed"
