"""Closing the loop and follow-up: the letters about the decisions and about each status change
reach exactly the people who took part (and the applicants who asked), once each, and say what
was decided and why; the follow-up of each recommendation and the reminders to the secretariat."""

import re
from datetime import date
from pathlib import Path

import pytest
from helpers import SLUG, Restore, decide, hand_over, hold_meetings
from sqlmodel import col, select

from opgaveudvalg import committee, models
from opgaveudvalg.delivery import feedback, followup
from opgaveudvalg.delivery.consultation import final_decisions
from opgaveudvalg.delivery.records import Body, FollowUp, FollowUpStatus, Outcome
from opgaveudvalg.errors import UserError
from opgaveudvalg.members import roster
from opgaveudvalg.models import CommitteeStatus
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import get_settings

CHAIR_EMAIL = "formand@kb.example.dk"
LEFT_ON = date(2027, 6, 1)
REPORT = "https://www.gentofte.dk/opgaveudvalg/ny-svoemmehal/aflevering/{}/aflevering.pdf"


def _people(folder: Path) -> None:
    """A member leaves and is replaced; three applicants who were not drawn and one member
    asked to hear what became of the work; the chair has an address, and another politician
    shares one (in other letters) with an interested applicant."""
    with committee.committee_session(SLUG) as (session, found):
        seated = roster.members(session, found)
        citizens = [m for m in seated if m.applicant_id]
        politicians = [m for m in seated if m.politician_name]
        assert citizens[0].applicant_id is not None
        roster.replace_member(session, found, citizens[0].applicant_id, LEFT_ON, "flyttet", "test")
        ever = {m.applicant_id for m in roster.members(session, found)}
        query = select(models.Applicant).where(models.Applicant.committee_id == found.id)
        others = [
            a for a in session.exec(query.order_by(col(models.Applicant.id))) if a.id not in ever
        ]
        for everyone in session.exec(query):  # the demo pool's own answers set aside
            everyone.wants_updates = False
            session.add(everyone)
        for applicant in [*others[:3], session.get(models.Applicant, citizens[1].applicant_id)]:
            assert applicant is not None
            applicant.wants_updates = True
            session.add(applicant)
        for politician in politicians:  # the example file's addresses set aside
            politician.email = None
        politicians[0].email = CHAIR_EMAIL
        politicians[1].email = others[2].email.upper()
        session.add_all(politicians[:2])


def build_decided(folder: Path) -> None:
    hold_meetings(folder)
    _people(folder)
    hand_over(folder)
    decide(folder, Body.standing_committee)
    decide(folder, Body.council)


@pytest.fixture
def decided(tmp_path: Path, snapshots: Restore) -> str:
    snapshots("decided", build_decided, tmp_path)
    return SLUG


def queue_letters() -> list[models.OutboxMessage]:
    with committee.committee_session(SLUG) as (session, found):
        messages: list[models.OutboxMessage] = feedback.queue_decision_letters(
            session, found, get_settings()
        )
        session.flush()
        for message in messages:
            session.expunge(message)
        return messages


def outbox(kind: str) -> list[models.OutboxMessage]:
    with committee.committee_session(SLUG) as (session, _):
        query = select(models.OutboxMessage).where(models.OutboxMessage.kind == kind)
        rows = list(session.exec(query.order_by(col(models.OutboxMessage.id))))
        for row in rows:
            session.expunge(row)
        return rows


def expected_readers() -> tuple[set[str], dict[str, set[str]]]:
    """Every address that should get a letter (lower case), and everyone's names by address
    (people without an address under '')."""
    with committee.committee_session(SLUG) as (session, found):
        seated = roster.members(session, found)
        query = select(models.Applicant).where(models.Applicant.committee_id == found.id)
        applicants = list(session.exec(query))
        citizens = {m.applicant_id for m in seated if m.applicant_id}
        addresses = {a.email.lower() for a in applicants if a.id in citizens or a.wants_updates}
        addresses |= {m.email.lower() for m in seated if m.email}
        people = [(a.email, a.name) for a in applicants]
        people += [(m.email or "", m.politician_name) for m in seated if m.politician_name]
        names: dict[str, set[str]] = {}
        for address, name in people:
            names.setdefault(address.lower(), set()).add(name)
        return addresses, names


def test_decision_letters_reach_each_participant_once(decided: str) -> None:
    messages = queue_letters()
    addresses, _ = expected_readers()
    sent_to = [m.to_address.lower() for m in messages]
    assert len(sent_to) == len(set(sent_to)) == len(addresses)
    assert set(sent_to) == addresses
    # 10 citizens + the one who replaced the leaver, the chair, the shared address, 2 applicants
    assert len(messages) == 15
    assert CHAIR_EMAIL in sent_to
    with committee.committee_session(SLUG) as (session, found):
        seated = roster.members(session, found)
        leaver = next(m for m in seated if m.end_date == LEFT_ON)
        left = session.get(models.Applicant, leaver.applicant_id)
        assert left is not None and left.email.lower() in sent_to
        query = select(models.Applicant).where(models.Applicant.committee_id == found.id)
        ever = {m.applicant_id for m in seated}
        silent = [a for a in session.exec(query) if a.id not in ever and not a.wants_updates]
    assert silent and not {a.email.lower() for a in silent} & set(sent_to)
    # members get the member's letter, applicants the applicant's
    applicant_letters = [m for m in messages if "Tak, fordi du meldte dig" in m.body_text]
    assert len(applicant_letters) == 2
    assert all("Tak for din indsats" in m.body_text for m in messages if m not in applicant_letters)


def test_each_letter_tells_the_final_decision_and_why(decided: str) -> None:
    messages = queue_letters()
    with committee.committee_session(SLUG) as (session, found):
        final = final_decisions(session, found)
    assert final[2].body == Body.council and final[2].outcome == Outcome.partly
    words = {
        Outcome.followed: ("Anbefalingen følges.", "The recommendation is adopted."),
        Outcome.partly: ("Anbefalingen følges delvist.", "The recommendation is partly adopted."),
        Outcome.budget: (
            "Anbefalingen tages op ved budgetforhandlingerne.",
            "The recommendation is referred to the budget negotiations.",
        ),
    }
    for message in messages:
        danish, _, english = message.body_text.partition("---- English ----")
        assert english, "the English letter follows the Danish"
        for number, decision in final.items():
            da_words, en_words = words[decision.outcome]
            block = danish.split(f"Anbefaling {number}: ")[1].split("\n\n")[0]
            assert da_words in block and f"Begrundelse: {decision.reason}" in block
            en_block = english.split(f"Recommendation {number}: ")[1].split("\n\n")[0]
            assert en_words in en_block and decision.reason in en_block
        assert "sendte anbefalingen videre til Kommunalbestyrelsen" in danish
        assert "referred the recommendation to the Municipal Council" in english
        assert "Placeringen kræver KB's beslutning." not in message.body_text
        assert "A swimming hall for the whole of life" in english
        assert REPORT.format("da") in danish and REPORT.format("en") in english
        assert "opgaveudvalg@gentofte.dk" in danish
        assert message.subject == "Beslutningerne om anbefalingerne fra " + (
            "Opgaveudvalget for en ny svømmehal"
        )
        assert '<article lang="en">' in message.body_html
        assert "følges delvist" in message.body_html
    files = CommitteeFiles.of(get_settings().output_dir, SLUG).letters() / "tilbagemelding"
    assert len(list((files / "beslutninger").glob("*.txt"))) == len(messages)
    print(messages[0].body_text)


def test_a_letter_names_no_one_but_its_reader(decided: str) -> None:
    messages = queue_letters()
    _, names = expected_readers()
    everyone = set().union(*names.values())
    shared = [m for m in messages if len(names[m.to_address.lower()]) > 1]
    assert len(shared) == 1  # the politician and the applicant with one address
    for message in messages:
        own = names[message.to_address.lower()]
        text = message.body_text + message.body_html
        named = {name for name in everyone if name in text}
        assert named == (own if len(own) == 1 else set())
        addresses = {a for a in names if a and a in text.lower()}
        assert addresses == set(), "the reader's own address is not in the letter either"
    assert "Kære medlem af udvalget" in shared[0].body_text
    assert "Dear committee member" in shared[0].body_text


def test_running_again_queues_nothing_new(decided: str) -> None:
    first = queue_letters()
    again = queue_letters()
    assert [m.id for m in again] == [m.id for m in first]
    assert len(outbox("tilbagemelding")) == len(first)


def test_status_change_writes_to_the_same_readers(decided: str) -> None:
    letters = queue_letters()
    with committee.committee_session(SLUG) as (session, found):
        initial = followup.current_statuses(session, found)[1]
        assert feedback.queue_status_letters(session, found, initial, get_settings()) == []
        step = followup.record_status(
            session,
            found,
            2,
            FollowUpStatus.under_way,
            date(2028, 3, 1),
            "Center for Ejendomme undersøger begge placeringer og fremlægger dem i juni.",
            "Center for Ejendomme",
            date(2028, 6, 1),
            "test",
        )
        queued = feedback.queue_status_letters(session, found, step, get_settings())
        again = feedback.queue_status_letters(session, found, step, get_settings())
        assert [m.id for m in again] == [m.id for m in queued]
    status_letters = outbox("tilbagemelding-status")
    assert len(status_letters) == len(letters)
    assert {m.to_address for m in status_letters} == {m.to_address for m in letters}
    text = status_letters[0].body_text
    assert text.startswith("Nyt om anbefaling 2 fra Opgaveudvalget for en ny svømmehal")
    assert "Status: I gang (fra 1. marts 2028)" in text
    assert "Ansvarlig: Center for Ejendomme" in text
    assert "undersøger begge placeringer" in text and "Status: Under way" in text
    print(text)


def test_reminders_come_once_when_the_review_date_has_passed(decided: str) -> None:
    settings = get_settings()
    with committee.committee_session(SLUG) as (session, found):
        assert followup.next_review(session, found) is None
        followup.record_status(
            session, found, 1, FollowUpStatus.under_way, date(2028, 2, 1),
            "Arkitektkonkurrencen er udskrevet.", "Center for Ejendomme", date(2028, 6, 1), "test",
        )  # fmt: skip
        assert followup.next_review(session, found) == date(2028, 6, 1)
        assert followup.due_reminders(session, found, date(2028, 5, 31)) == []
        assert len(followup.due_reminders(session, found, date(2028, 6, 1))) == 1
        assert followup.queue_reminders(session, found, settings, date(2028, 5, 31)) == 0
        assert followup.queue_reminders(session, found, settings, date(2028, 6, 2)) == 1
        assert followup.queue_reminders(session, found, settings, date(2028, 6, 3)) == 0
        assert followup.next_review(session, found) is None
        [reminded] = followup.current_statuses(session, found)[:1]
        assert reminded.reminded_on == date(2028, 6, 2)
    [mail] = outbox("paamindelse-opfoelgning")
    assert mail.to_address == settings.secretariat_email
    assert "Anbefaling 1" in mail.body_text and "01.06.2028" in mail.body_text


def test_follow_up_steps_must_make_sense(decided: str) -> None:
    def record(
        number: int,
        status: FollowUpStatus,
        on: date,
        text: str = "Udført.",
        next_review: date | None = None,
    ) -> FollowUp:
        with committee.committee_session(SLUG) as (session, found):
            unit = "Center for Kultur"
            return followup.record_status(
                session, found, number, status, on, text, unit, next_review, "test"
            )

    done = record(1, FollowUpStatus.carried_out, date(2028, 9, 1))
    assert record(1, FollowUpStatus.carried_out, date(2028, 9, 1)).id == done.id  # a repeat
    with pytest.raises(
        UserError, match="anbefaling 1 er gennemført .* kan ikke blive i gang; kun en rettelse"
    ):
        record(1, FollowUpStatus.under_way, date(2028, 10, 1))
    corrected = record(1, FollowUpStatus.carried_out, date(2028, 9, 2), "Udført i august.")
    assert corrected.id != done.id
    with pytest.raises(UserError, match="ingen anbefaling nr. 9 \\(der er 1, 2, 3, 4\\)"):
        record(9, FollowUpStatus.under_way, date(2028, 2, 1))
    with pytest.raises(UserError, match="skriv en kort, offentlig tekst"):
        record(2, FollowUpStatus.under_way, date(2028, 2, 1), "  ")
    with pytest.raises(UserError, match="teksten har 501 tegn; højst 500"):
        record(2, FollowUpStatus.under_way, date(2028, 2, 1), "x" * 501)
    with pytest.raises(UserError, match="ligger før seneste status"):
        record(2, FollowUpStatus.under_way, date(2027, 12, 1))
    with pytest.raises(UserError, match="skal ikke følges op igen"):
        record(3, FollowUpStatus.dropped, date(2028, 2, 1), next_review=date(2028, 6, 1))
    with pytest.raises(UserError, match="skal ligge efter statusdatoen"):
        record(3, FollowUpStatus.under_way, date(2028, 2, 1), next_review=date(2028, 2, 1))
    record(3, FollowUpStatus.under_way, date(2028, 2, 1))
    with pytest.raises(UserError, match="er i gang .* kan ikke blive besluttet"):
        record(3, FollowUpStatus.decided, date(2028, 3, 1))
    with committee.committee_session(SLUG) as (session, found):
        steps = session.exec(select(FollowUp).where(FollowUp.committee_id == found.id)).all()
        assert len(steps) == 4 + 3  # the decisions' steps, 1 done and corrected, 3 under way
        events = session.exec(
            select(models.AuditEvent).where(models.AuditEvent.action == "followup.recorded")
        ).all()
        assert len(events) == 3 and all("text" not in e.details for e in events)


def test_nothing_before_the_decisions(decided: str) -> None:
    with committee.committee_session(SLUG) as (session, found):
        found.status = CommitteeStatus.delivered
        with pytest.raises(UserError, match="endnu ikke truffet beslutning"):
            feedback.queue_decision_letters(session, found, get_settings())
        with pytest.raises(UserError, match="først registreres, når de er besluttet"):
            followup.record_status(
                session, found, 1, FollowUpStatus.under_way, date(2028, 2, 1), "I gang.",
                "Center for Kultur", None, "test",
            )  # fmt: skip
        session.rollback()


def test_status_table_shows_each_recommendation(decided: str) -> None:
    with committee.committee_session(SLUG) as (session, found):
        lines = followup.status_table(session, found)
    assert lines[0].startswith("Nr.  Anbefaling")
    assert len(lines) == 5
    assert re.search(r"^2\s+Placering ved Gentofte Sportspark\s+besluttet\s+10\.01\.2028", lines[2])
