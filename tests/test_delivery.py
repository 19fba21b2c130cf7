"""The handover and the consultation chain: the recommendations file with its checks, the
standing committee's and KB's decisions per recommendation, the close; every step again is a
no-op."""

from datetime import date
from pathlib import Path

import pytest
from helpers import SLUG, Restore, decide, hand_over, hold_meetings, member_ids, opgaveudvalg
from sqlmodel import select

from demo import handover as example
from opgaveudvalg import committee, models
from opgaveudvalg.delivery import closing, consultation, decision_file, handover
from opgaveudvalg.delivery.records import Body, FollowUp, FollowUpStatus, Outcome
from opgaveudvalg.errors import UserError
from opgaveudvalg.members import roster
from opgaveudvalg.models import CommitteeStatus
from opgaveudvalg.yamlinput import FileInvalid


@pytest.fixture
def held(tmp_path: Path, snapshots: Restore) -> Path:
    snapshots("held", hold_meetings, tmp_path)
    return tmp_path


def tasks() -> list[str]:
    with committee.committee_session(SLUG) as (session, found):
        return committee.current_mandate(session, found).opgaver


def status() -> CommitteeStatus:
    with committee.committee_session(SLUG) as (session, found):
        return found.status


def example_text() -> str:
    return example.handover_yaml(SLUG, tasks(), member_ids())


def load(path: Path, text: str) -> handover.HandoverFile:
    example.write(path.parent / example.SURVEY, example.SURVEY_TEXT)
    path.write_text(text, encoding="utf-8")
    return handover.load_handover(path, tasks(), set(member_ids()))


def problems_of(path: Path, text: str) -> str:
    with pytest.raises(FileInvalid) as caught:
        load(path, text)
    return str(caught.value)


def test_the_example_handover_answers_every_task_or_says_why(held: Path) -> None:
    content = load(held / "aflevering.yaml", example_text())
    assert [r.nr for r in content.anbefalinger] == [1, 2, 3, 4]
    assert handover.unanswered_tasks(content, len(tasks())) == []
    assert content.recommendation(4).opgaver == []  # answers no task of the mandate
    assert not content.recommendation(2).consensus
    assert content.recommendation(2).mindretal.medlemmer == member_ids()[-2:]  # type: ignore[union-attr]


def test_a_task_no_recommendation_answers_is_named_before_the_handover(held: Path) -> None:
    text = example_text().replace("ubesvarede_opgaver:", "tidligere_forklaring:")
    lines = problems_of(held / "aflevering.yaml", text.split("tidligere_forklaring:")[0])
    assert "opgave 4 (" in lines and "besvares ikke af nogen anbefaling" in lines
    assert "ubesvarede_opgaver" in lines


def test_file_errors_name_the_file_line_and_field(held: Path) -> None:
    path = held / "aflevering.yaml"
    text = example_text()
    wrong_task = text.replace("- 3\n", "- 9\n", 1)
    assert "kommissoriet har opgave 1 til 6, ikke 9" in problems_of(path, wrong_task)
    not_a_member = text.replace(f"- {member_ids()[-1]}\n", "- 99999\n", 1)
    found = problems_of(path, not_a_member)
    assert f"{path}:" in found and "99999 er ikke et medlems-ID" in found
    assert "mindretal.medlemmer" in found
    twice = text.replace("nr: 2", "nr: 1")
    assert "anbefaling nr. 1 står der flere gange" in problems_of(path, twice)
    no_title = text.replace("titel: Placering ved Gentofte Sportspark", "titel: ''")
    line = no_title.splitlines().index("  titel: ''") + 1
    assert f"{path}:{line}: anbefalinger[1].titel" in problems_of(path, no_title)
    outside = text.replace(example.SURVEY, "../../etc/passwd")
    assert "../../etc/passwd ligger uden for mappen med aflevering.yaml" in problems_of(
        path, outside
    )
    attachment = text.replace(example.SURVEY, "skitse.pdf")
    assert "filen skitse.pdf findes ikke ved siden af aflevering.yaml" in problems_of(
        path, attachment
    )


def test_submitting_again_is_a_no_op_and_after_the_handover_refused(held: Path) -> None:
    path = hand_over(held)
    with committee.committee_session(SLUG) as (session, found):
        first = handover.stored_handover(session, found)
        assert handover.submit_handover(session, found, path, "test").id == first.id  # type: ignore[union-attr]
        handover.mark_delivered(session, found, date(2027, 12, 7), "test")
        assert first.delivered_on == date(2027, 12, 6)  # type: ignore[union-attr]
    path.write_text(path.read_text("utf-8").replace("Hallen placeres", "Hallen bygges"), "utf-8")
    with committee.committee_session(SLUG) as (session, found), pytest.raises(UserError) as e:
        handover.submit_handover(session, found, path, "test")
    assert "ændres ikke efter afleveringen" in str(e.value)
    assert status() == CommitteeStatus.delivered


def test_standing_committee_then_kb_decide_differently_and_the_committee_closes(
    held: Path,
) -> None:
    hand_over(held)
    decide(held, Body.standing_committee)
    assert status() == CommitteeStatus.delivered
    with committee.committee_session(SLUG) as (session, found):
        assert consultation.awaiting(session, found) == Body.council
        assert consultation.to_decide(session, found, Body.council) == [2]
    decide(held, Body.council)
    decide(held, Body.council)  # again: a no-op
    with committee.committee_session(SLUG) as (session, found):
        final = consultation.final_decisions(session, found)
        sent = consultation.decisions(session, found, Body.standing_committee)[1]
        followups = session.exec(select(FollowUp)).all()
        assert consultation.awaiting(session, found) is None
    assert status() == CommitteeStatus.decided
    # the standing committee proposed 'følges'; KB followed it only in part
    assert (sent.outcome, sent.proposal) == (Outcome.to_council, Outcome.followed)
    assert (final[2].body, final[2].outcome) == (Body.council, Outcome.partly)
    assert (final[1].body, final[1].outcome) == (Body.standing_committee, Outcome.followed)
    assert sorted(f.recommendation for f in followups) == [1, 2, 3, 4]
    assert {f.status for f in followups} == {FollowUpStatus.decided}
    with committee.committee_session(SLUG) as (session, found):
        assert closing.close(session, found, date(2028, 2, 1), 6, "test")
        assert not closing.close(session, found, date(2028, 2, 2), 6, "test")
        seated = roster.members(session, found)
        events = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "retention.clock_started")
        ).all()
    assert status() == CommitteeStatus.closed
    assert {m.end_date for m in seated if m.end_reason == closing.CLOSED_REASON} == {
        date(2028, 2, 1)
    }
    assert [e.details["contact_data_until"] for e in events] == ["2028-08-01"]


def test_a_decision_that_does_not_fit_is_refused_whole(held: Path) -> None:
    hand_over(held)
    path = held / "fagudvalg.yaml"
    text = example.decisions_yaml("fagudvalg", [1, 2, 3], date(2028, 1, 10), 7)
    path.write_text(text, encoding="utf-8")
    given = decision_file.load_decisions(path, Body.standing_committee)
    with committee.committee_session(SLUG) as (session, found), pytest.raises(UserError) as e:
        consultation.record(session, found, given, "test", None)
    assert "der mangler en beslutning om anbefaling 4" in str(e.value)
    with committee.committee_session(SLUG) as (session, found):
        assert consultation.decisions(session, found) == []
    text = example.decisions_yaml("fagudvalg", [1, 2, 3, 4, 7], date(2028, 1, 10), 7)
    path.write_text(text, encoding="utf-8")
    given = decision_file.load_decisions(path, Body.standing_committee)
    with committee.committee_session(SLUG) as (session, found):
        found_problems = consultation.problems(session, found, given)
    assert found_problems == [
        "fagudvalget skal ikke beslutte om anbefaling 7 (til beslutning: 1, 2, 3, 4)"
    ]


def test_kb_cannot_send_to_itself_and_a_proposal_belongs_to_sending_on(held: Path) -> None:
    hand_over(held)
    decide(held, Body.standing_committee)
    path = held / "kb.yaml"
    path.write_text(
        "møde: 2028-02-01\npunkt: 3\nsagsnr: 00.01.00-A00-3-27\nbeslutninger:\n"
        "  2: {beslutning: sendes-til-kb, begrundelse: x}\n",
        encoding="utf-8",
    )
    given = decision_file.load_decisions(path, Body.council)
    with committee.committee_session(SLUG) as (session, found):
        assert consultation.problems(session, found, given) == [
            "anbefaling 2: KB kan ikke sende den til KB"
        ]
    path.write_text(
        "møde: 2028-02-01\npunkt: 3\nsagsnr: 00.01.00-A00-3-27\nbeslutninger:\n"
        "  2: {beslutning: følges, indstilling: følges, begrundelse: x}\n",
        encoding="utf-8",
    )
    given = decision_file.load_decisions(path, Body.council)
    with committee.committee_session(SLUG) as (session, found):
        assert "en indstilling til KB hører kun til 'sendes-til-kb'" in " ".join(
            consultation.problems(session, found, given)
        )


def test_decision_file_errors_name_the_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "fagudvalg.yaml"
    path.write_text(
        "møde: 2028-13-01\npunkt: 0\nsagsnr: 00.01\nbeslutninger:\n"
        "  1: {beslutning: vedtaget, begrundelse: Enig}\n",
        encoding="utf-8",
    )
    with pytest.raises(FileInvalid) as caught:
        decision_file.load_decisions(path, Body.standing_committee)
    lines = str(caught.value)
    assert f"{path}:1: møde" in lines and f"{path}:2: punkt" in lines
    assert f"{path}:5: beslutninger.1.beslutning" in lines


def test_check_command_shows_what_answers_each_task(held: Path) -> None:
    path = held / "aflevering.yaml"
    load(path, example_text())
    shown = opgaveudvalg("recommendations", "check", SLUG, str(path))
    assert shown.returncode == 0, shown.stderr
    assert "opgave 3: anbefaling 2" in shown.stdout
    assert "opgave 4: ikke besvaret – Udvalget nåede ikke" in shown.stdout
    assert "uden for opgaverne: anbefaling 4" in shown.stdout
    assert "mindretalsudtalelse: 2" in shown.stdout
    path.write_text(example_text().replace("- 3\n", "- 9\n", 1), encoding="utf-8")
    refused = opgaveudvalg("recommendations", "check", SLUG, str(path))
    assert refused.returncode == 1 and refused.stderr.startswith("fejl: ")
    assert "Traceback" not in refused.stderr


def test_status_command_shows_each_recommendations_decision_and_step(held: Path) -> None:
    assert "ingen besluttede anbefalinger" in opgaveudvalg("recommendations", "status", SLUG).stdout
    hand_over(held)
    decide(held, Body.standing_committee)
    decide(held, Body.council)
    shown = opgaveudvalg("recommendations", "status", SLUG)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split()[:3] == ["Nr.", "Anbefaling", "Status"]
    assert len(lines) == 1 + 4 and all(
        "Besluttet" in line or "besluttet" in line for line in lines[1:]
    )
