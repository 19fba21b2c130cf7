"""Meetings stage: plan the meetings, invite the members, and for each meeting send the agenda
with any calendar updates, wait for the minutes, and write them. Only numbers, IDs and counts
reach Prefect."""

import time
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.status import committee_status
from opgaveudvalg.committee import committee_session
from opgaveudvalg.mail import outbox
from opgaveudvalg.meetings import documents, invitations, minutes, plan
from opgaveudvalg.models import MeetingState
from opgaveudvalg.settings import get_settings

ACTOR = "flow:meetings"


@task(name="plan", cache_policy=NO_CACHE)
def plan_the_meetings(slug: str) -> list[int]:
    """The meeting numbers (planning again keeps the existing plan)."""
    with committee_session(slug) as (session, found):
        return [m.number for m in plan.plan_meetings(session, found, get_settings(), ACTOR)]


@task(cache_policy=NO_CACHE)
def next_meeting(slug: str) -> int | None:
    with committee_session(slug) as (session, found):
        return plan.next_open_meeting(session, found)


@task(cache_policy=NO_CACHE)
def send_invitations(slug: str) -> dict[str, int]:
    """Queue a REQUEST or CANCEL for every change the members have not had, then deliver."""
    settings = get_settings()
    with committee_session(slug) as (session, found):
        queued = len(invitations.queue_invitations(session, found, settings, date.today()))
        invitations.write_feed(session, found, settings)
        committee_id = found.id
    report = outbox.send_pending(committee_id=committee_id, dry_run=settings.mail_dry_run)
    return {"queued": queued, **report.counts()}


@task(cache_policy=NO_CACHE)
def send_agenda(slug: str, number: int) -> dict[str, int]:
    """Write the agenda and send it to the members (again only if it changed)."""
    settings = get_settings()
    with committee_session(slug) as (session, found):
        meeting = plan.get_meeting(session, found, number)
        pdf = documents.write_agenda(session, found, meeting, settings)
        queued = len(invitations.queue_agenda(session, found, meeting, settings, pdf))
        committee_id = found.id
    report = outbox.send_pending(committee_id=committee_id, dry_run=settings.mail_dry_run)
    return {"queued": queued, **report.counts()}


@task(cache_policy=NO_CACHE)
def wait_for_minutes(slug: str, number: int) -> str:
    """One task for the time until the secretariat has recorded the minutes (or cancelled)."""
    while True:
        with committee_session(slug) as (session, found):
            state = plan.settled_state(session, found, number)
        if state is not None:
            return state
        time.sleep(get_settings().approval_poll_seconds)


@task(cache_policy=NO_CACHE)
def write_minutes(slug: str, number: int) -> int:
    """The minutes; returns how many attendance warnings there are."""
    with committee_session(slug) as (session, found):
        meeting = plan.get_meeting(session, found, number)
        documents.write_meeting_document(session, found, meeting, get_settings(), minutes=True)
        return len(minutes.attendance_warnings(session, found))


@flow(name="meetings", flow_run_name="meetings-{slug}")
def meetings_flow(slug: str) -> str:
    """Runs until every meeting is held or cancelled; returns the committee's status."""
    logger = get_run_logger()
    logger.info("%s møder planlagt", len(plan_the_meetings(slug)))
    while (number := next_meeting(slug)) is not None:
        counts = send_invitations(slug)
        logger.info("Invitationer før møde %s: %s", number, counts)
        logger.info("Dagsorden til møde %s: %s", number, send_agenda(slug, number))
        state = wait_for_minutes(slug, number)
        if state == MeetingState.held.value:
            warnings = write_minutes(slug, number)
            logger.info("Møde %s holdt; %s advarsler om fravær", number, warnings)
        else:
            logger.info("Møde %s er aflyst", number)
    send_invitations(slug)
    return committee_status(slug)
