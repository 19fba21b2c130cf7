"""Agendas and minutes as the members receive them: whole titles, short items, decisions that
fit the item, a first meeting that starts the work, named people, links, the meeting number on
page 1, English where the secretariat wrote English, and no serious axe-core violations."""

import html
import re
from pathlib import Path
from typing import Any

import icalendar
import pypdfium2 as pdfium
import pytest
from helpers import (
    SLUG,
    Restore,
    appoint,
    assert_no_serious_violations,
    axe_violations,
    compute_and_draw,
    selecting,
)
from pypdf import PdfReader
from sqlmodel import select

from demo.lifecycle import AGENDA_TITLES, demo_agenda
from opgaveudvalg import committee, models
from opgaveudvalg.mandate.validation import load_mandate
from opgaveudvalg.meetings import agenda, invitations, minutes, plan
from opgaveudvalg.meetings.documents import write_agenda, write_meeting_document
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import get_settings

LONG_TITLE = (
    "Afdækning af brugergruppernes behov for vandflader, vanddybder og vandtemperaturer "
    "samt omklædning og hvilke tilskuerpladser der skal være"
)
AGENDA = f"""\
ordstyrer: Sara Holm Nielsen
punkter:
  - titel: {LONG_TITLE}
    art: drøftelse
    beskrivelse: Administrationen fremlægger brugerundersøgelsen.
    bilag: [Brugerundersøgelse 2026.pdf, https://gentofte.dk/svoemmehal/scenarier.pdf]
    en:
      titel: What the users need
  - titel: Valg af scenarie
    art: beslutning
    indstilling: Det indstilles, at udvalget vælger et af de tre scenarier.
  - titel: Status fra arbejdsgrupperne
    art: orientering
"""
# items: 1 agenda, 2–4 start-up, 5 the long title, 6 scenario, 7 status, 8 Eventuelt
MINUTES = """\
beslutninger:
  1: Godkendt
  6: Udvalget valgte scenarie B.
drøftelser:
  5: Mange ønsker et varmtvandsbassin.
"""


def _build(folder: Path) -> None:
    selecting(folder)
    compute_and_draw()
    appoint()
    settings = get_settings()
    (folder / "dagsorden.yaml").write_text(AGENDA, encoding="utf-8")
    (folder / "referat.yaml").write_text(MINUTES, encoding="utf-8")
    with committee.committee_session(SLUG) as (session, found):
        plan.plan_meetings(session, found, settings, "test")
        meeting = agenda.set_agenda(session, found, 1, folder / "dagsorden.yaml", "test")
        pdf = write_agenda(session, found, meeting, settings)
        invitations.queue_agenda(session, found, meeting, settings, pdf)
        invitations.write_feed(session, found, settings)
        held = minutes.record_minutes(session, found, 1, folder / "referat.yaml", "test")
        write_meeting_document(session, found, held, settings, minutes=True)


@pytest.fixture
def held(tmp_path: Path, snapshots: Restore) -> CommitteeFiles:
    snapshots("agenda-and-minutes", _build, tmp_path)
    return CommitteeFiles.of(get_settings().output_dir, SLUG)


def _html(files: CommitteeFiles, lang: str, kind: str) -> str:
    return (files.meeting(1, lang) / f"{kind}.html").read_text(encoding="utf-8")


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def _item(page: str, number: int) -> str:
    found = re.search(
        rf'<section class="agenda-item" id="punkt-{number}">(.*?)</section>', page, re.S
    )
    assert found, number
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found[1])).split())


def _row(page: str, heading: str) -> str:
    found = re.search(rf'<th scope="row">{heading}</th><td>(.*?)</td>', page, re.S)
    assert found, heading
    return html.unescape(re.sub(r"<[^>]+>", "", found[1]))


def test_a_long_title_is_whole_in_the_pdf_the_mail_and_the_feed(held: CommitteeFiles) -> None:
    for kind in ("dagsorden", "referat"):
        assert f"5. {LONG_TITLE}" in _pdf_text(held.meeting(1, "da") / f"{kind}.pdf")
    with committee.committee_session(SLUG) as (session, found):
        mail = session.exec(
            select(models.OutboxMessage).where(models.OutboxMessage.committee_id == found.id)
        ).first()
    assert mail is not None
    assert f"5. {LONG_TITLE}\n" in mail.body_text
    feed = icalendar.Calendar.from_ical(held.feed().read_bytes())
    first = next(e for e in feed.walk("VEVENT") if "møde 1" in str(e["SUMMARY"]))
    assert f"5. {LONG_TITLE}\n" in str(first["DESCRIPTION"])


@pytest.mark.parametrize("slug", sorted(AGENDA_TITLES))
def test_the_demo_items_have_short_titles_and_the_task_as_description(
    slug: str, tmp_path: Path
) -> None:
    tasks = load_mandate(Path("config/committees") / f"{slug}.yaml").opgaver
    for number in range(1, len(tasks) + 1):
        (tmp_path / "a.yaml").write_text(demo_agenda(slug, tasks, number), encoding="utf-8")
        [item] = agenda.load_agenda(tmp_path / "a.yaml").punkter
        task = tasks[number - 1]
        assert len(item.titel) <= 60 and not task.startswith(item.titel)
        assert task in item.beskrivelse and item.titel not in item.beskrivelse
        assert item.en.titel and item.art == "drøftelse"


def test_the_decision_fits_the_kind_of_item(held: CommitteeFiles) -> None:
    da, en = _html(held, "da", "referat"), _html(held, "en", "referat")
    decisions = {n: _item(da, n).rsplit("Beslutning ", 1)[-1] for n in range(1, 9)}
    assert decisions == {
        1: "Godkendt",
        2: "Taget til efterretning",
        3: "Drøftet",
        4: "Drøftet",
        5: "Drøftet",
        6: "Udvalget valgte scenarie B.",
        7: "Taget til efterretning",
        8: "Intet",
    }
    english = {n: _item(en, n).rsplit("Decision ", 1)[-1] for n in (1, 5, 8)}
    assert english == {1: "Approved", 5: "Discussed", 8: "Nothing"}
    assert '<p class="decision"><span lang="da">Udvalget valgte scenarie B.</span></p>' in en
    assert "Godkendt" not in _pdf_text(held.meeting(1, "en") / "referat.pdf")


def test_the_first_meeting_starts_with_the_task_and_each_other(held: CommitteeFiles) -> None:
    page = _html(held, "da", "dagsorden")
    titles = [_item(page, n).split(" Indstilling")[0].split(" Beskrivelse")[0] for n in (2, 3, 4)]
    assert titles == [
        "2. Velkomst og præsentation",
        "3. Opgaven og kommissoriet",
        "4. Samarbejdsform",
    ]
    assert [item["titel"] for item in plan.default_agenda(2)] == [
        "Godkendelse af dagsorden",
        "Godkendelse af referat fra sidste møde",
        "Eventuelt",
    ]


def test_the_chair_stakeholders_and_the_facilitators_are_people(held: CommitteeFiles) -> None:
    page = _html(held, "da", "dagsorden")
    assert _row(page, "Formand") == "Mikkel Friis Andersen (Det Konservative Folkeparti)"
    assert _row(page, "Deltagere").endswith(", repræsentant for Idrætsrådet")
    assert _row(page, "Ordstyrer") == "Sara Holm Nielsen"  # named in the agenda file
    assert _row(page, "Referent") == (
        "Jonas Bech Lindqvist, Projektleder, Center for Kultur, Unge og Fritid"
    )  # the mandate's contact person in the secretariat
    english = _html(held, "en", "dagsorden")
    assert _row(english, "Facilitator") == "Sara Holm Nielsen"
    assert _row(english, "Chair").startswith("Mikkel Friis Andersen")


def test_attachments_are_links(held: CommitteeFiles) -> None:
    page = _html(held, "da", "dagsorden")
    link = '<a href="Brugerunders%C3%B8gelse%202026.pdf">Brugerundersøgelse 2026.pdf</a>'
    assert link in page
    assert '<a href="https://gentofte.dk/svoemmehal/scenarier.pdf">scenarier.pdf</a>' in page


@pytest.mark.parametrize("lang, number", [("da", "Møde nr. 1"), ("en", "Meeting no. 1")])
def test_the_meeting_number_is_on_page_one(held: CommitteeFiles, lang: str, number: str) -> None:
    for kind in ("dagsorden", "referat"):
        first = pdfium.PdfDocument(held.meeting(1, lang) / f"{kind}.pdf")[0]
        assert number in first.get_textpage().get_text_range()


def test_english_items_and_headings_and_danish_marked(held: CommitteeFiles) -> None:
    page = _html(held, "en", "dagsorden")
    assert "<h2>1. Approval of the agenda</h2>" in page
    assert "<h2>2. Welcome and introductions</h2>" in page
    assert "<h2>5. What the users need</h2>" in page
    assert '<h2>6. <span lang="da">Valg af scenarie</span></h2>' in page
    assert '<p lang="da">Administrationen fremlægger brugerundersøgelsen.</p>' in page
    assert "Ordstyrer" not in page and ">Chair<" in page and ">Facilitator<" in page
    assert '<span class="committee-title" lang="da">Opgaveudvalget for en ny' in page


def test_axe_finds_no_serious_violations(held: CommitteeFiles, browser: Any) -> None:
    found = {}
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for lang in ("da", "en"):
            for kind in ("dagsorden", "referat"):
                page.goto((held.meeting(1, lang) / f"{kind}.html").as_uri())
                found[f"{kind}-{lang}@{width}"] = axe_violations(page)
                assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
    assert_no_serious_violations(found)
