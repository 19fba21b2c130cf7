"""The selection report as its readers get it: the plain explanation before the technical
details, the date of the draw, targets in words ('mindst 4'), the internal version marked
confidential on page 1, the charts (representation, chances, the funnel) with their text and
tables in HTML and PDF, and axe-core and the page width in a real browser at 1280 and 390 px."""

import re
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pytest
from helpers import (
    MANDATE_APPROVED,
    SLUG,
    Restore,
    assert_no_serious_violations,
    axe_violations,
    compute_and_draw,
    selecting,
)
from pypdf import PdfReader

from opgaveudvalg.db import session_scope
from opgaveudvalg.documents import long_date, short_date
from opgaveudvalg.selection import charts, reports, runs
from opgaveudvalg.settings import get_settings

RUN = "run-id"


def drawn_with_reports(folder: Path) -> None:
    selecting(folder)
    run_id = compute_and_draw()
    (folder / RUN).write_text(str(run_id))
    with session_scope() as session:
        reports.write_reports(session, runs.get_run(session, run_id), get_settings())


@pytest.fixture
def run_id(tmp_path: Path, snapshots: Restore) -> int:
    snapshots("selection-reports", drawn_with_reports, tmp_path)
    return int((tmp_path / RUN).read_text())


def report(run_id: int, audience: str, lang: str, fmt: str = "html") -> Path:
    folder = reports.report_dir(get_settings().output_dir, SLUG, run_id, audience, lang)
    return folder / f"udvaelgelse.{fmt}"


def plain(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&nbsp;", "\u00a0")


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = PdfReader(path).pages
    return " ".join(p.extract_text() for p in (pages if page is None else [pages[page]]))


def drawn_on(run_id: int) -> date:
    with session_scope() as session:
        drawn_at = runs.get_run(session, run_id).drawn_at
    assert drawn_at is not None
    return drawn_at.astimezone(ZoneInfo(get_settings().timezone)).date()


@pytest.mark.slow
def test_plain_explanation_first_technical_details_after(run_id: int) -> None:
    for lang, plain_heading, technical in (
        ("da", "Sådan blev udvalget fundet", "Tekniske oplysninger"),
        ("en", "How the committee was chosen", "Technical details"),
    ):
        text = plain(report(run_id, "offentlig", lang))
        start = text.index(plain_heading)
        details = text.index(technical)
        for jargon in ("LEXIMIN", "SHA-256", "selection verify"):
            assert start < details < text.index(jargon), (lang, jargon)
        assert "Frø" not in text[:details] and "seed" not in text[:details].lower()


@pytest.mark.slow
def test_the_date_of_the_draw_under_the_title_and_in_the_footer(run_id: int) -> None:
    drawn = drawn_on(run_id)
    for lang in ("da", "en"):
        html = report(run_id, "offentlig", lang).read_text(encoding="utf-8")
        status = re.search(r'<p class="status">([^<]+)</p>', html)
        assert status is not None
        assert ("trukket " if lang == "da" else "drawn ") + long_date(drawn, lang) in status[1]
        footer = re.search(r'<span class="running-case">([^<]+)</span>', html)
        assert footer is not None
        assert footer[1].strip().endswith(short_date(drawn, lang))
        assert short_date(MANDATE_APPROVED, lang) not in footer[1]  # not the mandate's date
    page_one = pdf_text(report(run_id, "offentlig", "da", "pdf"), 0)
    assert f"trukket {long_date(drawn, 'da')}" in page_one
    assert short_date(drawn, "da") in page_one


def test_targets_read_at_least_at_most_or_a_range() -> None:
    def bound(low: int, high: int, lang: str = "da") -> str:
        return reports.target_bound(reports.TargetRow("køn", "kvinde", low, high, 80, 5), 10, lang)

    assert bound(4, 10) == "mindst 4"  # 10 is only the seat count
    assert bound(0, 3) == "højst 3"
    assert bound(4, 6) == "4–6"
    assert bound(2, 2) == "præcis 2"
    assert (bound(4, 10, "en"), bound(0, 3, "en")) == ("at least 4", "at most 3")


@pytest.mark.slow
def test_targets_in_the_report_and_for_prefect_say_mindst(run_id: int) -> None:
    text = plain(report(run_id, "offentlig", "da"))
    table = text[text.index("Mål for sammensætningen") : text.index("Chancen for en plads")]
    assert "kvinde mindst 4" in table
    assert not re.search(r"\b\d+–10\b", table), table
    with session_scope() as session:
        rows = reports.summary_rows(session, runs.get_run(session, run_id))
    assert any(row["emne"] == "køn: kvinde (mindst 4)" for row in rows), rows


@pytest.mark.slow
def test_internal_report_is_marked_confidential_on_page_one(run_id: int) -> None:
    for lang, mark in (
        ("da", "Fortroligt – indeholder personoplysninger"),
        ("en", "Confidential – contains personal data"),
    ):
        internal = report(run_id, "intern", lang).read_text(encoding="utf-8")
        assert f'<p class="confidential-label">{mark}</p>' in internal
        assert mark not in report(run_id, "offentlig", lang).read_text(encoding="utf-8")
        page_one = pdf_text(report(run_id, "intern", lang, "pdf"), 0)
        assert mark.upper() in page_one  # set in capitals, in a framed box
        assert mark.upper() not in pdf_text(report(run_id, "offentlig", lang, "pdf"), 0)


@pytest.mark.slow
def test_charts_with_text_alternative_and_data_table_in_html_and_pdf(run_id: int) -> None:
    html = report(run_id, "offentlig", "da").read_text(encoding="utf-8")
    assert len(re.findall(r"<svg\b", html)) == 3
    for key in ("chart-funnel", "chart-representation", "chart-chances"):
        assert f'role="img" aria-labelledby="{key}-desc"' in html
        assert f'<figcaption id="{key}-caption">' in html
        assert f'id="{key}-text"' in html  # the text alternative, visible
        following = html[html.index(f'id="{key}-text"') :]
        assert following.index("</figure>") < following.index('<table class="chart-data">')
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    pdf = report(run_id, "offentlig", "da", "pdf")
    text = pdf_text(pdf)
    for label in ("Andel af de egnede ansøgere", "Chance for en plads", "Andel af borgerpladserne"):
        assert label in text, label
    for page in pdfium.PdfDocument(pdf):  # every page renders, and none is blank
        image = page.render(scale=0.4).to_pil().convert("L")
        assert image.getextrema()[0] < 100


@pytest.mark.slow
def test_headers_are_not_hyphenated_in_the_pdf(run_id: int) -> None:
    for lang in ("da", "en"):
        html = report(run_id, "intern", lang).read_text(encoding="utf-8")
        words = {w for h in re.findall(r"<th\b[^>]*>([^<]+)</th>", html) for w in h.split()}
        text = pdf_text(report(run_id, "intern", lang, "pdf"))
        broken = [
            w
            for w in words
            for i in range(2, len(w) - 1)
            if re.search(re.escape(w[:i]) + r"-\s+" + re.escape(w[i:]), text)
        ]
        assert broken == [], broken  # e.g. "Plad-ser", "Sand-synlig-hed"


@pytest.mark.slow
def test_axe_and_no_sideways_scrolling_at_1280_and_390_px(run_id: int, browser: Any) -> None:
    found = {}
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for audience in ("offentlig", "intern"):
            for lang in ("da", "en"):
                page.goto(report(run_id, audience, lang).as_uri())
                found[f"{audience}-{lang}@{width}"] = axe_violations(page)
                assert page.evaluate("window.__axePasses") > 20
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= width, (audience, lang, width, wide)
                hyphenated = page.evaluate(
                    "[...document.querySelectorAll('th')]"
                    ".filter(th => getComputedStyle(th).hyphens === 'auto').length"
                )
                assert hyphenated == 0
        context.close()
    assert_no_serious_violations(found)


def test_chart_text_alternatives_state_the_figures() -> None:
    funnel = charts.funnel("f", charts.Funnel(160, 151, 150, 10, 40), "da")
    assert funnel.description == (
        "Fra 160 rækker i de importerede filer til 151 ansøgere, heraf 150 egnede; "
        "10 fik en plads, og 40 står på reservelisten."
    )
    bins = reports.chance_bins([0.057] * 141 + [0.2] * 10)
    assert (bins[0], bins[-1]) == (charts.ChanceBin(4, 6, 141), charts.ChanceBin(18, 20, 10))
    chances = charts.chances("c", bins, "en")
    assert chances.description == (
        "The chance of a seat for each of the 151 eligible applicants: "
        "141 had 4–6% and 10 had 18–20%."
    )
    group = charts.GroupShare("køn: kvinde", "mindst 4", 4, 10, 80, 6)
    representation = charts.representation("r", [group], 10, 151, "da")
    assert representation.description == (
        "Grupperne blandt de 10 borgerpladser og de 151 egnede ansøgere: "
        "køn: kvinde: mål mindst 4, i udvalget 6 (60\u00a0%), blandt de egnede ansøgere 53\u00a0%."
    )
    for chart in (funnel, chances, representation):
        assert "<text" in chart.svg  # text kept as text
