"""The letters to applicants after KB's appointment: appointed, reserve or not selected, each in
Danish and English, written as files and queued in the outbox (`mail.queue.enqueue`)."""

from collections import Counter
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from opgaveudvalg import documents, models
from opgaveudvalg.mail.queue import enqueue
from opgaveudvalg.members import roster
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.selection.instance import profile_labels
from opgaveudvalg.selection.reports import LANGS, run_context
from opgaveudvalg.selection.runs import current_run
from opgaveudvalg.settings import Settings

LETTER_KINDS = ("udpeget", "reserve", "ikke-udvalgt")


def write_letters(
    session: Session, committee: models.Committee, settings: Settings
) -> list[models.OutboxMessage]:
    """One letter per applicant (Danish, then English) as files and as an outbox message.
    Writing them again does not add messages: each has an idempotency key."""
    run = current_run(session, committee)
    mandate, meta, slug = run_context(session, run, settings.municipality)
    appointment = session.exec(
        select(models.Appointment).where(models.Appointment.selection_run_id == run.id)
    ).one()
    seated = {m.applicant_id: m for m in roster.members(session, committee) if m.applicant_id}
    reserve_position = reserve_positions(run, set(seated))
    folder = CommitteeFiles.of(settings.output_dir, slug).letters()
    common = {
        "mandate": mandate,
        "meta": meta,
        "appointment": appointment,
        "seed": run.seed,
        "secretariat_email": settings.secretariat_email,
        "municipality": settings.municipality,
    }
    messages = []
    for applicant in _applicants(session, committee):
        assert applicant.id is not None
        kind = _letter_kind(applicant.id, seated, reserve_position)
        context = {
            **common,
            "applicant": applicant,
            "kind": kind,
            "membership": seated.get(applicant.id),
            "reserve_position": reserve_position.get(applicant.id),
        }
        messages.append(_letter(session, committee, run, applicant, kind, context, folder))
    return messages


def _applicants(session: Session, committee: models.Committee) -> list[models.Applicant]:
    query = select(models.Applicant).where(models.Applicant.committee_id == committee.id)
    return list(session.exec(query.order_by(col(models.Applicant.id))))


RESERVES_PER_SEAT = 2


def reserve_positions(run: models.SelectionRun, members: set[int]) -> dict[int, int]:
    """Who is told they are a reserve: the first RESERVES_PER_SEAT × seats on each profile's
    list (at least two), with their best place. Replacement still uses the whole list."""
    positions: dict[int, int] = {}
    for profile, ids in run.reserves.items():
        waiting = [int(i) for i in ids if int(i) not in members]
        length = max(2, RESERVES_PER_SEAT * run.inputs["seats"][profile])
        for position, applicant in enumerate(waiting[:length], start=1):
            positions[applicant] = min(position, positions.get(applicant, position))
    return positions


def _letter_kind(applicant_id: int, members: dict[int, Any], reserves: dict[int, int]) -> str:
    if applicant_id in members:
        return "udpeget"
    return "reserve" if applicant_id in reserves else "ikke-udvalgt"


def _letter(
    session: Session,
    committee: models.Committee,
    run: models.SelectionRun,
    applicant: models.Applicant,
    kind: str,
    context: dict[str, Any],
    folder: Path,
) -> models.OutboxMessage:
    profiles = {lang: profile_labels(context["mandate"], lang) for lang in LANGS}
    texts = {
        lang: documents.render_text("brev.txt.j2", lang, profiles=profiles[lang], **context)
        for lang in LANGS
    }
    subject, body_text, body_html = bilingual(texts)
    target = folder / kind / f"{applicant.id}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body_html, encoding="utf-8")
    (folder / kind / f"{applicant.id}.txt").write_text(body_text, encoding="utf-8")
    key = f"selection-{run.id}-letter-{applicant.id}"
    return enqueue(
        session,
        committee_id=committee.id,  # type: ignore[arg-type]
        key=key,
        kind=f"brev-{kind}",
        applicant_id=applicant.id,
        to_address=applicant.email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachment=str(target),
    )


def bilingual(texts: dict[str, str]) -> tuple[str, str, str]:
    """One letter in Danish and English (`texts` by language, each with its title on the
    first line) as a mail: subject, plain text (Danish first), and HTML."""
    subject = texts["da"].splitlines()[0]
    body_text = texts["da"] + "\n\n---- English ----\n\n" + texts["en"]
    body_html = documents.render_text(
        "brev.html.j2",
        "da",
        subject=subject,
        letters={lang: paragraphs(text) for lang, text in texts.items()},
    )
    return subject, body_text, body_html


def paragraphs(text: str) -> tuple[str, list[list[str]]]:
    """A letter's text as its title and paragraphs of lines, for brev.html.j2."""
    title, _, body = text.partition("\n")
    blocks = [block.strip() for block in body.split("\n\n") if block.strip()]
    return title, [block.splitlines() for block in blocks]


def letter_counts(session: Session, committee: models.Committee) -> dict[str, int]:
    """Outbox messages per kind."""
    query = select(models.OutboxMessage.kind).where(
        models.OutboxMessage.committee_id == committee.id
    )
    return dict(Counter(session.exec(query)))


def appointment_rows(session: Session, committee: models.Committee) -> list[dict[str, object]]:
    """The appointment in figures for Prefect: seats by kind and messages queued by kind."""
    seated = roster.members(session, committee)
    rows: list[dict[str, object]] = [
        {"emne": "borgere udpeget", "antal": sum(1 for m in seated if m.applicant_id)},
        {"emne": "politikere udpeget", "antal": sum(1 for m in seated if m.politician_name)},
    ]
    queued = sorted(letter_counts(session, committee).items())
    return rows + [{"emne": f"i udbakken: {kind}", "antal": n} for kind, n in queued]
