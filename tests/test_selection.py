"""Selection on the app database: a committee's applicants through the fair lottery, the public
draw, verification in another process and the selection reports. KB's appointment, the members,
replacement and the letters are in test_members.py; the helpers here serve both."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CASE, SLUG, Restore, appoint, compute_and_draw, selecting
from pypdf import PdfReader
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.members import roster
from opgaveudvalg.members.appointment import panel_seats
from opgaveudvalg.selection import reports, runs
from opgaveudvalg.selection.instance import instance_from_json
from opgaveudvalg.selection.model import panel_is_valid
from opgaveudvalg.settings import get_settings


@pytest.mark.slow
def test_lottery_draw_and_appointment_on_each_database(database_url: str, tmp_path: Path) -> None:
    selecting(tmp_path)
    run_id = compute_and_draw()
    with session_scope() as session:
        run = runs.get_run(session, run_id)
        instance = instance_from_json(run.inputs)
        assert run.seed == f"{CASE}/4711"
        assert sum(run.probabilities.values()) == pytest.approx(10, abs=1e-6)
        assert panel_is_valid(instance, panel_seats(run.panel)) == []
        assert {seat["profile"] for seat in run.panel} == set(instance.seats)
        assert runs.verify(session, run_id).ok
    appoint()
    with committee.committee_session(SLUG) as (session, found):
        members = roster.members(session, found)
        assert found.status == models.CommitteeStatus.appointed
        assert len([m for m in members if m.applicant_id]) == 10
        assert len([m for m in members if m.politician_name]) == 5
        [chair] = [m for m in members if m.role == models.MemberRole.chair]
        assert chair.on_behalf_of == "Det Konservative Folkeparti"
        assert {m.start_date for m in members} == {current_mandate(session, found).tidsplan.start}
        assert runs.get_run(session, run_id).status == models.SelectionStatus.appointed


@pytest.mark.slow
def test_drawing_again_with_the_same_number_changes_nothing_and_another_is_refused(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("selecting", selecting, tmp_path)
    run_id = compute_and_draw(7)
    with session_scope() as session:
        run = runs.get_run(session, run_id)
        panel = list(run.panel)
        assert runs.draw_panel(session, run, 7, "test").panel == panel
        with pytest.raises(UserError, match="allerede trukket"):
            runs.draw_panel(session, run, 8, "test")


@pytest.mark.slow
def test_verify_re_derives_the_panel_in_another_process(tmp_path: Path, snapshots: Restore) -> None:
    snapshots("selecting", selecting, tmp_path)
    run_id = compute_and_draw()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    command = [sys.executable, "-m", "opgaveudvalg.cli", "selection", "verify", str(run_id)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "panelet stemmer" in done.stdout
    # Tampering with the stored panel is caught
    with session_scope() as session:
        run = runs.get_run(session, run_id)
        panel = [dict(seat) for seat in run.panel]
        panel[0]["applicant"] = next(
            p["id"] for p in run.inputs["people"] if p["id"] not in {s["applicant"] for s in panel}
        )
        run.panel = panel
        session.add(run)
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "FEJL panel gentrukket" in done.stdout


def test_infeasible_targets_are_explained_in_danish(tmp_path: Path) -> None:
    # The young swimmers' profile has two seats for 15–24-year-olds and the target allows at
    # most one: age targets and profiles like these are refused by `validate` already, so here
    # the registered mandate is changed the way the applicant pool alone could make it
    # infeasible (an older mandate version, or a pool without enough young applicants).
    selecting(tmp_path)
    with committee.committee_session(SLUG) as (session, found):
        version = session.exec(
            select(models.Mandate).where(models.Mandate.committee_id == found.id)
        ).one()
        targets = [dict(t) for t in version.content["repræsentationsmål"]]
        young = next(t for t in targets if t["gruppe"] == "15-24 år")
        young.update(min_antal=None, max_antal=1)
        version.content = {**version.content, "repræsentationsmål": targets}
        session.add(version)
    with (
        committee.committee_session(SLUG) as (session, found),
        pytest.raises(runs.SelectionInfeasible) as raised,
    ):
        runs.compute_selection(session, found)
    message = str(raised.value)
    conflict = (
        "Disse mål kan ikke opfyldes samtidig med de egnede ansøgere: alder 15-24 år: højst 1"
    )
    assert conflict in message
    assert "Mindste lempelse: alder 15-24 år: højst 1 → 2" in message


@pytest.mark.slow
def test_reports_public_without_names_and_internal_with_them(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("selecting", selecting, tmp_path)
    run_id = compute_and_draw()
    settings = get_settings()
    with session_scope() as session:
        run = runs.get_run(session, run_id)
        files = reports.write_reports(session, run, settings)
        names = {a.id: a.name for a in session.exec(select(models.Applicant))}
        member_ids = {int(seat["applicant"]) for seat in run.panel}
    assert len(files) == 8  # public and internal, Danish and English, HTML and PDF
    public = reports.report_dir(settings.output_dir, SLUG, run_id, "offentlig", "da")
    internal = reports.report_dir(settings.output_dir, SLUG, run_id, "intern", "da")
    public_text = "".join(
        page.extract_text() for page in PdfReader(public / "udvaelgelse.pdf").pages
    )
    internal_text = "".join(
        page.extract_text() for page in PdfReader(internal / "udvaelgelse.pdf").pages
    )
    assert f"{CASE}/4711" in public_text and "LEXIMIN" in public_text
    assert not any(name in public_text for name in names.values())
    missing = [names[i] for i in member_ids if names[i] not in internal_text]
    assert missing == [], internal_text


@pytest.mark.slow
def test_recompute_with_fixed_and_excluded_members_then_refused_after_the_draw(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("selecting", selecting, tmp_path)
    with committee.committee_session(SLUG) as (session, found):
        first = runs.compute_selection(session, found)
        ids = sorted(first.probabilities, key=int)
        fixed, excluded = ids[0], ids[1]
        second = runs.compute_selection(
            session, found, fixed=frozenset({fixed}), excluded=frozenset({excluded})
        )
        assert first.status == models.SelectionStatus.superseded
        assert second.probabilities[fixed] == pytest.approx(1.0)
        assert excluded not in second.probabilities
        with pytest.raises(UserError, match="Ikke egnede ansøgere.*99999"):
            runs.compute_selection(session, found, fixed=frozenset({"99999"}))
        drawn = runs.draw_panel(session, runs.open_runs(session, found)[0], 5, "test")
        assert fixed in {seat["applicant"] for seat in drawn.panel}
        with pytest.raises(UserError, match="allerede trukket offentligt"):
            runs.compute_selection(session, found)


@pytest.mark.slow
def test_open_or_compute_reuses_the_run_waiting_for_its_draw_or_appointment(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("selecting", selecting, tmp_path)
    with committee.committee_session(SLUG) as (session, found):
        computed = runs.open_or_compute(session, found)
        assert computed.status == models.SelectionStatus.computed
        assert runs.open_or_compute(session, found).id == computed.id
        runs.draw_panel(session, computed, 5, "test")
        assert runs.open_or_compute(session, found).id == computed.id
        computed_runs = session.exec(select(models.SelectionRun)).all()
        assert [run.id for run in computed_runs] == [computed.id]
