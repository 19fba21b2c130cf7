"""The mandate (kommissorium) as the documents KB approves: HTML, PDF and Markdown, Danish and English."""

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from opgaveudvalg.documents import FORMATS, DocumentMeta, Format, render_text, write_document
from opgaveudvalg.mandate.model import Mandate, neutral_label, speaks_to_applicant
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import TEMPLATES_DIR

END_ANCHOR = "dokumentets-slutning"  # the id of the empty element that ends the mandate's text
SPARSE_LAST_PAGE = 1 / 3  # a last page filled less than this is set again, tighter
_MM = 96 / 25.4  # CSS pixels per millimetre
_TEXT_TOP_MM, _TEXT_HEIGHT_MM = 24, 297 - 24 - 22  # the A4 page's text area (document.css)


def write_mandate(
    mandate: Mandate,
    version: int,
    issued: date,
    case_number: str | None,
    municipality: str,
    output_dir: Path,
    langs: tuple[str, ...] = ("da", "en"),
    formats: tuple[Format, ...] = FORMATS,
    approved: bool = False,
) -> list[Path]:
    """The kommissorium. `issued` is the draft's date, or KB's meeting date once `approved`."""
    meta = DocumentMeta(
        "kommissorium", mandate.titel, municipality, version, issued, case_number, "da", approved
    )
    files = CommitteeFiles.of(output_dir, mandate.slug)
    context: dict[str, Any] = {
        "mandate": mandate,
        "neutral_label": neutral_label,
        "speaks_to_applicant": speaks_to_applicant,
        "end_anchor": END_ANCHOR,
    }
    written = []
    for lang in langs:
        lang_meta = replace(meta, lang=lang)
        folder = files.mandate(version, lang)
        for fmt in formats:
            if fmt == "pdf":
                written.append(_write_pdf(lang, folder, meta=lang_meta, **context))
            else:
                written.append(
                    write_document(
                        "kommissorium", lang, fmt, folder, meta=lang_meta, compact=False, **context
                    )
                )
    return written


def _write_pdf(lang: str, folder: Path, **context: Any) -> Path:
    """The PDF, set tighter when that saves a last page that would hold only a few lines."""
    from weasyprint import HTML  # slow import; only needed when a PDF is made

    def layout(compact: bool) -> Any:
        html = render_text("kommissorium.html.j2", lang, compact=compact, **context)
        return HTML(string=html, base_url=str(TEMPLATES_DIR)).render()

    document = layout(compact=False)
    if len(document.pages) > 1 and last_page_fill(document) < SPARSE_LAST_PAGE:
        tighter = layout(compact=True)
        if len(tighter.pages) < len(document.pages):
            document = tighter
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "kommissorium.pdf"
    document.write_pdf(target)
    return target


def last_page_fill(document: Any) -> float:
    """How much of the last page's text area the mandate's text fills, from 0 to 1."""
    y = document.pages[-1].anchors[END_ANCHOR][1]
    return float((y / _MM - _TEXT_TOP_MM) / _TEXT_HEIGHT_MM)
