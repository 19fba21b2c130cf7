"""Closing the loop: when the decisions are made, and again when a recommendation's status
changes, everyone who took part hears what became of the committee's work. Every citizen who
held a seat, every politician with an address and every applicant who asked for it on applying
gets one letter (Danish, then English) through the outbox: each recommendation, what was decided
on it, by whom, when and why, and a link to the handover report. A letter names no one but the
person it is written to; an address shared by several people gets one letter, addressed to none
of them by name."""

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from opgaveudvalg import documents, models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.delivery.consultation import final_decisions
from opgaveudvalg.delivery.handover import HandoverFile, handover_content, stored_handover
from opgaveudvalg.delivery.records import Body, FollowUp
from opgaveudvalg.errors import UserError
from opgaveudvalg.mail.queue import enqueue, queued
from opgaveudvalg.members.letters import bilingual
from opgaveudvalg.members.roster import members
from opgaveudvalg.models import CommitteeStatus
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import Settings

LANGS = ("da", "en")
REPORT_FILE = "aflevering.pdf"
MEMBER, APPLICANT = "medlem", "ansoeger"
DECIDED_OCCASION = "beslutninger"
DECIDED = (CommitteeStatus.decided, CommitteeStatus.closed)


@dataclass(frozen=True)
class Reader:
    """One address a letter goes to. `kind` chooses the letter (a member's or an applicant's),
    `name` the salutation (None when several people share the address), `file` the name of
    the letter's copy in the output folder."""

    address: str
    name: str | None
    kind: str
    file: str
    applicant_id: int | None = None


def readers(session: Session, committee: models.Committee) -> list[Reader]:
    """Who hears what became of the recommendations: citizens who held a seat at any time,
    politicians with an address, then applicants who asked to hear; each address once."""
    seated = [m for m in members(session, committee) if _held_seat(m)]
    found = [
        *_citizens(session, seated),
        *_politicians(seated),
        *_interested(session, committee, {m.applicant_id for m in seated if m.applicant_id}),
    ]
    by_address: dict[str, list[Reader]] = {}
    for reader in (r for r in found if r.address.strip()):  # none once contact data is deleted
        by_address.setdefault(reader.address.strip().casefold(), []).append(reader)
    return [
        replace(same[0], name=same[0].name if len({r.name for r in same}) == 1 else None)
        for same in by_address.values()
    ]


def _held_seat(membership: models.Membership) -> bool:
    """A seat given up before the committee started was never held."""
    return membership.end_date is None or membership.end_date > membership.start_date


def _citizens(session: Session, seated: list[models.Membership]) -> list[Reader]:
    found = []
    for membership in seated:
        if membership.applicant_id is None:
            continue
        applicant = session.get(models.Applicant, membership.applicant_id)
        if applicant is not None:
            found.append(_applicant_reader(applicant, MEMBER))
    return found


def _politicians(seated: list[models.Membership]) -> list[Reader]:
    return [
        Reader(m.email, m.politician_name, MEMBER, f"politiker-{m.id}")
        for m in seated
        if m.politician_name and m.email
    ]


def _interested(
    session: Session, committee: models.Committee, seated: set[int | None]
) -> list[Reader]:
    query = (
        select(models.Applicant)
        .where(models.Applicant.committee_id == committee.id)
        .where(col(models.Applicant.wants_updates))
        .order_by(col(models.Applicant.id))
    )
    return [_applicant_reader(a, APPLICANT) for a in session.exec(query) if a.id not in seated]


def _applicant_reader(applicant: models.Applicant, kind: str) -> Reader:
    return Reader(applicant.email, applicant.name, kind, f"ansoeger-{applicant.id}", applicant.id)


# --- what was decided ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionLine:
    """One recommendation and the decision that stands on it, as a letter tells it."""

    number: int
    title: dict[str, str]  # per language; the Danish title where the handover has no English
    outcome: str  # an Outcome value
    body: str  # a Body value: who decided
    sent_on: bool  # the standing committee sent it to KB
    meeting_date: date
    agenda_item: int
    case_number: str
    reason: str


def decision_lines(session: Session, committee: models.Committee) -> list[DecisionLine]:
    """Per recommendation, in the handover's order, the final decision on it."""
    _require_decided(committee)
    content = _handover(session, committee)
    final = final_decisions(session, committee)
    lines = []
    for recommendation in sorted(content.anbefalinger, key=lambda r: r.nr):
        decision = final[recommendation.nr]
        lines.append(
            DecisionLine(
                number=recommendation.nr,
                title=_titles(content, recommendation.nr),
                outcome=decision.outcome.value,
                body=decision.body.value,
                sent_on=decision.body == Body.council,
                meeting_date=decision.meeting_date,
                agenda_item=decision.agenda_item,
                case_number=decision.case_number,
                reason=decision.reason,
            )
        )
    return lines


def _require_decided(committee: models.Committee) -> None:
    if committee.status not in DECIDED:
        raise UserError(
            f"'{committee.slug}' har status '{committee.status}': der er endnu ikke truffet "
            "beslutning om alle anbefalingerne"
        )


def _handover(session: Session, committee: models.Committee) -> HandoverFile:
    stored = stored_handover(session, committee)
    if stored is None:
        raise UserError(f"'{committee.slug}' har ingen anbefalinger")
    return handover_content(stored)


def _titles(content: HandoverFile, number: int) -> dict[str, str]:
    recommendation = content.recommendation(number)
    return {"da": recommendation.titel, "en": recommendation.en.titel or recommendation.titel}


def report_url(settings: Settings, slug: str, lang: str) -> str:
    """Where the handover report is published: the output folder's layout below
    `documents_url`."""
    target = CommitteeFiles.of(settings.output_dir, slug).handover(lang) / REPORT_FILE
    return f"{settings.documents_url}/{target.relative_to(settings.output_dir).as_posix()}"


# --- the letters --------------------------------------------------------------------------------


def queue_decision_letters(
    session: Session, committee: models.Committee, settings: Settings
) -> list[models.OutboxMessage]:
    """The letter about the decisions to every reader, written as files and queued; running
    it again queues nothing new (each message has an idempotency key)."""
    context = {
        **_common(session, committee, settings),
        "decisions": decision_lines(session, committee),
    }
    return [
        _letter(session, committee, settings, reader, DECIDED_OCCASION, "tilbagemelding", context)
        for reader in readers(session, committee)
    ]


def queue_status_letters(
    session: Session, committee: models.Committee, followup: FollowUp, settings: Settings
) -> list[models.OutboxMessage]:
    """A shorter letter to every reader when a recommendation's status changes. The status
    the decision itself gives ('besluttet', the first step) is told by the decision letter."""
    _require_decided(committee)
    if followup.id is None or followup.id == _first_step(session, followup):
        return []
    context = {
        **_common(session, committee, settings),
        "followup": followup,
        "title": _titles(_handover(session, committee), followup.recommendation),
    }
    occasion = f"status-{followup.id}"
    return [
        _letter(session, committee, settings, reader, occasion, "opfoelgning", context)
        for reader in readers(session, committee)
    ]


def _first_step(session: Session, followup: FollowUp) -> int | None:
    query = (
        select(FollowUp.id)
        .where(FollowUp.committee_id == followup.committee_id)
        .where(FollowUp.recommendation == followup.recommendation)
        .order_by(col(FollowUp.id))
    )
    return session.exec(query).first()


def _common(session: Session, committee: models.Committee, settings: Settings) -> dict[str, Any]:
    mandate = current_mandate(session, committee)
    return {
        "committee_title": mandate.titel,
        "standing_committee": mandate.organisering.fagudvalg,
        "secretariat": mandate.organisering.sekretariat,
        "secretariat_email": settings.secretariat_email,
        "municipality": settings.municipality,
        "report_urls": {lang: report_url(settings, committee.slug, lang) for lang in LANGS},
    }


def _letter(
    session: Session,
    committee: models.Committee,
    settings: Settings,
    reader: Reader,
    occasion: str,
    template: str,
    context: dict[str, Any],
) -> models.OutboxMessage:
    digest = hashlib.sha256(reader.address.strip().casefold().encode()).hexdigest()[:16]
    key = f"tilbagemelding:{committee.id}:{occasion}:{digest}"
    if existing := queued(session, key):
        return existing
    texts = {
        lang: documents.render_text(
            f"{template}.txt.j2", lang, kind=reader.kind, name=reader.name, **context
        )
        for lang in LANGS
    }
    subject, body_text, body_html = bilingual(texts)
    folder = CommitteeFiles.of(settings.output_dir, committee.slug).letters() / "tilbagemelding"
    target = _write(folder / occasion, reader.file, body_text, body_html)
    return enqueue(
        session,
        committee_id=committee.id,  # type: ignore[arg-type]
        key=key,
        kind="tilbagemelding" if occasion == DECIDED_OCCASION else "tilbagemelding-status",
        applicant_id=reader.applicant_id,
        to_address=reader.address.strip(),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachment=str(target),
    )


def _write(folder: Path, name: str, body_text: str, body_html: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(body_text, encoding="utf-8")
    target = folder / f"{name}.html"
    target.write_text(body_html, encoding="utf-8")
    return target
