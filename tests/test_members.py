"""The members on the app database: KB's appointment of the drawn panel (with amendments) and the
politicians file, members over time and replacement by a reserve, and the letters to applicants."""

import re
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from helpers import EXAMPLES, SLUG, Restore, appoint, compute_and_draw, selecting
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.validation import load_mandate
from opgaveudvalg.members import appointment, letters, roster
from opgaveudvalg.selection import runs
from opgaveudvalg.selection.instance import instance_from_json
from opgaveudvalg.selection.model import Seat, panel_is_valid
from opgaveudvalg.settings import get_settings
from opgaveudvalg.yamlinput import FileInvalid


@pytest.mark.slow
def test_replacement_keeps_profile_targets_and_households(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("selecting", selecting, tmp_path)
    run_id = compute_and_draw()
    appoint()
    with committee.committee_session(SLUG) as (session, found):
        run = runs.get_run(session, run_id)
        instance = instance_from_json(run.inputs)
        start = current_mandate(session, found).tidsplan.start
        first, second = [m for m in roster.members(session, found) if m.applicant_id][:2]
        # Before the start: the seat passes on from the start date
        replace = partial(roster.replace_member, session, found, actor="test")  # type: ignore[call-arg]
        early = replace(first.applicant_id, date(2026, 12, 1), "fortrudt")
        assert (first.end_date, early.start_date) == (start, start)
        holding = {m.applicant_id for m in roster.members(session, found, date(2026, 12, 2))}
        assert first.applicant_id not in holding and early.applicant_id in holding
        # During the committee's life
        late = replace(second.applicant_id, date(2027, 4, 1), "flyttet")
        assert late.profile_key == second.profile_key and second.end_date == date(2027, 4, 1)
        assert str(late.applicant_id) in run.reserves[second.profile_key]  # type: ignore[index]
        active = roster.members(session, found, date(2027, 4, 1))
        seats = [Seat(str(m.applicant_id), m.profile_key or "") for m in active if m.applicant_id]
        assert len(seats) == 10 and panel_is_valid(instance, seats) == []
        events = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "members.replaced")
        ).all()
        assert [e.details["left"] for e in events] == [first.applicant_id, second.applicant_id]
        with pytest.raises(UserError, match="ikke medlem"):
            replace(second.applicant_id, date(2027, 4, 2), "igen")


def test_kb_amendment_swaps_a_member_on_the_same_profile(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("selecting", selecting, tmp_path)
    run_id = compute_and_draw()
    with session_scope() as session:
        run = runs.get_run(session, run_id)
        seat = run.panel[0]
        substitute = int(run.reserves[seat["profile"]][0])
    appoint(amendments=[appointment.Amendment(int(seat["applicant"]), substitute)])
    with committee.committee_session(SLUG) as (session, found):
        ids = {m.applicant_id for m in roster.members(session, found)}
    assert substitute in ids and int(seat["applicant"]) not in ids


@pytest.mark.slow
def test_letters_one_per_applicant_queued_once(tmp_path: Path, snapshots: Restore) -> None:
    snapshots("selecting", selecting, tmp_path)
    compute_and_draw()
    appoint()
    settings = get_settings()
    with committee.committee_session(SLUG) as (session, found):
        messages = letters.write_letters(session, found, settings)
        again = letters.write_letters(session, found, settings)
        names = {a.id: a.name for a in session.exec(select(models.Applicant))}
        member_ids = {m.applicant_id for m in roster.members(session, found) if m.applicant_id}
        counts = letters.letter_counts(session, found)
    assert len(messages) == len(names) and [m.id for m in again] == [m.id for m in messages]
    kinds = {m.applicant_id: m.kind for m in messages}
    assert {i for i, k in kinds.items() if k == "brev-udpeget"} == member_ids
    assert sum(counts.values()) == len(names) and counts["brev-udpeget"] == len(member_ids)
    letter = next(m for m in messages if m.kind == "brev-udpeget")
    assert (
        letter.subject.startswith("Du er udpeget") and "You have been appointed" in letter.body_text
    )
    assert names[letter.applicant_id] in letter.body_text  # type: ignore[index]
    assert Path(letter.attachment or "").exists()


# --- the politicians file ----------------------------------------------------------------------

CHAIR = "- {navn: Anna Holm, parti: Venstre, rolle: formand}\n"


def politicians_file(tmp_path: Path, text: str) -> Path:
    path = appointment.politicians_path(tmp_path, "x")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Kommunalbestyrelsens medlemmer\n" + text, encoding="utf-8")
    return path


def refused(path: Path, where: str) -> str:
    """The message of the file's single problem, which must start with `path:where: `."""
    with pytest.raises(FileInvalid) as raised:
        appointment.load_politicians(path)
    message = str(raised.value)
    assert re.match(re.escape(f"{path}:{where}: "), message), message
    assert str(path).endswith("politikere/x.yaml")
    return message


def test_politicians_file_a_bad_role_names_file_line_and_field(tmp_path: Path) -> None:
    path = politicians_file(tmp_path, CHAIR + "- navn: Bo Dahl\n  parti: SF\n  rolle: borgmester\n")
    message = refused(path, "5: [1].rolle")
    assert "'borgmester'" in message and "formand, næstformand eller medlem" in message


def test_politicians_file_a_missing_field_names_file_line_and_field(tmp_path: Path) -> None:
    path = politicians_file(tmp_path, CHAIR + "- {navn: Bo Dahl, rolle: medlem}\n")
    assert "feltet mangler" in refused(path, "3: [1].parti")


def test_politicians_file_an_unknown_field_names_file_line_and_field(tmp_path: Path) -> None:
    path = politicians_file(tmp_path, CHAIR + "- navn: Bo Dahl\n  parti: SF\n  partl: SF\n")
    assert "ukendt felt" in refused(path, "5: [1].partl")


@pytest.mark.parametrize(
    ("address", "detail"),
    [("bo.dahl(at)gentofte.dk", "mangler @"), ("bo@dahl@gentofte.dk", "har mere end ét @")],
)
def test_politicians_file_a_bad_address_names_file_line_and_field(
    tmp_path: Path, address: str, detail: str
) -> None:
    path = politicians_file(
        tmp_path, CHAIR + f"- navn: Bo Dahl\n  parti: SF\n  e-mail: {address}\n"
    )
    message = refused(path, "5: [1].e-mail")
    assert f"er ikke en gyldig e-mailadresse ({detail})" in message
    assert "dahl" not in message.casefold().replace("x.yaml", "")  # the value is not quoted


def test_politicians_file_has_one_chair_and_is_a_list(tmp_path: Path) -> None:
    path = politicians_file(tmp_path, CHAIR + CHAIR.replace("Anna Holm", "Bo Dahl"))
    assert "der kan kun være én formand" in refused(path, "3: [1].rolle")
    path = politicians_file(tmp_path, "navn: Anna Holm\n")
    assert "skal være en liste" in refused(path, "1")


def test_politicians_file_examples_and_defaults(tmp_path: Path) -> None:
    for slug in ("fn-verdensmaal", "ny-svoemmehal"):
        example = appointment.load_politicians(appointment.politicians_path(EXAMPLES, slug))
        assert [p.role for p in example].count(models.MemberRole.chair) == 1
        assert all(p.email and p.email.endswith("@gentofte.dk") for p in example)
    assert appointment.load_politicians(appointment.politicians_path(tmp_path, "none")) == []
    path = politicians_file(tmp_path, "- {navn: Bo Dahl, parti: SF}\n")
    assert appointment.load_politicians(path) == [
        appointment.Politician("Bo Dahl", "SF", models.MemberRole.member)
    ]
    # the address is optional; `email` (as in the mandate) is read as well as `e-mail`
    path = politicians_file(
        tmp_path,
        "- {navn: Bo Dahl, parti: SF, e-mail: }\n"
        "- {navn: Eva Lund, parti: SF, email: eva.lund@example.dk}\n",
    )
    assert [p.email for p in appointment.load_politicians(path)] == [None, "eva.lund@example.dk"]
    assert appointment.load_politicians(politicians_file(tmp_path, "")) == []


# --- the politicians against the mandate's composition -------------------------------------------


def example_politicians() -> list[appointment.Politician]:
    return appointment.load_politicians(appointment.politicians_path(EXAMPLES, SLUG))


def test_an_appointment_without_the_mandates_politicians_is_refused_before_anything_is_written(
    tmp_path: Path, snapshots: Restore
) -> None:
    snapshots("selecting", selecting, tmp_path)
    compute_and_draw()
    five = example_politicians()
    members = [replace_role(p, models.MemberRole.member) for p in five]
    refused = [
        ([], "nævner 0 politikere, men kommissoriet har 5 politikerpladser"),
        (five[:4], "nævner 4 politikere"),
        (members, "ingen har rolle: formand"),
        ([five[0], *members[2:], five[4]], "ingen har rolle: næstformand"),
        ([*five[:4], five[0]], "står der mere end én gang"),
    ]
    for politicians, message in refused:
        with pytest.raises(UserError, match=message) as raised:
            appoint(politicians)
        assert str(raised.value).startswith(f"politikere/{SLUG}.yaml: ")
    with committee.committee_session(SLUG) as (session, found):
        assert found.status == models.CommitteeStatus.selecting
        assert session.exec(select(models.Membership)).all() == []
        assert session.exec(select(models.Appointment)).all() == []
        assert session.exec(select(models.OutboxMessage)).all() == []
    appoint(five)
    with committee.committee_session(SLUG) as (session, found):
        assert found.status == models.CommitteeStatus.appointed
        seats = session.exec(select(models.Membership)).all()
        stored = {(m.politician_name, m.email) for m in seats if m.politician_name}
        assert stored == {(p.name, p.email) for p in five} and len(stored) == 5
        assert all(m.email is None for m in seats if m.applicant_id)  # the applicant's own
        pool = session.exec(select(models.Applicant)).all()  # the demo pool, imported
        assert 0.5 <= sum(a.wants_updates for a in pool) / len(pool) <= 0.7


def replace_role(
    politician: appointment.Politician, role: models.MemberRole
) -> appointment.Politician:
    return appointment.Politician(politician.name, politician.party, role)


def test_the_politicians_file_is_checked_against_the_mandate(tmp_path: Path) -> None:
    mandate = load_mandate(EXAMPLES / f"{SLUG}.yaml")
    missing = appointment.politicians_path(tmp_path, SLUG)
    with pytest.raises(UserError) as raised:
        appointment.checked_politicians(missing, mandate)
    assert str(raised.value).startswith(
        f"{missing} findes ikke – kommissoriet har 5 politikerpladser"
    )
    none_wanted = mandate.model_copy(
        update={"sammensætning": mandate.sammensætning.model_copy(update={"politikere": 0})}
    )
    assert appointment.checked_politicians(missing, none_wanted) == []
    path = politicians_file(tmp_path, CHAIR)
    with pytest.raises(UserError) as raised:
        appointment.checked_politicians(path, mandate)
    assert str(raised.value) == (
        f"{path}: nævner 1 politikere, men kommissoriet har 5 politikerpladser "
        "(sammensætning.politikere); ingen har rolle: næstformand, men kommissoriet nævner en "
        "næstformand"
    )
    example = appointment.politicians_path(EXAMPLES, SLUG)
    assert appointment.checked_politicians(example, mandate) == example_politicians()


def test_politicians_file_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    rows = ["- &p0 {navn: Anna Holm, parti: Venstre}"]
    rows += [f"- &p{n} [{', '.join([f'*p{n - 1}'] * 9)}]" for n in range(1, 9)]
    path = politicians_file(tmp_path, "\n".join(rows) + "\n")
    assert "aliaser (*navn) gentager mere end 1000 værdier" in refused(path, "5")
