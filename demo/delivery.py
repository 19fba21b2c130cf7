"""The people around the delivery, as the demo plays them through the same functions as the
commands: the secretariat submits the handover file, the standing committee and KB give their
decisions in the run's forms, and later the secretariat records one follow-up change."""

from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from demo import handover as example
from demo.runs import await_end, await_wait, now
from opgaveudvalg import committee
from opgaveudvalg.delivery import consultation, decision_file, feedback, followup, handover
from opgaveudvalg.delivery.records import Body, FollowUpStatus
from opgaveudvalg.members import roster
from opgaveudvalg.orchestration import inputs, runs
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.settings import Settings

ACTOR = "demo"
WAITS = {Body.standing_committee: Wait.STANDING_COMMITTEE, Body.council: Wait.COUNCIL}


def secretariat_hands_over(slug: str, folder: Path, run_id: UUID, timeout: float) -> None:
    """Once the run waits for the recommendations: the handover file, submitted."""
    if not await_wait(slug, Wait.HANDOVER, run_id, timeout, now() - timedelta(days=1)):
        return
    with committee.committee_session(slug) as (session, found):
        tasks = committee.current_mandate(session, found).opgaver
        ids = [m.id for m in roster.members(session, found) if m.applicant_id and m.id]
    path = example.write_handover(folder, slug, tasks, ids)
    with committee.committee_session(slug) as (session, found):
        handover.submit_handover(session, found, path, ACTOR)
    runs.wake(slug, Wait.HANDOVER)


def bodies_decide(slug: str, folder: Path, run_id: UUID, timeout: float, item: int) -> None:
    """The standing committee's decisions, then KB's on what it sent on, each written as the
    file `opgaveudvalg recommendations decide` reads and given in the run's form."""
    for body, days_ago in ((Body.standing_committee, 3), (Body.council, 2)):
        if not await_wait(slug, WAITS[body], run_id, timeout, now() - timedelta(days=1)):
            return
        with committee.committee_session(slug) as (session, found):
            numbers = consultation.to_decide(session, found, body)
        meeting = date.today() - timedelta(days=days_ago)
        text = example.decisions_yaml(body.value, numbers, meeting, item)
        path = example.write(folder / f"beslutning-{body.value}.yaml", text)
        given = decision_file.load_decisions(path, body)
        runs.submit_input(slug, inputs.ConsultationInput.of(given), WAITS[body])


def secretariat_follows_up(slug: str, settings: Settings, timeout: float) -> str:
    """A recommendation's status changed yesterday, with a follow-up date that is today: a run
    sends the letters and the reminder, then ends. Returns the committee's status."""
    with committee.committee_session(slug) as (session, found):
        number = min(consultation.final_decisions(session, found))
        unit = committee.current_mandate(session, found).organisering.sekretariat
        row = followup.record_status(
            session,
            found,
            number,
            FollowUpStatus.under_way,
            date.today() - timedelta(days=1),
            "Administrationen er gået i gang og forelægger fagudvalget en plan for arbejdet.",
            unit,
            date.today(),
            ACTOR,
        )
        feedback.queue_status_letters(session, found, row, settings)
    return await_end(slug, runs.launch(slug).id, timeout)
