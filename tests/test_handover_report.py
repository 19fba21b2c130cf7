"""The handover report (afleveringsrapport) and the closing summary: what they say (attendance,
targets, the lottery's minimum probability, recommendations with dissent and without a task,
decisions once made), whom they name, the English fallback, the charts as accessible SVG in
HTML and PDF, the same bytes when rendered again, and axe-core in a real browser."""

import re
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from helpers import (
    SLUG,
    Restore,
    assert_no_serious_violations,
    axe_violations,
    decide,
    hand_over,
    hold_meetings,
    member_ids,
)
from pypdf import PdfReader
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.delivery import charts, report, report_data
from opgaveudvalg.delivery.records import Body
from opgaveudvalg.meetings import minutes, plan
from opgaveudvalg.members import roster
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.selection import instance, reports, runs
from opgaveudvalg.settings import get_settings

ABSENT = 3  # members away from meeting 2


def handed_over(folder: Path) -> None:
    """Meetings held (three away from meeting 2), one citizen agreeing to be named, the example
    handover with an attachment submitted and delivered; the minority is the last member and a
    citizen who keeps their name private."""
    hold_meetings(folder)
    ids = member_ids()
    away = folder / "referat-2-rettet.yaml"
    away.write_text(
        "beslutninger:\n  1: Godkendt\nfravær:\n"
        + "".join(f"  - medlem: {i}\n    afbud: true\n" for i in ids[:ABSENT]),
        encoding="utf-8",
    )
    with committee.committee_session(SLUG) as (session, found):
        minutes.record_minutes(session, found, 2, away, "test")
        first_citizen = next(m for m in roster.members(session, found) if m.applicant_id)
        applicant = session.get(models.Applicant, first_citizen.applicant_id)
        assert applicant is not None
        applicant.publish_name = True
        private = next(
            m.id
            for m in roster.members(session, found)
            if m.applicant_id and not session.get(models.Applicant, m.applicant_id).publish_name
        )
    (folder / "bilag").mkdir()
    (folder / "bilag" / "skitse.pdf").write_bytes(b"%PDF-1.4 skitse")
    from demo import handover as example

    with committee.committee_session(SLUG) as (session, found):
        tasks = committee.current_mandate(session, found).opgaver
    text = example.handover_yaml(SLUG, tasks, [*ids, private]).replace(
        "  udgift: 1-5-mio\n",
        "  udgift: 1-5-mio\n  bilag:\n  - titel: Skitse af bassinet\n    fil: bilag/skitse.pdf\n",
        1,
    )
    assert "skitse.pdf" in text
    hand_over(folder, text)


@pytest.fixture
def delivered(tmp_path: Path, snapshots: Restore) -> Path:
    snapshots("handed-over", handed_over, tmp_path)
    return tmp_path


def write_report() -> list[Path]:
    with committee.committee_session(SLUG) as (session, found):
        return report.write_handover_report(session, found, get_settings())


def folder(lang: str) -> Path:
    return CommitteeFiles.of(get_settings().output_dir, SLUG).handover(lang)


def html(lang: str) -> str:
    return (folder(lang) / "aflevering.html").read_text(encoding="utf-8")


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


def test_report_states_the_work_the_members_and_the_selection(delivered: Path) -> None:
    written = write_report()
    names = {p.name for p in written}
    assert {"aflevering.html", "aflevering.pdf", "aflevering.md"} <= names
    assert len([p for p in written if p.name == "aflevering.pdf"]) == 2
    page = html("da")
    text = plain(page)
    with committee.committee_session(SLUG) as (session, found):
        meetings = plan.meetings(session, found)
        rates = []
        for meeting in meetings:
            rows = session.exec(
                select(models.Attendance).where(models.Attendance.meeting_id == meeting.id)
            ).all()
            present = sum(1 for r in rows if r.status == models.AttendanceStatus.present)
            rates.append((present, len(rows)))
        run = runs.appointed_run(session, found)
        targets = reports.target_rows(run)
        minimum = reports.probability_summary(run).minimum
        people = roster.members(session, found)
        applicants = {
            a.id: a for a in session.exec(select(models.Applicant)) if a.committee_id == found.id
        }
    assert rates[1][0] == rates[1][1] - ABSENT
    for (present, seated), meeting in zip(rates, meetings, strict=True):
        rate = round(present / seated * 100)
        assert f"{present}/{seated}" in text
        assert f"{rate}\u00a0%" in page.replace("&nbsp;", "\u00a0")
        assert f"møde {meeting.number}: {rate}\u00a0%" in page  # the chart's text alternative
    for target in targets:
        assert reports.target_bound(target, 10, "da") in text  # "mindst 4", not "4–10"
        assert f"{target.category}: {target.group} fik {target.on_panel}" in page
    assert f"{minimum * 100:.2f}".replace(".", ",").rstrip("0").rstrip(",") in text
    for membership in people:
        if membership.applicant_id is None:
            assert membership.politician_name in text
        else:
            applicant = applicants[membership.applicant_id]
            assert (applicant.name in text) == applicant.publish_name
    unnamed = [m for m in people if m.applicant_id and not applicants[m.applicant_id].publish_name]
    assert unnamed and len(unnamed) < 10
    assert text.count("Navn offentliggøres ikke") == len(unnamed)
    # the evaluation as aggregates, the working groups, the dialogue meeting
    assert "12 medlemmer besvarede" in text and "Helt enig 7" in page
    assert "Brugerbehov og fordeling af bassintider" in text
    assert "Der er endnu ikke truffet beslutninger" in text


def test_recommendations_with_dissent_no_task_and_unanswered_tasks(delivered: Path) -> None:
    write_report()
    text = plain(html("da"))
    dissent = re.search(r'<aside class="dissent">(.*?)</aside>', html("da"), re.S)
    assert dissent is not None
    assert "anbefaler placeringen i Vangede" in dissent[1]
    with committee.committee_session(SLUG) as (session, found):
        facts = report_data.gather(session, found)
    [dissenting] = [v for v in facts.recommendations if v.item.mindretal]
    assert [p.membership_id for p in dissenting.dissenters][0] == member_ids()[-1]
    assert dissent[1].count("Bag udtalelsen står") == 1
    # a member who keeps their name private is named by the seat, never by the call's "Du …"
    labels = instance.profile_labels(facts.mandate)
    behind = [
        p.name or f"et borgermedlem ({labels[p.profile or '']})" for p in dissenting.dissenters
    ]
    assert any(not p.name for p in dissenting.dissenters)
    assert f"Bag udtalelsen står: {' og '.join(behind)}" in plain(dissent[1])
    assert "(Du " not in plain(html("da"))
    own = re.search(r'id="anbefaling-4">(.*?)</article>', html("da"), re.S)
    assert own is not None and "Besvarer ingen af kommissoriets opgaver" in own[1]
    assert "Opgaver uden anbefaling" in text
    assert "nåede ikke at drøfte fordelingen af bassintider" in text
    # the attachment is copied next to the report and linked
    assert (folder("da") / "bilag" / "3-skitse.pdf").read_bytes() == b"%PDF-1.4 skitse"
    assert 'href="bilag/3-skitse.pdf"' in html("da")
    assert (folder("en") / "bilag" / "3-skitse.pdf").is_file()


def test_english_uses_english_texts_and_marks_danish(delivered: Path) -> None:
    write_report()
    page = html("en")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "A swimming hall for the whole of life" in page  # given in English
    assert '<span lang="da">Placering ved Gentofte Sportspark</span>' in page  # not given
    assert '<p lang="da">Et mindretal anbefaler placeringen i Vangede' in page
    assert "Answers none of the mandate" in page
    markdown = (folder("en") / "aflevering.md").read_text(encoding="utf-8")
    assert "A swimming hall for the whole of life" in markdown
    assert "](figurer/attendance.svg)" in markdown


def test_decisions_appear_when_rendered_again(delivered: Path) -> None:
    write_report()
    assert "00.01.00-A00-7-27" not in html("da")
    decide(delivered, Body.standing_committee)
    decide(delivered, Body.council)
    write_report()
    text = plain(html("da"))
    assert "Beslutninger og opfølgning" in text and "00.01.00-A00-7-27" in text
    assert "Følges delvist" in text and "Kommunalbestyrelsen" in text
    assert "Status nu" in text and "Besluttet" in text
    with committee.committee_session(SLUG) as (session, found):
        written = report.write_closing_summary(session, found, get_settings())
    closing = next(p for p in written if p.suffix == ".html" and "/da/" in p.as_posix())
    summary = plain(closing.read_text(encoding="utf-8"))
    assert "Fagudvalget: følges" in summary and "00.01.00-A00-7-27" in summary
    assert "Kommunalbestyrelsen: følges delvist" in summary
    assert 'href="../../aflevering/da/aflevering.html"' in closing.read_text(encoding="utf-8")
    assert (closing.parent / "../../aflevering/da/aflevering.html").resolve().is_file()


def test_charts_are_accessible_svg_and_stable(delivered: Path) -> None:
    write_report()
    page = html("da")
    svgs = re.findall(r"<svg\b[^>]*>", page)
    assert len(svgs) == 3
    for key in ("chart-attendance", "chart-representation", "chart-evaluation"):
        assert f'role="img" aria-labelledby="{key}-desc"' in page
        assert f'<desc id="{key}-desc">' in page
        assert f'<figcaption id="{key}-caption">' in page
        assert f'id="{key}-text"' in page  # the text alternative, visible
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # three charts on one page: no id twice
    first = {p: p.read_bytes() for p in folder("da").glob("figurer/*.svg")}
    assert len(first) == 3
    write_report()
    assert {p: p.read_bytes() for p in folder("da").glob("figurer/*.svg")} == first
    assert b"<dc:date>" not in b"".join(first.values())


def test_chart_text_alternative_states_the_figures() -> None:
    target = reports.TargetRow("køn", "kvinde", 4, 6, 80, 5)
    minimum_only = reports.TargetRow("alder", "65+", 2, 10, 30, 3)
    chart = charts.representation("x", [target, minimum_only], 10, "en")
    assert chart.description == (
        "Representation among the 10 citizen seats: køn: kvinde got 5 (target 4–6) "
        "and alder: 65+ got 3 (target at least 2)."
    )
    danish = charts.representation("x", [minimum_only], 10, "da").description
    assert "(mål mindst 2)" in danish
    assert "<text" in chart.svg  # text kept as text (svg.fonttype none)
    assert 'style="fill: #' in chart.svg or "fill:" in chart.svg


def test_pdf_shows_the_charts(delivered: Path) -> None:
    write_report()
    pdf = folder("da") / "aflevering.pdf"
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    for label in ("Borgerpladser", "Fremmøde", "Antal svar", "Mål (mindst–højst)", "Helt enig"):
        assert label in text, label
    for page in pdfium.PdfDocument(pdf):  # every page renders, and none is blank
        image = page.render(scale=0.4).to_pil().convert("L")
        assert image.getextrema()[0] < 100


@pytest.mark.slow
def test_axe_finds_no_serious_violations(delivered: Path, browser: Any) -> None:
    write_report()
    found = {}
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for lang in ("da", "en"):
            page.goto((folder(lang) / "aflevering.html").as_uri())
            found[f"{lang}@{width}"] = axe_violations(page)
            assert page.evaluate("window.__axePasses") > 20
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
    assert_no_serious_violations(found)
