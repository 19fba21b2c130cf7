"""The lifecycle as it runs in production: a Prefect server (on PostgreSQL in CI), the
deployments, and a process worker; the people around the committee answer through the same
functions as the commands. Each test has its own app database and its own worker."""

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from helpers import EXAMPLES, opgaveudvalg
from prefect import flow, get_client
from prefect.artifacts import Artifact
from prefect.client.schemas.filters import FlowFilter, FlowFilterName, LogFilter, LogFilterFlowRunId
from prefect.client.schemas.objects import StateType
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_REQUEST_TIMEOUT, PREFECT_API_URL, temporary_settings
from prefect.states import Running
from sqlmodel import Session, select

from demo import delivery, services
from demo.lifecycle import (
    demo_export,
    import_demo_export,
    run_committee,
    secretariat_holds_meetings,
    secretariat_recruits,
)
from demo.runs import await_end, await_wait, run_state
from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.delivery import consultation, followup
from opgaveudvalg.delivery.records import Body, FollowUp, FollowUpStatus, Outcome
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.validation import load_mandate
from opgaveudvalg.meetings import plan
from opgaveudvalg.members import roster
from opgaveudvalg.models import Decision
from opgaveudvalg.orchestration import deployments, reaper, runs, setup
from opgaveudvalg.orchestration.flowrun import step
from opgaveudvalg.orchestration.imports import import_file
from opgaveudvalg.orchestration.inputs import (
    AppointmentInput,
    ConsultationInput,
    MandateApproval,
    PublicDraw,
    RecommendationDecisionInput,
)
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.recruitment import call, imports
from opgaveudvalg.selection import runs as selection_runs
from opgaveudvalg.settings import get_settings

# Minutes each: the lifecycle on a real Prefect server, shared by every flow test on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-server")]
PREFECT_DATABASE = os.environ.get("OPGAVEUDVALG_TEST_PREFECT_DATABASE_URL", "")
TIMEOUT = 600
STALE_AFTER_SECONDS = 60


@pytest.fixture(scope="session")
def prefect_database(worker_id: str) -> Iterator[str]:
    """A fresh PostgreSQL database of this test worker's own for Prefect's server when CI
    gives one (a server, and so a work pool, never shared between test workers); else ''."""
    if not PREFECT_DATABASE:
        yield ""
        return
    admin = psycopg.connect(PREFECT_DATABASE, autocommit=True)
    name = f"{admin.info.dbname}_{worker_id}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    yield PREFECT_DATABASE.rsplit("/", 1)[0] + f"/{name}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def prefect_server(
    prefect_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One Prefect server for all flow tests, on PostgreSQL when CI gives one, with the
    deployments created as `opgaveudvalg deploy` does."""
    os.environ["OPGAVEUDVALG_PREFECT_DATABASE_URL"] = prefect_database
    os.environ["OPGAVEUDVALG_STALE_WAIT_DAYS"] = str(STALE_AFTER_SECONDS / 86400)
    get_settings.cache_clear()
    log = tmp_path_factory.mktemp("prefect") / "server.log"
    with services.prefect_server(get_settings(), log) as url:
        get_settings.cache_clear()
        setup.use_prefect(get_settings(), server=True)
        deployments.deploy(get_settings())
        yield url


@pytest.fixture
def worker(prefect_server: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A worker with this test's settings; afterwards every run is deleted, so that no test
    sees another's runs."""
    get_settings.cache_clear()
    with services.worker(get_settings(), tmp_path / "worker.log") as process:
        yield process
    with get_client(sync_client=True) as client:
        for run in client.read_flow_runs(limit=200):
            client.delete_flow_run(run.id)


@pytest.fixture
def example(committees_dir: Path) -> str:
    shutil.copy(EXAMPLES / "fn-verdensmaal.yaml", committees_dir)
    shutil.copytree(EXAMPLES / "politikere", committees_dir / "politikere")
    return "fn-verdensmaal"


def decision(kind: Decision, note: str | None = None) -> committee.DecisionInput:
    return committee.DecisionInput(kind, date(2027, 1, 28), 12, "00.01.00-A00-7-27", note)


def recruit(slug: str):  # type: ignore[no-untyped-def]
    return partial(secretariat_recruits, slug, get_settings())


COUNCIL = [
    (Wait.PUBLIC_DRAW, PublicDraw(public_number=31)),
    (Wait.APPOINTMENT, AppointmentInput(kb_meeting_date=date(2027, 2, 25), agenda_item=7)),
]


def run_to_close(slug: str) -> str:
    """The whole life: the meetings, the handover, the standing committee's and KB's decisions
    (the standing committee's first answer, given in the form, leaves recommendations out)."""
    work = partial(work_with_a_mistake_in_the_form, slug)
    return run_committee(slug, decision(Decision.approved), recruit(slug), COUNCIL, work)


def work_with_a_mistake_in_the_form(slug: str, run_id: UUID) -> None:
    settings = get_settings()
    secretariat_holds_meetings(slug, settings, run_id)
    folder = settings.output_dir.parent / "aflevering" / slug
    delivery.secretariat_hands_over(slug, folder, run_id, TIMEOUT)
    asked = datetime.now(UTC) - timedelta(days=1)
    assert await_wait(slug, Wait.STANDING_COMMITTEE, run_id, TIMEOUT, asked)
    item = RecommendationDecisionInput(anbefaling=1, beslutning=Outcome.followed, begrundelse="Ja")
    partial_answer = ConsultationInput(
        møde=date(2028, 1, 10), punkt=7, sagsnr="00.01.00-A00-7-27", beslutninger=[item]
    )
    answered = datetime.now(UTC)
    runs.submit_input(slug, partial_answer, Wait.STANDING_COMMITTEE)
    assert await_wait(slug, f"{Wait.STANDING_COMMITTEE}-1", run_id, TIMEOUT, answered)
    with committee.committee_session(slug) as (session, found):
        refused = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "consultation.refused")
        ).one()
        assert consultation.decisions(session, found) == []
    assert refused.reason.startswith(  # type: ignore[union-attr]
        "fagudvalgets beslutning: der mangler en beslutning om anbefaling 2, 3, 4"
    )
    delivery.bodies_decide(slug, folder, run_id, TIMEOUT, item=7)


def descendants(pid: int) -> list[int]:
    """The processes started by `pid`, and by them, and so on."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def flow_processes(worker: subprocess.Popen[bytes]) -> list[int]:
    """The worker's flow-run processes alive now (it starts each run as a child process)."""
    return descendants(worker.pid)


def kill_worker_and_runs(worker: subprocess.Popen[bytes]) -> None:
    for pid in [worker.pid, *descendants(worker.pid)]:
        with suppress(ProcessLookupError):  # a short-lived child that ended meanwhile
            os.kill(pid, signal.SIGKILL)
    worker.wait()


def no_flow_process_left(worker: subprocess.Popen[bytes], seconds: float = 15) -> bool:
    """True once no flow process is alive (a suspended run's process takes a moment to exit)."""
    deadline = time.monotonic() + seconds
    while flow_processes(worker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def prefect_database_bytes() -> bytes:
    """Everything in Prefect's database, as stored."""
    if url := get_settings().prefect_database_url:
        return subprocess.run(["pg_dump", url], capture_output=True, check=True).stdout
    home = get_settings().prefect_home
    return b"".join(path.read_bytes() for path in home.glob("prefect.db*"))


@pytest.fixture
def debug_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every logger of the worker and its runs at DEBUG (set before the worker starts)."""
    monkeypatch.setenv("PREFECT_LOGGING_LEVEL", "DEBUG")
    monkeypatch.setenv("PREFECT_LOGGING_ROOT_LEVEL", "DEBUG")


def test_the_whole_lifecycle_with_a_worker(
    debug_logging: None, worker: subprocess.Popen[bytes], example: str, tmp_path: Path
) -> None:
    """Launch, KB approves, recruitment, draw, appointment, every meeting, the handover and the
    decisions on it, the close, a follow-up and a retention run; the documents, artifacts and
    database agree, and nothing personal reached Prefect or any log line, at DEBUG."""
    assert run_to_close(example) == "closed"
    with committee.committee_session(example) as (session, found):
        events = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "mandate.approved")
        ).all()
        recorded = session.exec(select(models.ApprovalDecision)).one()
    assert found.status == models.CommitteeStatus.closed
    assert [e.actor for e in events] == ["kommunalbestyrelsen"]
    assert recorded.flow_run_id and recorded.case_number == "00.01.00-A00-7-27"
    pdf = get_settings().output_dir / example / "kommissorium-v1" / "da" / "kommissorium.pdf"
    assert pdf.stat().st_size > 10_000
    artifact = Artifact.get(f"kommissorium-{example}")
    assert artifact is not None and artifact.type == "table"
    figures = {row["nøgletal"]: row["værdi"] for row in json.loads(artifact.data)}  # type: ignore[arg-type]
    assert (figures["borgerpladser"], figures["møder"], figures["åbne pladser"]) == (10, 7, 1)
    calls = get_settings().output_dir / example / "opslag"
    assert {p.relative_to(calls).as_posix() for p in calls.rglob("opslag.*")} == {
        f"{lang}/opslag.{fmt}" for lang in ("da", "en") for fmt in ("html", "pdf", "txt")
    }
    with session_scope() as session:
        applicants = session.exec(select(models.Applicant)).all()
        rejected = session.exec(select(models.QuarantinedRow)).all()
        actions = [e.action for e in session.exec(select(models.AuditEvent))]
        reviews = session.exec(select(models.DuplicateReview)).all()
    # 150 good rows, one of them repeated with another e-mail (flagged), 8 bad rows kept aside
    assert (len(applicants), len(reviews), len({r.row_number for r in rejected})) == (151, 1, 8)
    assert "recruitment.close_requested" in actions
    status = Artifact.get(f"rekruttering-{example}")
    assert status is not None
    counts = {row["emne"]: row["antal"] for row in json.loads(status.data)}  # type: ignore[arg-type]
    assert (counts["ansøgere i alt"], counts["mulige dubletter til vurdering"]) == (151, 1)
    with committee.committee_session(example) as (session, found):
        run = selection_runs.current_run(session, found)
        members = roster.members(session, found)
        letters = session.exec(select(models.OutboxMessage)).all()
    assert run.seed == "00.01.00-A00-7-27/31" and run.status == models.SelectionStatus.appointed
    assert len([m for m in members if m.applicant_id]) == 10
    assert len([m for m in members if m.politician_name]) == 5
    assert len([m for m in letters if m.kind.startswith("brev-")]) == 151
    with committee.committee_session(example) as (session, found):
        planned = plan.meetings(session, found)
        invitations = session.exec(
            select(models.OutboxMessage).where(models.OutboxMessage.kind == "moede-request")
        ).all()
    states = [m.state for m in planned]
    assert states.count(models.MeetingState.cancelled) == 1
    assert states.count(models.MeetingState.held) == len(planned) - 1
    # every member (10 citizens, 5 politicians) was invited to every meeting, and again to the
    # moved one
    assert len(invitations) == 15 * (len(planned) + 1)
    minutes = get_settings().output_dir / example / "moeder" / "moede-1" / "da" / "referat.pdf"
    assert minutes.stat().st_size > 10_000
    summary = Artifact.get(f"udvaelgelse-{example}")
    assert summary is not None
    figures = {row["emne"]: row["værdi"] for row in json.loads(summary.data)}  # type: ignore[arg-type]
    assert (figures["metode"], figures["borgerpladser"], figures["frø"]) == (
        "leximin",
        10,
        run.seed,
    )

    appointed = Artifact.get(f"udpegning-{example}")
    assert appointed is not None
    seats = {row["emne"]: row["antal"] for row in json.loads(appointed.data)}  # type: ignore[arg-type]
    assert (seats["borgere udpeget"], seats["politikere udpeget"]) == (10, 5)
    meetings = Artifact.get(f"moeder-{example}")
    assert meetings is not None
    shown = json.loads(meetings.data)  # type: ignore[arg-type]
    assert [row["tilstand"] for row in shown] == [plan.STATE_NAMES[m.state] for m in planned]
    delivered_and_closed(example)
    followed_up(example, delivery.secretariat_follows_up(example, get_settings(), TIMEOUT))
    retention_runs_daily(example)
    secrets = personal_data(example)
    stored = prefect_database_bytes()
    assert example.encode() in stored  # the scan does see what the flows wrote
    logged = (tmp_path / "worker.log").read_bytes()
    assert b"DEBUG" in logged and example.encode() in logged
    for secret in secrets:
        assert not stored_anywhere(secret, stored), secret
        assert not stored_anywhere(secret, logged), secret


def retention_runs_daily(slug: str) -> None:
    """The retention deployment has its daily schedule; a run (nothing is due yet: the dates
    are months after the appointment) completes with counts per committee as its artifact."""
    with get_client(sync_client=True) as client:
        found = client.read_deployment_by_name(runs.deployment(deployments.RETENTION_FLOW))
    assert [s.schedule.cron for s in found.schedules] == [deployments.RETENTION_CRON]  # type: ignore[union-attr]
    run = run_deployment(runs.deployment(deployments.RETENTION_FLOW), timeout=TIMEOUT)
    assert run.state is not None and run.state.is_completed()  # type: ignore[union-attr]
    artifact = Artifact.get("sletning")
    assert artifact is not None
    rows = {row["udvalg"]: row for row in json.loads(artifact.data)}  # type: ignore[arg-type]
    assert rows[slug]["ansøgere"] == 0 and rows[slug]["medlemmers kontaktdata"] == 0


def delivered_and_closed(slug: str) -> None:
    """The decisions as the forms gave them, the report and summary written, the members
    told, the memberships ended on the day it closed."""
    with committee.committee_session(slug) as (session, found):
        given = consultation.decisions(session, found)
        final = consultation.final_decisions(session, found)
        seated = roster.members(session, found)
        letters = session.exec(
            select(models.OutboxMessage).where(models.OutboxMessage.kind == "tilbagemelding")
        ).all()
        closed_on = found.closed_on
    assert {d.body for d in given} == {Body.standing_committee, Body.council}
    assert all(d.flow_run_id for d in given)
    assert final[2].body == Body.council and final[2].outcome == Outcome.partly
    assert closed_on is not None and all(m.end_date and m.end_date <= closed_on for m in seated)
    files = CommitteeFiles.of(get_settings().output_dir, slug)
    assert (files.handover("da") / "aflevering.pdf").stat().st_size > 10_000
    assert any(files.closing("da").iterdir())
    citizens = {m.applicant_id for m in seated if m.applicant_id}
    assert citizens <= {m.applicant_id for m in letters}


def followed_up(slug: str, run_id: UUID) -> None:
    """A status change with a follow-up date: the run queued the status letters and sleeps with
    a wake scheduled that morning; when the date has come (moved to today here) and the run is
    woken, the secretariat is reminded and the run ends."""
    with committee.committee_session(slug) as (session, found):
        step = next(s for s in followup.current_statuses(session, found) if s.next_review)
        kinds = [m.kind for m in session.exec(select(models.OutboxMessage))]
    assert step.status == FollowUpStatus.under_way and "tilbagemelding-status" in kinds
    wakes = [r for r in runs.scheduled_wakes(slug) if r.parameters["wait"] == Wait.FOLLOW_UP]
    local = [w.expected_start_time.astimezone(ZoneInfo("Europe/Copenhagen")) for w in wakes]  # type: ignore[union-attr]
    assert [(t.date(), t.hour) for t in local] == [(step.next_review, 8)]
    with committee.committee_session(slug) as (session, found):
        session.get(FollowUp, step.id).next_review = date.today()  # type: ignore[union-attr]
    runs.wake(slug, Wait.FOLLOW_UP)
    assert await_end(slug, run_id, TIMEOUT) == "closed"
    with committee.committee_session(slug) as (session, found):
        reminders = session.exec(
            select(models.OutboxMessage).where(
                models.OutboxMessage.kind == "paamindelse-opfoelgning"
            )
        ).all()
    assert [r.to_address for r in reminders] == [get_settings().secretariat_email]


def personal_data(example: str) -> list[str]:
    """Names, addresses and e-mails of the contact person, applicants, members, politicians."""
    contact = load_mandate(EXAMPLES / f"{example}.yaml").organisering.kontaktperson
    with session_scope() as session:
        people = session.exec(select(models.Applicant)).all()[:20]
        found = committee.get_committee(session, example)
        seated = roster.members(session, found)
        people += [session.get(models.Applicant, m.applicant_id) for m in seated if m.applicant_id]  # type: ignore[misc]
        politicians = [m.politician_name for m in seated if m.politician_name]
    assert len(politicians) == 5
    secrets = [contact.navn, contact.email, contact.navn.split()[-1], *politicians]
    secrets += [value for person in people for value in (person.name, person.email, person.address)]
    assert all(secrets)
    return secrets  # type: ignore[return-value]


def stored_anywhere(secret: str, stored: bytes) -> bool:
    """Whether `secret` is in `stored` as UTF-8 or inside JSON with `\\u00f8`-style escapes."""
    forms = {secret.encode(), json.dumps(secret)[1:-1].encode()}
    return any(form in stored for form in forms)


ROW_PERSON = ("Søren Æbeløe-Sørensen", "soeren.aebeloe@example.org", "Østre Allé 7, 2900 Hellerup")


@step
def insert_twice(committee_id: int) -> None:
    """Insert the same applicant twice: the unique e-mail key fails, with the row in the
    database driver's message."""
    name, email, address = ROW_PERSON
    for _ in range(2):
        with session_scope() as session:
            session.add(
                models.Applicant(
                    committee_id=committee_id,
                    email_key=email,
                    name=name,
                    email=email,
                    address=address,
                    postcode="2900",
                    birth_year=1970,
                    gender="mand",
                    content_hash="x",
                    source="test",
                )
            )


@flow(name="row-error-probe")
def row_error_probe(committee_id: int) -> None:
    insert_twice(committee_id)


def test_a_database_error_never_carries_the_row_into_prefect(prefect_server: str) -> None:
    """A step whose insert fails ends Failed with the error's class and the step's name; the
    row's values (which SQLAlchemy's message quotes) reach neither Prefect's logs nor events."""
    with session_scope() as session:
        probe = models.Committee(slug="probe", title="Prøve", parent_committee="Et udvalg")
        session.add(probe)
        session.flush()
        committee_id = probe.id
    state = row_error_probe(committee_id, return_state=True)  # type: ignore[call-overload]
    assert state.is_failed()
    with get_client(sync_client=True) as client:
        runs_of_task = client.read_task_runs()
    failed = [r for r in runs_of_task if r.name.startswith("insert_twice") and r.state.is_failed()]  # type: ignore[union-attr]
    assert failed and "databasefejl (IntegrityError) i trinnet insert_twice" in (
        failed[-1].state.message or ""  # type: ignore[union-attr]
    )
    time.sleep(5)  # the run's logs and events reach the server in batches
    stored = prefect_database_bytes()
    assert b"row-error-probe" in stored and b"IntegrityError" in stored
    for secret in ROW_PERSON:
        assert not stored_anywhere(secret, stored), secret


def test_a_waiting_committee_has_no_process_and_cannot_be_launched_twice(
    worker: subprocess.Popen[bytes], example: str
) -> None:
    started = datetime.now(UTC)
    run = runs.launch(example)
    assert await_wait(example, Wait.MANDATE_APPROVAL, run.id, TIMEOUT, started)
    assert no_flow_process_left(worker), flow_processes(worker)
    with pytest.raises(UserError, match="allerede et aktivt flowløb"):
        runs.launch(example)
    with pytest.raises(UserError, match="Intet flowløb .* venter på det offentligt trukne tal"):
        runs.submit_input(example, PublicDraw(public_number=1), Wait.PUBLIC_DRAW)
    listing = opgaveudvalg("committees")
    assert listing.returncode == 0, listing.stderr
    [line] = [row for row in listing.stdout.splitlines() if row.startswith(example)]
    assert "draft" in line and "Suspended" in line and "KB's beslutning om kommissoriet" in line
    portfolio = Artifact.get("portefoelje")
    assert portfolio is not None and example in str(portfolio.data)


def test_a_committee_waiting_too_long_is_flagged_to_the_secretariat(
    worker: subprocess.Popen[bytes], example: str
) -> None:
    """The automation made by `deploy` notices a run suspended for longer than
    `stale_wait_days` (a minute here) and a run of its deployment mails the secretariat."""
    started = datetime.now(UTC)
    run = runs.launch(example)
    assert await_wait(example, Wait.MANDATE_APPROVAL, run.id, TIMEOUT, started)
    deadline = time.monotonic() + STALE_AFTER_SECONDS + 240
    while not (reminders := reminders_queued()):
        assert time.monotonic() < deadline, "no reminder within the time"
        time.sleep(5)
    [reminder] = reminders
    assert reminder.to_address == get_settings().secretariat_email
    assert "venter stadig på KB's beslutning om kommissoriet" in reminder.subject
    assert str(run.id) in reminder.body_text


def reminders_queued() -> list[models.OutboxMessage]:
    with session_scope() as session:
        return list(
            session.exec(
                select(models.OutboxMessage).where(models.OutboxMessage.kind == "paamindelse")
            )
        )


def test_amend_ends_the_run_and_a_new_launch_waits_for_the_new_version(
    worker: subprocess.Popen[bytes], example: str
) -> None:
    note = "Udvalget skal også se på affald"
    assert run_committee(example, decision(Decision.amend, note)) == "draft"
    with committee.committee_session(example) as (session, found):
        assert (found.status, found.status_note) == (models.CommitteeStatus.draft, note)
        [event] = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "mandate.amend")
        ).all()
        assert event.reason == note
    path = get_settings().committees_dir / f"{example}.yaml"
    amended = path.read_text(encoding="utf-8").replace(
        "baggrund: |\n", "baggrund: |\n  Affald og genbrug indgår også i opgaven.\n", 1
    )
    path.write_text(amended, encoding="utf-8")
    started = datetime.now(UTC)
    run = runs.launch(example)
    assert await_wait(example, Wait.MANDATE_APPROVAL, run.id, TIMEOUT, started)
    waiting = runs.waiting_run(example, Wait.MANDATE_APPROVAL)
    assert waiting and waiting.state and waiting.state.state_details.pause_key
    with committee.committee_session(example) as (session, found):
        newest = committee.latest_mandate(session, found.id)  # type: ignore[arg-type]
    assert newest is not None and newest.version == 2
    assert waiting.state.state_details.pause_key == f"{Wait.MANDATE_APPROVAL}-{newest.id}"


def approved_and_recruiting(slug: str) -> runs.FlowRun:
    started = datetime.now(UTC)
    run = runs.launch(slug)
    assert await_wait(slug, Wait.MANDATE_APPROVAL, run.id, TIMEOUT, started)
    runs.submit_input(slug, MandateApproval.of(decision(Decision.approved)), Wait.MANDATE_APPROVAL)
    assert await_wait(slug, Wait.CALL_CLOSE, run.id, TIMEOUT, started)
    return run


def wake_runs(slug: str) -> list[runs.FlowRun]:
    with get_client(sync_client=True) as client:
        return client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[runs.WAKE_FLOW])),
        )


def test_the_call_closes_by_itself_when_its_deadline_passes(
    worker: subprocess.Popen[bytes], example: str
) -> None:
    """Opening the call schedules a wake run for its deadline; moving the deadline schedules
    another; when the moment comes the scheduled run wakes the committee, which closes the
    call and goes on to wait for the public draw — no process waited meanwhile."""
    run = approved_and_recruiting(example)
    assert import_demo_export(example, get_settings()).inserted > 100
    mandate = load_mandate(get_settings().committees_dir / f"{example}.yaml")
    zone = ZoneInfo(get_settings().timezone)
    first = datetime.combine(
        mandate.rekruttering.ansøgningsfrist + timedelta(days=1), datetime.min.time(), zone
    )
    [scheduled] = wake_runs(example)
    assert scheduled.expected_start_time == first + timedelta(seconds=5)
    assert no_flow_process_left(worker), flow_processes(worker)
    soon = datetime.now(zone) + timedelta(seconds=45)
    with committee.committee_session(example) as (session, found):
        moved = call.move_deadline(
            session, found, get_settings(), soon.date(), soon.time(), "test", plan.meeting_days
        )
    moved_at = datetime.now(UTC)
    runs.wake(example, Wait.CALL_CLOSE)
    assert await_wait(example, Wait.CALL_CLOSE, run.id, TIMEOUT, moved_at)
    assert {r.expected_start_time for r in wake_runs(example)} == {
        scheduled.expected_start_time,
        moved + timedelta(seconds=5),
    }
    assert await_wait(example, Wait.PUBLIC_DRAW, run.id, TIMEOUT, moved_at)
    wakes = {r.expected_start_time: r.state_name for r in wake_runs(example)}
    assert wakes == {
        scheduled.expected_start_time: "Cancelled",  # the closed call's first deadline
        moved + timedelta(seconds=5): "Completed",
    }
    with committee.committee_session(example) as (session, found):
        closed = status_changes(session, "selecting")
    assert found.status == models.CommitteeStatus.selecting
    assert [e.reason for e in closed] == ["ansøgningsfristen er udløbet"]


def state_history(run_id: UUID) -> list[str]:
    with get_client(sync_client=True) as client:
        return [state.name for state in client.read_flow_run_states(run_id)]


def status_changes(session: Session, to: str) -> list[models.AuditEvent]:
    changes = session.exec(
        select(models.AuditEvent).where(models.AuditEvent.action == "status.changed")
    ).all()
    return [e for e in changes if e.details.get("after") == to]


def test_a_killed_worker_and_run_are_recovered_without_duplicates(
    worker: subprocess.Popen[bytes], example: str, tmp_path: Path
) -> None:
    """kill -9 of the worker and the flow process while the run records KB's decision and
    opens the call: with the worker back, the reaper crashes and reschedules the silent run,
    and the committee ends at its next wait with one decision and one open call."""
    started = datetime.now(UTC)
    run = runs.launch(example)
    assert await_wait(example, Wait.MANDATE_APPROVAL, run.id, TIMEOUT, started)
    runs.submit_input(
        example, MandateApproval.of(decision(Decision.approved)), Wait.MANDATE_APPROVAL
    )
    deadline = time.monotonic() + TIMEOUT
    # killed as soon as the decision is stored, while the call is being opened: three seconds
    # after the run was Running, as before, it had already opened the call and was suspended
    while not approval_decisions(example):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    kill_worker_and_runs(worker)
    with services.worker(get_settings(), tmp_path / "worker-2.log"):
        while "Recovering" not in (history := state_history(run.id)):  # Crashed in between
            assert time.monotonic() < deadline
            time.sleep(1)
        assert await_wait(example, Wait.CALL_CLOSE, run.id, TIMEOUT, started)
    assert "Crashed" in history, history
    with committee.committee_session(example) as (session, found):
        opened = status_changes(session, "recruiting")
    assert (approval_decisions(example), len(opened), found.status.value) == (1, 1, "recruiting")


def approval_decisions(example: str) -> int:
    with committee.committee_session(example) as (session, _found):
        return len(session.exec(select(models.ApprovalDecision)).all())


class SlowStateChanges(ThreadingHTTPServer):
    """Passes every request on to the Prefect server, each state change only after `delay`
    seconds (a server that answers later than the client waits), and counts those."""

    def __init__(self, target: str, delay: float) -> None:
        self.target, self.delay, self.state_changes = target, delay, 0
        super().__init__(("127.0.0.1", 0), SlowStateChangesHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api"


class SlowStateChangesHandler(BaseHTTPRequestHandler):
    server: SlowStateChanges

    def forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("/set_state"):
            self.server.state_changes += 1
            time.sleep(self.server.delay)
        target = self.server.target.removesuffix("/api") + self.path
        headers = {"Content-Type": self.headers.get("Content-Type", "application/json")}
        answer = httpx.request(self.command, target, content=body, headers=headers)
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    do_GET = do_POST = do_PATCH = forward

    def log_message(self, format: str, *args: object) -> None:
        pass


@flow(name="silent-probe")
def silent_probe() -> None:
    pass


def test_the_reaper_changes_a_state_once_when_the_server_answers_too_late(
    prefect_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a server slower than the client's timeout the reaper sends `Crashed` once and
    stops with a clear reason: a repeated forced change could land after a worker took the
    run and start it a second time. The late change still lands, once."""
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(silent_probe, state=Running())
    monkeypatch.setattr(reaper, "SILENT_SECONDS", 0)
    slow = SlowStateChanges(prefect_server, delay=3)
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    try:
        with (
            temporary_settings({PREFECT_API_URL: slow.url, PREFECT_API_REQUEST_TIMEOUT: 1}),
            pytest.raises(reaper.NoAnswer, match="skiftet til Crashed"),
        ):
            reaper.reap(run.id)
        time.sleep(slow.delay + 1)
    finally:
        slow.shutdown()
    assert slow.state_changes == 1
    assert state_history(run.id).count("Crashed") == 1


def run_log(run_id: UUID, expected: str) -> str:
    """The run's log once it holds `expected` (a run's logs reach the server in batches)."""
    deadline = time.monotonic() + 30
    while True:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
        text = "\n".join(log.message for log in logs)
        if expected in text or time.monotonic() > deadline:
            return text
        time.sleep(1)


def test_a_users_mistake_stops_the_lifecycle_in_one_line_until_resume(
    worker: subprocess.Popen[bytes], example: str, committees_dir: Path
) -> None:
    """A mandate file broken after `launch` checked it: the run logs one `fejl:` line (no
    traceback), waits for a fix instead of failing, and goes on after `opgaveudvalg resume`."""
    mandate = committees_dir / f"{example}.yaml"
    good = mandate.read_text(encoding="utf-8")
    mandate.write_text(good + "\nslut: [\n", encoding="utf-8")
    started = datetime.now(UTC)
    run = runs.launch(example)
    assert await_wait(example, Wait.FIX, run.id, TIMEOUT, started)
    log = run_log(run.id, "fejl:")
    assert f"fejl: {mandate}" in log and "Traceback" not in log, log
    resumed = datetime.now(UTC)
    assert opgaveudvalg("resume", example).returncode == 0
    assert await_wait(example, Wait.FIX, run.id, TIMEOUT, resumed)  # still broken: waits again
    mandate.write_text(good, encoding="utf-8")
    assert opgaveudvalg("resume", example).returncode == 0
    assert await_wait(example, Wait.MANDATE_APPROVAL, run.id, TIMEOUT, started)


def test_an_unreadable_file_is_refused_without_a_failed_run_or_a_traceback(
    worker: subprocess.Popen[bytes], example: str, tmp_path: Path
) -> None:
    """A file of the wrong kind is the user's mistake: the command gets the reason, the run
    ends Completed as "Afvist", and neither its logs nor its state hold a traceback or the
    file's name (which may hold a person's name)."""
    approved_and_recruiting(example)
    broken = tmp_path / "ansøgning fra Søren Ærø.xlsx"
    broken.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    with pytest.raises(UserError, match="ansøgning fra Søren Ærø.xlsx"):
        import_file(example, broken)
    run = runs.committee_runs(example, deployments.IMPORT_FLOW)[0]
    assert (run.state_type, run.state_name) == (StateType.COMPLETED, "Afvist")
    text = run_log(run.id, "afvist") + (run.state.message or "")  # type: ignore[union-attr]
    assert "afvist" in text and "Traceback" not in text and "Søren" not in text


def test_a_killed_import_ends_crashed_and_importing_again_completes_it(
    worker: subprocess.Popen[bytes], example: str
) -> None:
    """kill -9 of an import's process while it runs: the worker marks the run Crashed (not
    Running forever), and importing the same file again gives every applicant once, taking
    over the lock its dead holder left. The import is held at the committee's lock (held by a
    process the test kills too), so it cannot finish before the kill lands."""
    approved_and_recruiting(example)
    export = demo_export(example, get_settings())
    holder = subprocess.Popen(["sleep", "600"])
    with committee.committee_session(example) as (session, found):
        held_for = imports.register_import(session, found, export).id
        batch_id = imports.register_import(session, found, export).id
        session.add(
            models.ImportLock(
                committee_id=found.id,  # type: ignore[arg-type]
                import_id=held_for,  # type: ignore[arg-type]
                holder=f"{socket.gethostname()}:{holder.pid}",
                beat_at=models.utcnow(),
            )
        )
        session.commit()
    run = run_deployment(
        runs.deployment(deployments.IMPORT_FLOW),
        parameters={"slug": example, "batch_id": batch_id},
        tags=[runs.committee_tag(example)],
        timeout=0,
        as_subflow=False,
    )
    deadline = time.monotonic() + TIMEOUT
    while run_state(run.id).name != "Running":  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        time.sleep(0.2)
    for pid in flow_processes(worker):
        os.kill(pid, signal.SIGKILL)
    while not (state := run_state(run.id)).is_final():  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        time.sleep(1)
    assert state.name == "Crashed"
    holder.kill()
    holder.wait()
    import_demo_export(example, get_settings())
    with session_scope() as session:
        applicants = session.exec(select(models.Applicant)).all()
        rejected = session.exec(select(models.QuarantinedRow)).all()
        locks = session.exec(select(models.ImportLock)).all()
    assert (len(applicants), len({r.row_number for r in rejected}), locks) == (151, 8, [])
