"""The handover report (afleveringsrapport) in Danish and English as HTML, PDF and Markdown, and
the short public summary written when the committee closes. Rendering again after the decisions
adds them; the charts are inline SVG in HTML and PDF, and files of their own next to the
Markdown; the attachments are copied next to the report."""

import os
import shutil
from datetime import date
from pathlib import Path

from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.charts import Chart
from opgaveudvalg.delivery import report_data
from opgaveudvalg.delivery.consultation import BODY_NAMES
from opgaveudvalg.documents import FORMATS, DocumentMeta, write_in_languages
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import Settings

LANGS = report_data.LANGS


def write_handover_report(
    session: Session, committee: models.Committee, settings: Settings
) -> list[Path]:
    """The report in every language and format; returns the files written (documents, charts
    and attachments)."""
    facts = report_data.gather(session, committee)
    files = CommitteeFiles.of(settings.output_dir, committee.slug)
    drawn = {lang: report_data.report_charts(facts, lang) for lang in LANGS}
    extra = [
        *_write_charts(drawn, files),
        *_copy_attachments(facts, files),
    ]
    written = write_in_languages(
        "aflevering",
        _meta(facts, settings, "aflevering"),
        files.handover,
        LANGS,
        FORMATS,
        facts=facts,
        charts=drawn,
        profiles=report_data.labels(facts),
        bodies=BODY_NAMES,
    )
    return written + extra


def write_closing_summary(
    session: Session, committee: models.Committee, settings: Settings
) -> list[Path]:
    """The final public page: each recommendation, what was decided on it (body, date, case
    number), where it stands now, and links to the report and the mandate."""
    facts = report_data.gather(session, committee)
    files = CommitteeFiles.of(settings.output_dir, committee.slug)
    links = {
        lang: {
            "report": _relative(files.handover(lang) / "aflevering.html", files.closing(lang)),
            "report_pdf": _relative(files.handover(lang) / "aflevering.pdf", files.closing(lang)),
            "mandate": _relative(
                files.mandate(facts.mandate_version, lang) / "kommissorium.html",
                files.closing(lang),
            ),
        }
        for lang in LANGS
    }
    return write_in_languages(
        "afslutning",
        _meta(facts, settings, "afslutning", committee.closed_on),
        files.closing,
        LANGS,
        ("html", "md"),
        facts=facts,
        links=links,
        closed_on=committee.closed_on,
        bodies=BODY_NAMES,
    )


def _meta(
    facts: report_data.ReportFacts, settings: Settings, kind: str, day: date | None = None
) -> DocumentMeta:
    return DocumentMeta(
        kind,
        facts.mandate.titel,
        settings.municipality,
        facts.mandate_version,
        day if day is not None else facts.issued,
        facts.case_number,
        "da",
        approved=True,
    )


def _write_charts(drawn: dict[str, dict[str, Chart]], files: CommitteeFiles) -> list[Path]:
    """Each chart as an SVG file next to the Markdown, which links it."""
    written = []
    for lang, by_name in drawn.items():
        folder = files.handover(lang) / "figurer"
        folder.mkdir(parents=True, exist_ok=True)
        for name, chart in by_name.items():
            target = folder / f"{name}.svg"
            target.write_text(chart.file_text, encoding="utf-8")
            written.append(target)
    return written


def _copy_attachments(facts: report_data.ReportFacts, files: CommitteeFiles) -> list[Path]:
    copied = []
    for lang in LANGS:
        for view in facts.recommendations:
            for attachment in view.attachments:
                target = files.handover(lang) / attachment.href
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(attachment.source, target)
                copied.append(target)
    return copied


def _relative(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()
