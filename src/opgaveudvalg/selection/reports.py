"""What selection produces for people: the public and internal selection reports, the summary
for Prefect (aggregates only), and the letters to applicants (files and outbox messages)."""

import statistics
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from opgaveudvalg import committee as record
from opgaveudvalg import documents, models
from opgaveudvalg.documents import DocumentMeta
from opgaveudvalg.mail.queue import enqueue
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.selection import runs as selection

LANGS = ("da", "en")


@dataclass(frozen=True)
class TargetRow:
    category: str
    group: str
    min: int
    max: int
    in_pool: int
    on_panel: int | None

    @property
    def met(self) -> bool | None:
        return None if self.on_panel is None else self.min <= self.on_panel <= self.max


def target_rows(run: models.SelectionRun) -> list[TargetRow]:
    people = {p["id"]: {tuple(g) for g in p["groups"]} for p in run.inputs["people"]}
    chosen = [seat["applicant"] for seat in run.panel]
    rows = []
    for category, group, low, high in run.inputs["quotas"]:
        members = {pid for pid, groups in people.items() if (category, group) in groups}
        on_panel = sum(1 for pid in chosen if pid in members) if chosen else None
        rows.append(TargetRow(category, group, low, high, len(members), on_panel))
    return rows


@dataclass(frozen=True)
class ProbabilitySummary:
    applicants: int
    panels: int
    minimum: float
    median: float
    maximum: float
    seats: int


def probability_summary(run: models.SelectionRun) -> ProbabilitySummary:
    values = sorted(run.probabilities.values())
    return ProbabilitySummary(
        len(values),
        len(run.distribution["panels"]),
        values[0],
        statistics.median(values),
        values[-1],
        sum(run.inputs["seats"].values()),
    )


def summary_rows(session: Session, run: models.SelectionRun) -> list[dict[str, object]]:
    """The public figures as table rows for Prefect: no names, no applicant IDs."""
    summary = probability_summary(run)
    rows: list[dict[str, object]] = [
        {"emne": "metode", "værdi": run.method},
        {"emne": "egnede ansøgere", "værdi": summary.applicants},
        {"emne": "borgerpladser", "værdi": summary.seats},
        {"emne": "mindste sandsynlighed", "værdi": f"{summary.minimum:.2%}"},
        {"emne": "største sandsynlighed", "værdi": f"{summary.maximum:.2%}"},
        {"emne": "paneler i fordelingen", "værdi": summary.panels},
        {"emne": "frø", "værdi": run.seed or "afventer offentlig lodtrækning"},
    ]
    for target in target_rows(run):
        achieved = "–" if target.on_panel is None else target.on_panel
        rows.append(
            {
                "emne": f"{target.category}: {target.group} ({target.min}–{target.max})",
                "værdi": f"{achieved} (blandt ansøgerne: {target.in_pool})",
            }
        )
    return rows


# --- reports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonLine:
    applicant_id: int
    name: str
    profile: str
    probability: float


def _context(
    session: Session, run: models.SelectionRun, municipality: str
) -> tuple[Mandate, DocumentMeta, str]:
    """The run's mandate, the documents' identity, and the committee's slug."""
    mandate_row = session.get(models.Mandate, run.mandate_id)
    mandate = record.mandate_content(mandate_row)  # type: ignore[arg-type]
    decision = record.decision_for(session, run.mandate_id)
    meta = DocumentMeta(
        "udvaelgelse",
        mandate.titel,
        municipality,
        mandate_row.version,  # type: ignore[union-attr]
        (run.drawn_at or run.created_at).date(),
        decision.case_number if decision else None,
        "da",
        approved=True,
    )
    return mandate, meta, mandate.slug


def _names(session: Session, ids: list[str]) -> dict[str, str]:
    query = select(models.Applicant).where(col(models.Applicant.id).in_([int(i) for i in ids]))
    return {str(a.id): a.name for a in session.exec(query)}


def internal_lines(
    session: Session, run: models.SelectionRun
) -> tuple[list[PersonLine], dict[str, list[PersonLine]]]:
    """The drawn members and the ordered reserves, with names and probabilities."""
    reserve_ids = [i for ids in run.reserves.values() for i in ids]
    names = _names(session, [s["applicant"] for s in run.panel] + reserve_ids)

    def line(applicant: str, profile: str) -> PersonLine:
        return PersonLine(
            int(applicant), names.get(applicant, "(slettet)"), profile, run.probabilities[applicant]
        )

    members = [line(s["applicant"], s["profile"]) for s in run.panel]
    reserves = {profile: [line(i, profile) for i in ids] for profile, ids in run.reserves.items()}
    return members, reserves


def write_reports(session: Session, run: models.SelectionRun, settings: Any) -> list[Path]:
    """The selection report in two versions: public (no names) and internal, HTML and PDF."""
    mandate, meta, slug = _context(session, run, settings.municipality)
    members, reserves = internal_lines(session, run)
    files = []
    for lang in LANGS:
        labels = selection.profile_labels(mandate, lang)
        for audience in ("offentlig", "intern"):
            folder = report_dir(settings.output_dir, slug, run.id or 0, audience, lang)
            for fmt in ("html", "pdf"):
                files.append(
                    documents.write_document(
                        "udvaelgelse",
                        lang,
                        fmt,  # type: ignore[arg-type]
                        folder,
                        mandate=mandate,
                        meta=replace(meta, lang=lang),
                        run=run,
                        public=audience == "offentlig",
                        summary=probability_summary(run),
                        targets=target_rows(run),
                        profiles=labels,
                        seats=run.inputs["seats"],
                        eligible=_eligible_per_profile(run),
                        members=members,
                        reserves=reserves,
                    )
                )
    return files


def report_dir(output_dir: Path, slug: str, run_id: int, audience: str, lang: str) -> Path:
    """audience: 'offentlig' (no names, may be published) or 'intern'."""
    return CommitteeFiles.of(output_dir, slug).selection_report(run_id, audience, lang)


def _eligible_per_profile(run: models.SelectionRun) -> dict[str, int]:
    counts = dict.fromkeys(run.inputs["seats"], 0)
    for person in run.inputs["people"]:
        for profile in person["profiles"]:
            if profile in counts:
                counts[profile] += 1
    return counts


# --- letters ---------------------------------------------------------------------------------

LETTER_KINDS = ("udpeget", "reserve", "ikke-udvalgt")


def write_letters(
    session: Session, committee: models.Committee, settings: Any
) -> list[models.OutboxMessage]:
    """One letter per applicant (Danish, then English) as files and as an outbox message.
    Writing them again does not add messages: each has an idempotency key."""
    run = selection.current_run(session, committee)
    mandate, meta, slug = _context(session, run, settings.municipality)
    appointment = session.exec(
        select(models.Appointment).where(models.Appointment.selection_run_id == run.id)
    ).one()
    members = {m.applicant_id: m for m in selection.members(session, committee) if m.applicant_id}
    reserve_position = reserve_positions(run, set(members))
    applicants = session.exec(
        select(models.Applicant)
        .where(models.Applicant.committee_id == committee.id)
        .order_by(col(models.Applicant.id))
    )
    messages = []
    for applicant in applicants:
        assert applicant.id is not None
        kind = _letter_kind(applicant.id, members, reserve_position)
        context = {
            "applicant": applicant,
            "mandate": mandate,
            "meta": meta,
            "kind": kind,
            "appointment": appointment,
            "membership": members.get(applicant.id),
            "reserve_position": reserve_position.get(applicant.id),
            "seed": run.seed,
            "secretariat_email": settings.secretariat_email,
            "municipality": settings.municipality,
        }
        messages.append(
            _letter(
                session,
                committee,
                run,
                applicant,
                kind,
                context,
                CommitteeFiles.of(settings.output_dir, slug).letters(),
            )
        )
    return messages


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
    profiles = {lang: selection.profile_labels(context["mandate"], lang) for lang in LANGS}
    texts = {
        lang: documents.render_text("brev.txt.j2", lang, profiles=profiles[lang], **context)
        for lang in LANGS
    }
    subject = texts["da"].splitlines()[0]
    body_text = texts["da"] + "\n\n---- English ----\n\n" + texts["en"]
    body_html = documents.render_text(
        "brev.html.j2",
        "da",
        subject=subject,
        letters={lang: _paragraphs(text) for lang, text in texts.items()},
    )
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


def _paragraphs(text: str) -> tuple[str, list[list[str]]]:
    title, _, body = text.partition("\n")
    blocks = [block.strip() for block in body.split("\n\n") if block.strip()]
    return title, [block.splitlines() for block in blocks]


def letter_counts(session: Session, committee: models.Committee) -> dict[str, int]:
    """Outbox messages per kind, for the demo's report."""
    query = select(models.OutboxMessage.kind).where(
        models.OutboxMessage.committee_id == committee.id
    )
    return dict(Counter(session.exec(query)))
