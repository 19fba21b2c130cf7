"""The lifecycle flow under one temporary Prefect server: launch, KB decides, status follows.

KB's decision is given from a second thread through the same function as `opgaveudvalg approve`.
"""

import json
import shutil
from collections.abc import Iterator
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from helpers import EXAMPLES
from prefect.artifacts import Artifact
from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL
from prefect.testing.utilities import prefect_test_harness
from sqlmodel import select

from demo.lifecycle import run_committee, secretariat_holds_meetings, secretariat_recruits
from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.mandate.validation import load_mandate
from opgaveudvalg.meetings import plan
from opgaveudvalg.members import roster
from opgaveudvalg.models import Decision
from opgaveudvalg.orchestration import APPOINTMENT, PUBLIC_DRAW, AppointmentInput, PublicDraw
from opgaveudvalg.selection import runs
from opgaveudvalg.settings import get_settings

# Minutes each: the lifecycle on a real Prefect server, shared by every flow test on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("prefect-server")]


@pytest.fixture(scope="session")
def prefect_database() -> Iterator[Path]:
    """One temporary Prefect server for all flow tests; yields its SQLite file."""
    with prefect_test_harness(server_startup_timeout=120):
        yield Path(PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split(":///", 1)[1])


@pytest.fixture
def example(committees_dir: Path) -> str:
    shutil.copy(EXAMPLES / "fn-verdensmaal.yaml", committees_dir)
    return "fn-verdensmaal"


def decision(kind: Decision, note: str | None = None) -> committee.DecisionInput:
    return committee.DecisionInput(kind, date(2027, 1, 28), 12, "00.01.00-A00-7-27", note)


def recruit(slug: str):  # type: ignore[no-untyped-def]
    return partial(secretariat_recruits, slug, get_settings())


COUNCIL = [
    (PUBLIC_DRAW, PublicDraw(public_number=31)),
    (APPOINTMENT, AppointmentInput(kb_meeting_date=date(2027, 2, 25), agenda_item=7)),
]


def run_through_meetings(slug: str) -> str:
    hold = partial(secretariat_holds_meetings, slug, get_settings())
    return run_committee(slug, decision(Decision.approved), recruit(slug), COUNCIL, hold)


def test_launch_approve_recruit_select_and_appoint(prefect_database: Path, example: str) -> None:
    shutil.copytree(EXAMPLES / "politikere", get_settings().committees_dir / "politikere")
    assert run_through_meetings(example) == "in_session"
    with committee.committee_session(example) as (session, found):
        events = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "mandate.approved")
        ).all()
        recorded = session.exec(select(models.ApprovalDecision)).one()
    assert found.status == models.CommitteeStatus.in_session
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
        run = runs.current_run(session, found)
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
    # every citizen was invited to every meeting, and again to the moved one
    assert len(invitations) == 10 * (len(planned) + 1)
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


def test_amend_returns_to_draft_and_relaunch_resumes(prefect_database: Path, example: str) -> None:
    note = "Udvalget skal også se på affald"
    assert run_committee(example, decision(Decision.amend, note)) == "draft"
    with committee.committee_session(example) as (session, found):
        assert (found.status, found.status_note) == (models.CommitteeStatus.draft, note)
        [event] = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "mandate.amend")
        ).all()
        assert event.reason == note
    assert run_through_meetings(example) == "in_session"


def test_prefect_holds_no_personal_data(prefect_database: Path, example: str) -> None:
    """After the whole run to appointment, no contact person, applicant, member or politician
    appears in Prefect's database."""
    shutil.copytree(EXAMPLES / "politikere", get_settings().committees_dir / "politikere")
    run_through_meetings(example)
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
    stored = b"".join(
        path.read_bytes() for path in prefect_database.parent.glob(prefect_database.name + "*")
    )
    assert example.encode() in stored  # the scan does see what the flows wrote
    for secret in secrets:
        assert secret and secret.encode() not in stored, secret
