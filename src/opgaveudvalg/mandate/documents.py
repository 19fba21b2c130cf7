"""The mandate (kommissorium) as the documents KB approves: HTML, PDF and Markdown, Danish and English."""

from datetime import date
from pathlib import Path

from opgaveudvalg.documents import FORMATS, DocumentMeta, Format, write_in_languages
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.paths import CommitteeFiles


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
    return write_in_languages(
        "kommissorium",
        meta,
        lambda lang: files.mandate(version, lang),
        langs,
        formats,
        mandate=mandate,
    )
