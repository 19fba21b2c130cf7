"""Meetings stage: plan the meetings, invite the members, and for each meeting send the agenda
with any calendar updates, sleep until the minutes are recorded (or the meeting is cancelled),
and write them. Only numbers, IDs and counts reach Prefect."""

from datetime import date
from typing import Any

from prefect import Task, get_run_logger
from prefect.client.schemas.objects import State
from prefect.states import Failed

from flows.status import committee_status
from opgaveudvalg.committee import committee_session
from opgaveudvalg.mail import outbox
from opgaveudvalg.meetings import documents, invitations, minutes, plan
from opgaveudvalg.members.recipients import politicians_without_address
from opgaveudvalg.orchestration import flowrun
from opgaveudvalg.orchestration.flowrun import step
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.settings import get_settings

ACTOR = "flow:meetings"


@step
def plan_the_meetings(slug: str) -> list[int]:
    """The meeting numbers (planning again keeps the existing plan)."""
    with committee_session(slug) as (session, found):
        return [m.number for m in plan.plan_meetings(session, found, get_settings(), ACTOR)]


@step
def next_meeting(slug: str) -> int | None:
    with committee_session(slug) as (session, found):
        return plan.next_open_meeting(session, found)


@step
def send_invitations(slug: str) -> dict[str, int] | State:
    """Queue a REQUEST or CANCEL for every change the members have not had, then deliver."""
    settings = get_settings()
    with committee_session(slug) as (session, found):
        queued = len(invitations.queue_invitations(session, found, settings, date.today()))
        without_address = politicians_without_address(session, found, date.today())
        invitations.write_feed(session, found, settings)
        committee_id = found.id
    result = sent_or_failed(deliver(committee_id), queued)
    if isinstance(result, dict) and without_address:
        result["politikere uden e-mail"] = without_address
    return result


@step
def send_agenda(slug: str, number: int) -> dict[str, int] | State:
    """Write the agenda and send it to the members (again only if it changed)."""
    settings = get_settings()
    with committee_session(slug) as (session, found):
        meeting = plan.get_meeting(session, found, number)
        pdf = documents.write_agenda(session, found, meeting, settings)
        queued = len(invitations.queue_agenda(session, found, meeting, settings, pdf))
        committee_id = found.id
    return sent_or_failed(deliver(committee_id), queued)


def deliver(committee_id: int | None) -> dict[str, int]:
    """Send what is due and count it."""
    report = outbox.send_pending(committee_id=committee_id, dry_run=get_settings().mail_dry_run)
    return {**report.counts(), **({"problem": 1} if report.problem() else {})}


def sent_or_failed(counts: dict[str, int], queued: int) -> dict[str, int] | State:
    """Mail that did not go out ends the step Failed (without a traceback: the fault is the
    mail server's), so an administrator sees it in red; the lifecycle goes on, the outbox
    retries later, and `opgaveudvalg outbox send` says what is wrong."""
    if counts.pop("problem", 0):
        return Failed(
            message=f"E-mails blev ikke leveret: {counts} – se `opgaveudvalg outbox send`"
        )
    return {"queued": queued, **counts}


@step
def publish_meetings(slug: str) -> None:
    with committee_session(slug) as (session, found):
        rows = plan.meeting_rows(session, found, get_settings().timezone)
    flowrun.publish_table(f"moeder-{slug}", rows, f"Møderne i {slug}: tid, tilstand, sekvens")


@step
def settled_state(slug: str, number: int) -> str | None:
    with committee_session(slug) as (session, found):
        return plan.settled_state(session, found, number)


@step
def write_minutes(slug: str) -> dict[str, object]:
    """The minutes of the meetings held whose minutes are not written yet (the secretariat's
    command writes them too), and how many attendance warnings there are."""
    with committee_session(slug) as (session, found):
        written = documents.write_missing_minutes(session, found, get_settings())
        return {"written": written, "warnings": len(minutes.attendance_warnings(session, found))}


@step
def send_minutes(slug: str) -> dict[str, int] | State:
    """Send the written minutes to the members (each version once)."""
    settings = get_settings()
    with committee_session(slug) as (session, found):
        queued = sum(
            len(invitations.queue_minutes(session, found, meeting, settings, pdf))
            for meeting, pdf in documents.written_minutes(session, found, settings)
        )
        committee_id = found.id
    return sent_or_failed(deliver(committee_id), queued)


def meetings_stage(slug: str) -> str:
    """Runs until every meeting is held or cancelled; returns the committee's status."""
    logger = get_run_logger()
    logger.info("%s møder planlagt", len(plan_the_meetings(slug)))
    while (number := next_meeting(slug)) is not None:
        logger.info("Referater: %s", write_minutes(slug))
        logger.info("Referater sendt: %s", outcome(send_minutes, slug))
        publish_meetings(slug)
        logger.info("Invitationer før møde %s: %s", number, outcome(send_invitations, slug))
        logger.info("Dagsorden til møde %s: %s", number, outcome(send_agenda, slug, number))
        while (state := settled_state(slug, number)) is None:
            flowrun.sleep_until_woken(slug, f"{Wait.MINUTES}-{number}")
        logger.info("Møde %s: %s", number, state)
    logger.info("Referater: %s", write_minutes(slug))
    logger.info("Referater sendt: %s", outcome(send_minutes, slug))
    publish_meetings(slug)
    logger.info("Invitationer: %s", outcome(send_invitations, slug))
    return committee_status(slug)


def outcome(work: Task[..., Any], *args: object) -> object:
    """A step's result, or its failure's message: a failed send does not stop the meetings."""
    state: State = work(*args, return_state=True)  # type: ignore[assignment]
    return state.message if state.is_failed() else state.result()
