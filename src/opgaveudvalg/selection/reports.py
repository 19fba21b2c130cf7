"""What selection produces for people: the public and internal selection reports and the summary
for Prefect (aggregates only). The letters to applicants are in `members.letters`."""

import math
import statistics
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from opgaveudvalg import committee, documents, models
from opgaveudvalg.charts import Chart
from opgaveudvalg.documents import DocumentMeta
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.selection import charts
from opgaveudvalg.selection.charts import ChanceBin, Funnel, GroupShare
from opgaveudvalg.selection.instance import profile_labels
from opgaveudvalg.selection.runs import reserve_places
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


_BOUND_WORDS = {"da": ("mindst", "højst", "præcis"), "en": ("at least", "at most", "exactly")}


def target_bound(target: TargetRow, seats: int, lang: str) -> str:
    """'mindst 4' when only a minimum is set (the maximum is then the seat count), 'højst 3'
    for a maximum only, '4–6' for a real range."""
    at_least, at_most, exactly = _BOUND_WORDS[lang]
    if target.min == target.max:
        return f"{exactly} {target.min}"
    if target.max >= seats:
        return f"{at_least} {target.min}"
    if target.min == 0:
        return f"{at_most} {target.max}"
    return f"{target.min}–{target.max}"


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


def chance_bins(probabilities: list[float]) -> list[ChanceBin]:
    """The chances, from the smallest to the largest, in bins of 1, 2, 5, 10 or 20 percentage
    points: the finest that gives at most 12 bins."""
    values = [round(p * 100, 9) for p in probabilities]
    for step in (1, 2, 5, 10, 20):
        start = math.floor(min(values) / step) * step
        count = max(1, math.ceil((max(values) - start) / step))
        if count <= 12:
            break
    bins = [0] * count
    for value in values:
        bins[min(int((value - start) // step), count - 1)] += 1
    return [ChanceBin(start + i * step, start + (i + 1) * step, n) for i, n in enumerate(bins)]


def applicant_count(session: Session, committee_id: int) -> int:
    """The committee's applicants, or as counted before their data was deleted."""
    kept = session.get(models.RetainedFigures, committee_id)
    if kept is not None:
        return kept.applicants
    query = select(func.count()).where(models.Applicant.committee_id == committee_id)
    return session.exec(query).one()


def funnel(session: Session, run: models.SelectionRun) -> Funnel:
    imported = select(func.coalesce(func.sum(models.ImportBatch.rows), 0)).where(
        models.ImportBatch.committee_id == run.committee_id,
        models.ImportBatch.state == models.ImportState.done,
    )
    return Funnel(
        session.exec(imported).one(),
        applicant_count(session, run.committee_id),
        len(run.inputs["people"]),
        sum(run.inputs["seats"].values()),
        len(reserve_places(run, {int(seat["applicant"]) for seat in run.panel})),
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
                "emne": f"{target.category}: {target.group} ({target_bound(target, summary.seats, 'da')})",
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
    drawn = (run.drawn_at or run.created_at).astimezone(ZoneInfo(settings.timezone))
    facts = ReportFacts(
        probability_summary(run),
        target_rows(run),
        chance_bins(list(run.probabilities.values())),
        funnel(session, run),
    )
    files = []
    for lang in LANGS:
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
                        meta=replace(meta, lang=lang, issued=drawn.date()),
                        run=run,
                        drawn=drawn if run.drawn_at else None,
                        public=audience == "offentlig",
                        facts=facts,
                        bound=lambda t, lang=lang: target_bound(t, facts.summary.seats, lang),
                        charts=report_charts(facts, lang),
                        profiles=profile_labels(mandate, lang),
                        seats=run.inputs["seats"],
                        eligible=_eligible_per_profile(run),
                        members=members,
                        reserves=reserves,
                    )
                )
    return files


@dataclass(frozen=True)
class ReportFacts:
    """The figures both versions of the report show, as tables and as charts."""

    summary: ProbabilitySummary
    targets: list[TargetRow]
    chances: list[ChanceBin]
    funnel: Funnel


def report_charts(facts: ReportFacts, lang: str) -> dict[str, Chart]:
    """The charts by name: representation (when the mandate sets targets), chances, funnel."""
    found = {
        "chances": charts.chances("chart-chances", facts.chances, lang),
        "funnel": charts.funnel("chart-funnel", facts.funnel, lang),
    }
    if facts.targets:
        groups = [
            GroupShare(
                f"{t.category}: {t.group}",
                target_bound(t, facts.summary.seats, lang),
                t.min,
                t.max,
                t.in_pool,
                t.on_panel,
            )
            for t in facts.targets
        ]
        found["representation"] = charts.representation(
            "chart-representation", groups, facts.summary.seats, facts.summary.applicants, lang
        )
    return found


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
