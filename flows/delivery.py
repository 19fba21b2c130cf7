"""Delivery stage: wait for the recommendations, hand them over with the report, wait for the
standing committee's and (where it sent any on) KB's decisions, tell everyone who took part what
was decided, close; then remind the secretariat on each follow-up date. Only numbers, IDs and
counts reach Prefect: the decisions' reasons are public texts written for the members."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from prefect import get_run_logger

from flows.meetings import deliver
from flows.status import committee_status
from opgaveudvalg.committee import committee_session
from opgaveudvalg.delivery import closing, consultation, feedback, followup, handover, report
from opgaveudvalg.delivery.records import Body
from opgaveudvalg.errors import UserError
from opgaveudvalg.orchestration import deployments, flowrun, inputs, waits
from opgaveudvalg.orchestration.flowrun import step
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.settings import get_settings

ACTOR = "flow:delivery"


@step
def handed_in(slug: str) -> bool:
    """Whether the secretariat has submitted the recommendations."""
    with committee_session(slug) as (session, found):
        return handover.stored_handover(session, found) is not None


@step
def hand_over(slug: str) -> int:
    """Write the handover report and mark the committee delivered (once); returns the files."""
    with committee_session(slug) as (session, found):
        if handover.stored_handover(session, found).delivered_on is not None:  # type: ignore[union-attr]
            return 0
        files = report.write_handover_report(session, found, get_settings())
        handover.mark_delivered(session, found, date.today(), ACTOR)
        return len(files)


@step
def awaited_body(slug: str) -> tuple[Body, list[int], int] | None:
    """The body the committee waits for, the recommendations it decides on, and how many of
    its answers were refused so far (each new question needs a new key)."""
    with committee_session(slug) as (session, found):
        body = consultation.awaiting(session, found)
        if body is None:
            return None
        numbers = consultation.to_decide(session, found, body)
        return body, numbers, consultation.refusals(session, found, body)


@step
def record_decisions(
    slug: str, body: Body, answer: inputs.ConsultationInput, flow_run_id: str
) -> str | None:
    """Record the body's answer; what does not fit is refused (in the audit trail) and
    returned, so the flow asks again."""
    try:
        with committee_session(slug) as (session, found):
            consultation.record(session, found, answer.as_decision(body), ACTOR, flow_run_id)
            return None
    except UserError as error:
        with committee_session(slug) as (session, found):
            consultation.refuse(session, found, body, str(error), ACTOR)
        return str(error)


@step
def close_the_committee(slug: str) -> dict[str, int]:
    """The report with the decisions, the letters to everyone who took part, the closing
    summary, and the committee closed (each step skips what is done)."""
    settings = get_settings()
    with committee_session(slug) as (session, found):
        if found.status.value == "closed":
            return {}
        files = len(report.write_handover_report(session, found, settings))
        letters = len(feedback.queue_decision_letters(session, found, settings))
        closing.close(session, found, date.today(), settings.retention_members_months, ACTOR)
        files += len(report.write_closing_summary(session, found, settings))
        committee_id = found.id
    return {"dokumenter": files, "breve": letters, **deliver(committee_id)}


@step
def follow_up(slug: str) -> str | None:
    """Send the status letters queued since, bring the closing summary's statuses up to date,
    remind the secretariat of follow-up dates that have passed; returns the next follow-up
    date (ISO), if any."""
    settings = get_settings()
    with committee_session(slug) as (session, found):
        report.write_closing_summary(session, found, settings)
        reminders = followup.queue_reminders(session, found, settings, date.today())
        upcoming = followup.next_review(session, found)
        committee_id = found.id
    get_run_logger().info(
        "Påmindelser om opfølgning: %s; udbakken: %s", reminders, deliver(committee_id)
    )
    return upcoming.isoformat() if upcoming else None


def delivery_stage(slug: str) -> str:
    """Runs until the committee is closed and no follow-up date is ahead; returns its status."""
    logger = get_run_logger()
    while not handed_in(slug):
        flowrun.sleep_until_woken(slug, Wait.HANDOVER)
    logger.info("Afleveringsrapporten: %s filer", hand_over(slug))
    while (awaited := awaited_body(slug)) is not None:
        body, numbers, refused = awaited
        form = inputs.consultation_form(slug, body, numbers)
        answer = flowrun.await_answer(slug, form, f"{waits.FOR_BODY[body]}-{refused}")
        problem = record_decisions(slug, body, answer, flowrun.current_flow_run_id())
        if problem:
            logger.error("fejl: %s", problem)
        else:
            logger.info("%s har besluttet om anbefaling %s", body.value, numbers)
    logger.info("Udvalget lukkes: %s", close_the_committee(slug))
    while (upcoming := follow_up(slug)) is not None:
        deployments.schedule_wake(slug, Wait.FOLLOW_UP, morning_of(date.fromisoformat(upcoming)))
        flowrun.sleep_until_woken(slug, Wait.FOLLOW_UP)
    return committee_status(slug)


def morning_of(day: date) -> datetime:
    """08:00 local time that day (or in a minute, if that has passed)."""
    zone = ZoneInfo(get_settings().timezone)
    when = datetime.combine(day, time(8), zone)
    return max(when, datetime.now(zone) + timedelta(minutes=1))
