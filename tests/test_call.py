"""The public call (opslag): content a citizen needs, privacy notice, escaping, three formats."""

from pathlib import Path

import pytest
from helpers import open_recruitment, row, run_import, write_csv
from pypdf import PdfReader

from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.recruitment import call
from opgaveudvalg.settings import get_settings

MARKUP = "<script>alert(1)</script>"


def open_call_for(replacements: dict[str, str] | None = None) -> list[Path]:
    slug = open_recruitment(replacements)
    with committee.committee_session(slug) as (session, found):
        assert found.status == models.CommitteeStatus.recruiting
        return call.open_call(session, found, get_settings(), "test")


@pytest.mark.slow
def test_call_in_three_formats_and_two_languages() -> None:
    files = open_call_for()
    names = sorted(f"{p.parent.name}/{p.name}" for p in files)
    assert names == sorted(
        f"{lang}/opslag.{fmt}" for lang in ("da", "en") for fmt in ("html", "pdf", "txt")
    )
    with session_scope() as session:
        assert (
            committee.get_committee(session, "ny-svoemmehal").status
            == models.CommitteeStatus.recruiting
        )
    by_name = {f"{p.parent.name}/{p.name}": p for p in files}
    pdf = "\n".join(page.extract_text() for page in PdfReader(by_name["da/opslag.pdf"]).pages)
    text = by_name["da/opslag.txt"].read_text(encoding="utf-8")
    for content in (pdf, text):
        flat = " ".join(content.split())
        assert "søndag den 24. januar 2027" in flat  # the deadline
        assert "6 møder à 3 timer over ca. 9 måneder" in flat  # time commitment from the mandate
        assert "CPR-nummer" in flat and "6 måneder" in flat  # privacy notice and retention
        assert "databeskyttelse@gentofte.dk" in flat and "litra e" in flat
        assert "Du skal være 15–24 år i 2027" in flat
        # the optional answer: asked in the form, and what the address is then used for
        assert "Du kan også vælge at få besked om, hvad der sker med udvalgets anbefalinger" in flat
        assert "gemmer vi dit navn og din e-mailadresse til det formål lige så længe som" in flat
    english = by_name["en/opslag.txt"].read_text(encoding="utf-8")
    assert "Sunday, 24 January 2027" in english and "Published" in english
    flat = " ".join(english.split())
    assert "You can also choose to be told what becomes of the committee’s recommendations" in flat
    assert "we keep your name and e-mail address for that purpose as long as the members" in flat


@pytest.mark.slow
def test_markup_is_escaped_in_every_generated_page(tmp_path: Path) -> None:
    """Markup typed into the mandate or an application never reaches a page as markup."""
    open_call_for(
        {
            "\nleverance: |\n": f"\nleverance: |\n  {MARKUP}\n",
            "\nformål: |\n": f"\nformål: |\n  {MARKUP}\n",
        }
    )
    run_import(
        "ny-svoemmehal", write_csv(tmp_path / "e.csv", [row(motivation=MARKUP, name=MARKUP)])
    )
    with session_scope() as session:
        committee.render_stored_mandate(
            session,
            committee.latest_mandate(session, 1),
            "Gentofte Kommune",
            get_settings().output_dir,
        )  # type: ignore[arg-type]
    pages = list(get_settings().output_dir.rglob("*.html"))
    assert len(pages) == 4  # kommissorium and opslag, da and en
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>" not in html and "&lt;script&gt;" in html, page
