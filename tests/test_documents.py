"""The kommissorium as a municipality publishes it: PDF, HTML and Markdown, Danish and English."""

import re
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from helpers import EXAMPLES, assert_no_serious_violations, axe_violations, mandate_file
from pypdf import PdfReader

from opgaveudvalg import documents
from opgaveudvalg.mandate.documents import SPARSE_LAST_PAGE, write_mandate
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


# --- the profiles in neutral words; the English version's Danish parts ----------------------

SECOND_PERSON = re.compile(r"\b(du|dig|din|dit|dine)\b", re.IGNORECASE)


def section(html: str, section_id: str) -> str:
    return html.split(f'<section id="{section_id}">')[1].split("</section>")[0]


def test_profiles_are_named_in_neutral_words(tmp_path: Path) -> None:
    html = render(tmp_path, "da", "html").read_text(encoding="utf-8")
    profiles = section(html, "kompetenceprofiler")
    assert "Unge brugere af svømmehallen" in profiles  # betegnelse_neutral
    assert "Udøvere, trænere, instruktører" in profiles  # beskrivelse_neutral
    assert not SECOND_PERSON.search(re.sub(r"<[^>]+>", " ", profiles))
    md = render(tmp_path, "da", "md").read_text(encoding="utf-8")
    assert "### Profil 1: Unge brugere af svømmehallen" in md
    assert not SECOND_PERSON.search(md.split("## 7.")[1].split("## 8.")[0])


def test_without_neutral_fields_the_label_is_derived_and_the_call_text_marked(
    tmp_path: Path,
) -> None:
    neutral = re.compile(r"    (betegnelse|beskrivelse)_neutral:.*\n(      .*\n)*")
    path = mandate_file(tmp_path, "hal")
    path.write_text(neutral.sub("", path.read_text(encoding="utf-8")), encoding="utf-8")
    [html_path] = write_mandate(
        load_mandate(path),
        1,
        date(2027, 1, 28),
        None,
        "Gentofte Kommune",
        tmp_path,
        ("da",),
        ("html",),
    )
    profiles = section(html_path.read_text(encoding="utf-8"), "kompetenceprofiler")
    assert "Borger, der er ung og bruger svømmehallen" in profiles
    assert '<th scope="row">I opslaget</th>' in profiles  # the "Du …" description, as the call's
    assert "Du svømmer på et hold" in profiles


def test_english_version_says_which_parts_are_danish(tmp_path: Path) -> None:
    html = render(tmp_path, "en", "html").read_text(encoding="utf-8")
    note = "Parts of this document are in Danish, as approved by the Municipal Council."
    assert note in html
    assert '<p lang="da">Kommunens svømmehaller er hårdt belastede.' in html
    assert '<span class="committee-title" lang="da">' in html
    assert "City Council" not in html
    md = render(tmp_path, "en", "md").read_text(encoding="utf-8")
    assert note in md and "City Council" not in md
    danish = render(tmp_path, "da", "html").read_text(encoding="utf-8")
    assert note not in danish and 'lang="da">' not in danish.split("<body", 1)[1]


# --- page breaks, as the PDF is printed ------------------------------------------------------

PX_TO_MM = 25.4 / 96
TEXT_TOP_MM, TEXT_BOTTOM_MM = 24, 297 - 22  # document.css: @page margins


def text_lines(page: Any) -> list[tuple[float, float, str, str]]:
    """(distance from the page's top in mm, font size in px, font name, text) of each piece."""
    found: list[tuple[float, float, str, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            found.append((tm[5] * PX_TO_MM, size, str(font.get("/BaseFont", "")), text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def example_pdf(tmp_path: Path, slug: str, lang: str) -> Path:
    mandate = load_mandate(EXAMPLES / f"{slug}.yaml")
    [path] = write_mandate(
        mandate,
        1,
        date(2027, 1, 28),
        "00.01.00-A00-3-27",
        "Gentofte Kommune",
        tmp_path,
        (lang,),
        ("pdf",),
        approved=True,
    )
    return path


def ink_bottom(pdf: Path, index: int) -> float:
    """How far down a page's text area its lowest ink reaches, from 0 to 1."""
    per_mm = 2  # pixels
    page = pdfium.PdfDocument(pdf)[index]
    image = page.render(scale=per_mm * 25.4 / 72).to_pil().convert("L")
    pixels = image.load()
    rows = [
        y
        for y in range(TEXT_TOP_MM * per_mm, TEXT_BOTTOM_MM * per_mm)
        if any(pixels[x, y] < 200 for x in range(image.size[0]))
    ]
    return (max(rows) / per_mm - TEXT_TOP_MM) / (TEXT_BOTTOM_MM - TEXT_TOP_MM)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("slug", ["ny-svoemmehal", "fn-verdensmaal"])
def test_pages_break_cleanly(tmp_path: Path, slug: str, lang: str) -> None:
    pdf = example_pdf(tmp_path, slug, lang)
    pages = PdfReader(pdf).pages
    assert ink_bottom(pdf, len(pages) - 1) > SPARSE_LAST_PAGE  # not a page of a few lines
    for number, page in enumerate(pages, start=1):
        pieces = text_lines(page)
        body = [p for p in pieces if TEXT_TOP_MM - 2 < p[0] < TEXT_BOTTOM_MM]
        lowest = max(y for y, *_ in body)
        last_line = [p for p in body if p[0] > lowest - 1]
        assert not all("Sans-Bold" in font for _, _, font, _ in last_line), (number, last_line)
        assert not any(re.fullmatch(r"PROFILE? \d+", text) for *_, text in last_line)
        above = [p for p in pieces if p[0] < TEXT_TOP_MM - 2 and number > 1]
        assert all(size < 10 for _, size, _, _ in above), (number, above)  # only the header


# --- in a browser ----------------------------------------------------------------------------

ENGLISH_TEXT_WITH_DANISH_LETTERS = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const owner = node.parentElement;
        if (owner.closest(".running") || owner.closest("style")) continue;
        if (owner.closest("[lang]").lang === "en" && /[æøåÆØÅ]/.test(node.textContent)) {
            found.push(node.textContent.trim());
        }
    }
    return found;
}"""


@pytest.mark.slow
def test_axe_finds_no_serious_violations_and_danish_text_is_marked(
    tmp_path: Path, browser: Any
) -> None:
    pages = {lang: render(tmp_path, lang, "html") for lang in ("da", "en")}
    found = {}
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for lang, path in pages.items():
            page.goto(path.as_uri())
            found[f"{lang}@{width}"] = axe_violations(page)
            assert page.evaluate("window.__axePasses") > 20
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            if lang == "en":
                assert page.evaluate(ENGLISH_TEXT_WITH_DANISH_LETTERS) == []
        context.close()
    assert_no_serious_violations(found)
