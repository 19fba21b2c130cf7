"""What selection produces for people: the public and internal selection reports and the summary
for Prefect (aggregates only). The letters to applicants are in `members.letters`."""

import statistics
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session, col, select

from opgaveudvalg import committee, documents, models
from opgaveudvalg.documents import DocumentMeta
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.selection.instance import profile_labels
from opgaveudvalg.settings import Settings

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


def run_context(
    session: Session, run: models.SelectionRun, municipality: str
) -> tuple[Mandate, DocumentMeta, str]:
    """The run's mandate, the documents' identity, and the committee's slug."""
    mandate_row = committee.get_mandate(session, run.mandate_id)
    mandate = committee.mandate_content(mandate_row)
    decision = committee.decision_for(session, run.mandate_id)
    meta = DocumentMeta(
        "udvaelgelse",
        mandate.titel,
        municipality,
        mandate_row.version,
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


def write_reports(session: Session, run: models.SelectionRun, settings: Settings) -> list[Path]:
    """The selection report in two versions: public (no names) and internal, HTML and PDF."""
    mandate, meta, slug = run_context(session, run, settings.municipality)
    members, reserves = internal_lines(session, run)
    files = []
    for lang in LANGS:
        labels = profile_labels(mandate, lang)
        for audience in ("offentlig", "intern"):
            folder = report_dir(settings.output_dir, slug, run.id or 0, audience, lang)
            for fmt in ("html", "pdf"):
                files.append(
                    documents.write_document(
                        "udvaelgelse",
                        lang,
                        fmt,
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
