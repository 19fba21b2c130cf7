"""Selection on the app database: a committee's applicants through the fair lottery, the public
draw, verification in another process, KB's appointment, replacement, reports and letters."""

import os
import subprocess
import sys
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from conftest import EXAMPLES
from pypdf import PdfReader
from sqlmodel import select
from test_recruitment import open_recruitment, run_import

from demo.applicants import write_demo_pool
from opgaveudvalg import committee, models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.selection import lottery as sortition
from opgaveudvalg.selection import reports as selection_documents
from opgaveudvalg.selection import runs as selection
from opgaveudvalg.settings import get_settings

SLUG = "ny-svoemmehal"
CASE = "00.01.00-A00-1-26"  # the case number open_recruitment records for KB's approval


def selecting(tmp_path: Path, replacements: dict[str, str] | None = None) -> models.Committee:
    """The swimming-hall committee with the demo's 150 applications imported and the call closed."""
    open_recruitment(replacements)
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        mandate = current_mandate(session, found)
    export = tmp_path / "eksport.csv"
    write_demo_pool(
        mandate, export, postcodes=get_settings().postcodes, start=mandate.tidsplan.start
    )
    run_import(SLUG, export)
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        committee.transition(session, found, models.CommitteeStatus.selecting, "test")
        return found


def compute_and_draw(number: int = 4711) -> int:
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        run = selection.compute_selection(session, found)
        selection.draw_panel(session, run, number, "test")
        return run.id  # type: ignore[return-value]


def appoint(politicians: list[selection.Politician] | None = None, amendments=()) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        selection.record_appointment(
            session, found, date(2027, 1, 28), 9, list(amendments), politicians or [], "run-1", "kb"
        )


def test_lottery_draw_and_appointment_on_each_database(database_url: str, tmp_path: Path) -> None:
    selecting(tmp_path)
    run_id = compute_and_draw()
    with session_scope() as session:
        run = selection.get_run(session, run_id)
        instance = selection.instance_from_json(run.inputs)
        assert run.seed == f"{CASE}/4711"
        assert sum(run.probabilities.values()) == pytest.approx(10, abs=1e-6)
        assert sortition.panel_is_valid(instance, selection._seats(run.panel)) == []
        assert {seat["profile"] for seat in run.panel} == set(instance.seats)
        assert selection.verify(session, run_id).ok
    appoint([selection.Politician("Anna Politiker", "Venstre", models.MemberRole.chair)])
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        members = selection.members(session, found)
        assert found.status == models.CommitteeStatus.appointed
        assert len([m for m in members if m.applicant_id]) == 10
        [chair] = [m for m in members if m.politician_name]
        assert (chair.on_behalf_of, chair.role) == ("Venstre", models.MemberRole.chair)
        assert {m.start_date for m in members} == {current_mandate(session, found).tidsplan.start}
        assert selection.get_run(session, run_id).status == models.SelectionStatus.appointed


def test_drawing_again_with_the_same_number_changes_nothing_and_another_is_refused(
    tmp_path: Path,
) -> None:
    selecting(tmp_path)
    run_id = compute_and_draw(7)
    with session_scope() as session:
        run = selection.get_run(session, run_id)
        panel = list(run.panel)
        assert selection.draw_panel(session, run, 7, "test").panel == panel
        with pytest.raises(UserError, match="allerede trukket"):
            selection.draw_panel(session, run, 8, "test")


def test_verify_re_derives_the_panel_in_another_process(tmp_path: Path) -> None:
    selecting(tmp_path)
    run_id = compute_and_draw()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    command = [sys.executable, "-m", "opgaveudvalg.cli", "selection", "verify", str(run_id)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "panelet stemmer" in done.stdout
    # Tampering with the stored panel is caught
    with session_scope() as session:
        run = selection.get_run(session, run_id)
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
    # The young swimmers' profile has two seats for 15–24-year-olds; the target allows one
    selecting(
        tmp_path,
        {
            "alder: {min: 15, max: 24}\n    min_antal: 2": "alder: {min: 15, max: 24}\n    max_antal: 1"
        },
    )
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        with pytest.raises(selection.SelectionInfeasible) as raised:
            selection.compute_selection(session, found)
    message = str(raised.value)
    conflict = (
        "Disse mål kan ikke opfyldes samtidig med de egnede ansøgere: alder 15-24 år: højst 1"
    )
    assert conflict in message
    assert "Mindste lempelse: alder 15-24 år: højst 1 → 2" in message


def test_replacement_keeps_profile_targets_and_households(tmp_path: Path) -> None:
    selecting(tmp_path)
    run_id = compute_and_draw()
    appoint()
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        run = selection.get_run(session, run_id)
        instance = selection.instance_from_json(run.inputs)
        start = current_mandate(session, found).tidsplan.start
        first, second = selection.members(session, found)[:2]
        # Before the start: the seat passes on from the start date
        replace = partial(selection.replace_member, session, found, actor="test")  # type: ignore[call-arg]
        early = replace(first.applicant_id, date(2026, 12, 1), "fortrudt")
        assert (first.end_date, early.start_date) == (start, start)
        holding = {m.applicant_id for m in selection.members(session, found, date(2026, 12, 2))}
        assert first.applicant_id not in holding and early.applicant_id in holding
        # During the committee's life
        late = replace(second.applicant_id, date(2027, 4, 1), "flyttet")
        assert late.profile_key == second.profile_key and second.end_date == date(2027, 4, 1)
        assert str(late.applicant_id) in run.reserves[second.profile_key]  # type: ignore[index]
        active = selection.members(session, found, date(2027, 4, 1))
        seats = [sortition.Seat(str(m.applicant_id), m.profile_key or "") for m in active]
        assert len(seats) == 10 and sortition.panel_is_valid(instance, seats) == []
        events = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "members.replaced")
        ).all()
        assert [e.details["left"] for e in events] == [first.applicant_id, second.applicant_id]
        with pytest.raises(UserError, match="ikke medlem"):
            replace(second.applicant_id, date(2027, 4, 2), "igen")


def test_kb_amendment_swaps_a_member_on_the_same_profile(tmp_path: Path) -> None:
    selecting(tmp_path)
    run_id = compute_and_draw()
    with session_scope() as session:
        run = selection.get_run(session, run_id)
        seat = run.panel[0]
        substitute = int(run.reserves[seat["profile"]][0])
    appoint(amendments=[selection.Amendment(int(seat["applicant"]), substitute)])
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        ids = {m.applicant_id for m in selection.members(session, found)}
    assert substitute in ids and int(seat["applicant"]) not in ids


def test_reports_and_letters(tmp_path: Path) -> None:
    selecting(tmp_path)
    run_id = compute_and_draw()
    appoint()
    settings = get_settings()
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        run = selection.get_run(session, run_id)
        files = selection_documents.write_reports(session, run, settings)
        messages = selection_documents.write_letters(session, found, settings)
        again = selection_documents.write_letters(session, found, settings)
        names = {a.id: a.name for a in session.exec(select(models.Applicant))}
        member_ids = {m.applicant_id for m in selection.members(session, found)}
    assert len(files) == 8  # public and internal, Danish and English, HTML and PDF
    public = selection_documents.report_dir(settings.output_dir, SLUG, run_id, "offentlig", "da")
    internal = selection_documents.report_dir(settings.output_dir, SLUG, run_id, "intern", "da")
    public_text = "".join(
        page.extract_text() for page in PdfReader(public / "udvaelgelse.pdf").pages
    )
    internal_text = "".join(
        page.extract_text() for page in PdfReader(internal / "udvaelgelse.pdf").pages
    )
    assert f"{CASE}/4711" in public_text and "LEXIMIN" in public_text
    assert not any(name in public_text for name in names.values())
    missing = [names[i] for i in member_ids if names[i] not in internal_text]  # type: ignore[index]
    assert missing == [], internal_text
    assert len(messages) == len(names) and [m.id for m in again] == [m.id for m in messages]
    kinds = {m.applicant_id: m.kind for m in messages}
    assert {i for i, k in kinds.items() if k == "brev-udpeget"} == member_ids
    letter = next(m for m in messages if m.kind == "brev-udpeget")
    assert (
        letter.subject.startswith("Du er udpeget") and "You have been appointed" in letter.body_text
    )
    assert names[letter.applicant_id] in letter.body_text  # type: ignore[index]
    assert Path(letter.attachment or "").exists()


def test_politicians_file_errors_name_the_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "politikere.yaml"
    path.write_text(
        "- {navn: A, parti: V, rolle: formand}\n- {navn: B, rolle: medlem}\n", encoding="utf-8"
    )
    with pytest.raises(UserError, match=r"politikere.yaml: politiker nr. 2: 'navn' og 'parti'"):
        selection.load_politicians(path)
    example = selection.load_politicians(selection.politicians_path(EXAMPLES, "fn-verdensmaal"))
    assert [p.role for p in example].count(models.MemberRole.chair) == 1


def test_recompute_with_fixed_and_excluded_members_then_refused_after_the_draw(
    tmp_path: Path,
) -> None:
    selecting(tmp_path)
    with session_scope() as session:
        found = committee.get_committee(session, SLUG)
        first = selection.compute_selection(session, found)
        ids = sorted(first.probabilities, key=int)
        fixed, excluded = ids[0], ids[1]
        second = selection.compute_selection(
            session, found, fixed=frozenset({fixed}), excluded=frozenset({excluded})
        )
        assert first.status == models.SelectionStatus.superseded
        assert second.probabilities[fixed] == pytest.approx(1.0)
        assert excluded not in second.probabilities
        with pytest.raises(UserError, match="Ikke egnede ansøgere.*99999"):
            selection.compute_selection(session, found, fixed=frozenset({"99999"}))
        drawn = selection.draw_panel(session, selection.open_runs(session, found)[0], 5, "test")
        assert fixed in {seat["applicant"] for seat in drawn.panel}
        with pytest.raises(UserError, match="allerede trukket offentligt"):
            selection.compute_selection(session, found)
