"""The kommissorium as a municipality publishes it: PDF, HTML and Markdown, Danish and English."""

from datetime import date
from pathlib import Path

import pytest
from helpers import mandate_file
from pypdf import PdfReader

from opgaveudvalg import documents
from opgaveudvalg.mandate.documents import write_mandate
from opgaveudvalg.mandate.validation import load_mandate

DANISH_HEADINGS = [
    "1. Baggrund",
    "2. Formål",
    "3. Opgaver",
    "4. Rammer og præmisser",
    "5. Leverance",
    "6. Sammensætning",
    "7. Kompetenceprofiler",
    "8. Arbejdsform",
    "9. Tidsplan",
    "10. Organisering",
    "11. Aflevering og videre behandling",
]
ENGLISH_HEADINGS = [
    "1. Background",
    "2. Purpose",
    "3. Tasks",
    "4. Framework and premises",
    "5. Deliverable",
    "6. Composition",
    "7. Competence profiles",
    "8. Working method",
    "9. Timeline",
    "10. Organisation",
    "11. Handover and further processing",
]
MARKUP = "<script>alert('x')</script> & <b>fed</b>"


def render(
    tmp_path: Path, lang: str, fmt: documents.Format, replacements=None, approved: bool = True
) -> Path:
    mandate = load_mandate(mandate_file(tmp_path, "hal", replacements))
    [path] = write_mandate(
        mandate,
        2,
        date(2027, 1, 28),
        "00.01.00-A00-3-27",
        "Gentofte Kommune",
        tmp_path / "out",
        (lang,),
        (fmt,),
        approved=approved,
    )
    return path


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_danish_pdf_has_all_sections_dates_and_identity(tmp_path: Path) -> None:
    path = render(tmp_path, "da", "pdf")
    text = pdf_text(path)
    positions = [text.find(heading) for heading in DANISH_HEADINGS]
    assert -1 not in positions, [
        h for h, p in zip(DANISH_HEADINGS, positions, strict=True) if p == -1
    ]
    assert positions == sorted(positions)
    assert "godkendt af Kommunalbestyrelsen torsdag den 28. januar 2027" in text
    assert "mandag den 22. februar 2027" in text  # tidsplan.start
    assert "120.000.000 kr." in text
    assert "00.01.00-A00-3-27" in text and "version 2" in text.lower()
    reader = PdfReader(path)
    assert len(reader.pages) >= 3
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width) * 25.4 / 72), round(float(height) * 25.4 / 72)) == (210, 297)
    assert f"Side 2 af {len(reader.pages)}" in reader.pages[1].extract_text()


def test_english_pdf_has_english_sections_and_date(tmp_path: Path) -> None:
    text = pdf_text(render(tmp_path, "en", "pdf", approved=False))
    assert all(heading in text for heading in ENGLISH_HEADINGS)
    assert "draft dated Thursday, 28 January 2027" in text


def test_html_escapes_markup_typed_into_the_mandate(tmp_path: Path) -> None:
    html = render(tmp_path, "da", "html", {"\nleverance: |\n": f"\nleverance: |\n  {MARKUP}\n"})
    text = html.read_text(encoding="utf-8")
    assert "<script>" not in text and "<b>fed</b>" not in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;fed&lt;/b&gt;" in text


def test_markdown_keeps_typed_markup_as_text(tmp_path: Path) -> None:
    md = render(tmp_path, "da", "md", {"\nleverance: |\n": f"\nleverance: |\n  {MARKUP}\n"})
    text = md.read_text(encoding="utf-8")
    assert "<script>" not in text
    assert r"\<script\>alert('x')\</script\> & \<b\>fed\</b\>" in text
    assert all(f"## {heading}" in text for heading in DANISH_HEADINGS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("- ikke en liste", r"\- ikke en liste"),
        ("1. ikke nummereret", r"1\. ikke nummereret"),
        ("a_b *c* [d](e) # f | g", r"a\_b \*c\* \[d\](e) \# f \| g"),
        ("3,5 mio. kr. - ca.", "3,5 mio. kr. - ca."),
    ],
)
def test_markdown_text_escaping(value: str, expected: str) -> None:
    assert documents.markdown_text(value) == expected
