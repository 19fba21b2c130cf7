"""The people around the delivery, as the demo plays them through the same functions as the
commands: the secretariat submits the handover file, the standing committee and KB give their
decisions in the run's forms, and later the secretariat records one follow-up change."""

from datetime import timedelta
from pathlib import Path
from uuid import UUID

from demo import handover as example
from demo.runs import await_wait, now
from opgaveudvalg import committee
from opgaveudvalg.delivery import consultation, decision_file, feedback, followup, handover
from opgaveudvalg.delivery.records import Body, FollowUpStatus
from opgaveudvalg.members import roster
from opgaveudvalg.orchestration import inputs, runs, waits
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.settings import Settings

ACTOR = "demo"


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
    """The standing committee's decisions two weeks after the handover, then KB's on what it
    sent on two weeks later, each written as the file `opgaveudvalg recommendations decide`
    reads and given in the run's form."""
    for body, weeks in ((Body.standing_committee, 2), (Body.council, 4)):
        if not await_wait(slug, waits.FOR_BODY[body], run_id, timeout, now() - timedelta(days=1)):
            return
        with committee.committee_session(slug) as (session, found):
            numbers = consultation.to_decide(session, found, body)
            stored = handover.stored_handover(session, found)
        assert stored is not None and stored.delivered_on is not None
        meeting = stored.delivered_on + timedelta(weeks=weeks)
        text = example.decisions_yaml(body.value, numbers, meeting, item)
        path = example.write(folder / f"beslutning-{body.value}.yaml", text)
        given = decision_file.load_decisions(path, body)
        runs.submit_input(slug, inputs.ConsultationInput.of(given), waits.FOR_BODY[body])


def secretariat_follows_up(slug: str, settings: Settings, timeout: float) -> UUID:
    """A month after the decisions the first recommendation is under way, to be looked at
    again three months later: like `opgaveudvalg recommendations follow-up`, which starts a
    run that sends the letters and sleeps until that date. Returns the run."""
    with committee.committee_session(slug) as (session, found):
        final = consultation.final_decisions(session, found)
        number = min(final)
        since = max(d.meeting_date for d in final.values()) + timedelta(days=30)
        unit = committee.current_mandate(session, found).organisering.sekretariat
        row = followup.record_status(
            session,
            found,
            number,
            FollowUpStatus.under_way,
            since,
            "Administrationen er gået i gang og forelægger fagudvalget en plan for arbejdet.",
            unit,
            since + timedelta(days=90),
            ACTOR,
        )
        feedback.queue_status_letters(session, found, row, settings)
    started = now()
    run_id = runs.launch(slug).id
    if not await_wait(slug, Wait.FOLLOW_UP, run_id, timeout, started):
        raise RuntimeError(f"{slug}: the run ended without waiting for the follow-up date")
    return run_id
