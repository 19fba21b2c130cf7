"""The committee record on SQLite and PostgreSQL: migrations, versions, state machine, decisions."""

from datetime import date
from pathlib import Path

import pytest
from helpers import mandate_file
from sqlalchemy import inspect
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.db import engine_for, session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.models import CommitteeStatus, Decision

APPROVED = committee.DecisionInput(Decision.approved, date(2027, 1, 28), 7, "00.01.00-A00-3-27")
AMEND = committee.DecisionInput(
    Decision.amend, date(2027, 1, 28), 7, "00.01.00-A00-3-27", "Tidsplanen skal forlænges"
)


def test_upgrade_from_empty_creates_every_table(database_url: str) -> None:
    tables = set(inspect(engine_for(database_url)).get_table_names())
    assert {
        "committee",
        "mandate",
        "competenceprofile",
        "representationtarget",
        "approvaldecision",
        "auditevent",
        "alembic_version",
    } <= tables


def register(path: Path) -> int:
    with session_scope() as session:
        return committee.register_mandate(session, path, actor="test").id  # type: ignore[return-value]


def test_register_is_idempotent_and_keeps_every_version(database_url: str, tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "hal")
    first = register(path)
    assert register(path) == first
    mandate_file(tmp_path, "hal", {"  antal_møder: 6": "  antal_møder: 8"})
    second = register(path)
    with session_scope() as session:
        versions = session.exec(
            select(models.Mandate.version).order_by(models.Mandate.version)
        ).all()
        profiles = session.exec(
            select(models.CompetenceProfile).where(models.CompetenceProfile.mandate_id == second)
        ).all()
        targets = session.exec(
            select(models.RepresentationTarget).where(
                models.RepresentationTarget.mandate_id == second
            )
        ).all()
    assert second != first and versions == [1, 2]
    assert {p.key: (p.seats, p.min_age, p.max_age) for p in profiles}["unge-i-vandet"] == (
        2,
        15,
        24,
    )
    women = next(t for t in targets if t.group == "kvinde")
    assert (women.min_percent, women.min_seats, women.max_seats) == (40, 4, 10)


def test_approval_moves_committee_to_mandated(database_url: str, tmp_path: Path) -> None:
    mandate_id = register(mandate_file(tmp_path, "hal"))
    with session_scope() as session:
        committee.record_decision(session, mandate_id, APPROVED, "kommunalbestyrelsen", "run-1")
    with committee.committee_session("hal") as (session, found):
        actions = [
            e.action for e in session.exec(select(models.AuditEvent).order_by(models.AuditEvent.id))
        ]
        decision = committee.decision_for(session, mandate_id)
    assert found.status == CommitteeStatus.mandated
    assert actions == [
        "committee.created",
        "mandate.version_stored",
        "mandate.approved",
        "status.changed",
    ]
    assert decision is not None and (decision.agenda_item, decision.case_number) == (
        7,
        "00.01.00-A00-3-27",
    )


def test_recording_the_same_decision_twice_is_a_no_op(database_url: str, tmp_path: Path) -> None:
    mandate_id = register(mandate_file(tmp_path, "hal"))
    for _ in range(2):
        with session_scope() as session:
            committee.record_decision(session, mandate_id, APPROVED, "kommunalbestyrelsen", "run-1")
    with session_scope() as session:
        assert len(session.exec(select(models.ApprovalDecision)).all()) == 1


def test_amend_keeps_draft_with_the_note(database_url: str, tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "hal")
    mandate_id = register(path)
    with session_scope() as session:
        committee.record_decision(session, mandate_id, AMEND, "kommunalbestyrelsen", "run-1")
    with committee.committee_session("hal") as (session, found):
        assert (found.status, found.status_note) == (
            CommitteeStatus.draft,
            "Tidsplanen skal forlænges",
        )
    mandate_file(tmp_path, "hal", {"  aflevering: 2027-12-06": "  aflevering: 2028-02-01"})
    assert register(path) != mandate_id  # the amended mandate is a new version


def test_changed_mandate_after_approval_is_refused(database_url: str, tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "hal")
    mandate_id = register(path)
    with session_scope() as session:
        committee.record_decision(session, mandate_id, APPROVED, "kommunalbestyrelsen", "run-1")
    mandate_file(tmp_path, "hal", {"  antal_møder: 6": "  antal_møder: 8"})
    with pytest.raises(UserError, match="status 'mandated'"):
        register(path)


def test_decision_on_an_outdated_version_is_refused(database_url: str, tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "hal")
    old = register(path)
    mandate_file(tmp_path, "hal", {"  antal_møder: 6": "  antal_møder: 8"})
    register(path)
    with session_scope() as session, pytest.raises(UserError, match="ikke den nyeste"):
        committee.record_decision(session, old, APPROVED, "kommunalbestyrelsen", "run-1")


def test_illegal_transition_is_refused_and_not_audited(database_url: str, tmp_path: Path) -> None:
    register(mandate_file(tmp_path, "hal"))
    with committee.committee_session("hal") as (session, found):
        with pytest.raises(committee.IllegalTransition, match="fra status 'draft' til 'closed'"):
            committee.transition(session, found, CommitteeStatus.closed, "test")
        assert found.status == CommitteeStatus.draft


def test_every_status_is_reachable_from_draft() -> None:
    reached, frontier = {CommitteeStatus.draft}, [CommitteeStatus.draft]
    while frontier:
        for nxt in committee.TRANSITIONS[frontier.pop()] - reached:
            reached.add(nxt)
            frontier.append(nxt)
    assert reached == set(CommitteeStatus)
