"""The web form in a real browser: headless Chromium (Debian's) driven by Playwright against the
app served by uvicorn on a free port. axe-core (vendored in tests/data/axe-core) finds no serious
or critical WCAG 2.1 A/AA violation at 1280 px and 390 px on the call, the form, the form with
errors and the confirmation; the form can be completed with the keyboard alone; an application
sent in the browser shows in the recruitment status, and simultaneous posts with one e-mail
give one applicant, on SQLite and on PostgreSQL."""

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from helpers import (
    FAMILY,
    assert_no_serious_violations,
    axe_violations,
    free_port,
    open_recruitment,
)
from sqlmodel import func, select

from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.meetings import plan
from opgaveudvalg.recruitment import call, status
from opgaveudvalg.settings import get_settings
from opgaveudvalg.web.app import create_app

SLUG = "ny-svoemmehal"
WIDTHS = (1280, 390)

pytestmark = pytest.mark.slow


@contextmanager
def serve() -> Iterator[str]:
    """The app on a free loopback port in a thread: a real server, as in production."""
    port = free_port()
    config = uvicorn.Config(
        create_app(get_settings()),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def fill_valid(page: Any) -> None:
    page.fill("#navn", "Søren Ærø")
    page.fill("#email", "soeren@example.dk")
    page.fill("#adresse", "Strandvejen 1")
    page.fill("#postnummer", "2900")
    page.fill("#foedselsaar", "1990")
    page.check("#koen-2")
    page.check(f"#profil-{FAMILY}")
    page.fill("#motivation", "Jeg svømmer hver dag")
    page.check("#samtykke")


def test_axe_finds_no_serious_violations(browser: Any) -> None:
    open_recruitment()
    found: dict[str, list[dict[str, Any]]] = {}
    with serve() as base:
        for width in WIDTHS:
            # axe's script is injected past the Content Security Policy; the app itself is
            # checked under it in the keyboard test
            context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
            page = context.new_page()
            for lang in ("da", "en"):
                suffix = "?lang=en" if lang == "en" else ""
                page.goto(f"{base}/{SLUG}{suffix}")
                found[f"call-{lang}@{width}"] = axe_violations(page)
                page.goto(f"{base}/{SLUG}/ansoeg{suffix}")
                found[f"form-{lang}@{width}"] = axe_violations(page)
                assert page.evaluate("window.__axePasses") > 20  # axe did check the page
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.fill("#email", "ikke-en-adresse")
                page.click("button[type=submit]")
                assert page.locator(".error-summary").is_visible()
                found[f"errors-{lang}@{width}"] = axe_violations(page)
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                fill_valid(page)
                page.click("button[type=submit]")
                page.wait_for_url(f"**/{SLUG}/tak{suffix}")
                found[f"confirmation-{lang}@{width}"] = axe_violations(page)
            context.close()
    assert_no_serious_violations(found)


SMALLEST_TEXT = """() => Math.min(...[...document.querySelectorAll(
    ".why, main p, main li, main td, table.facts td")].filter(e => e.textContent.trim())
    .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
LINKS_NOT_UNDERLINED = """() => [...document.querySelectorAll("a:not(.apply-button)")]
    .filter(a => a.offsetParent && !getComputedStyle(a).textDecorationLine.includes("underline"))
    .map(a => a.textContent)"""


def test_the_call_reads_as_a_recruitment_page_static_and_served(browser: Any) -> None:
    """The call as written (opslag.html) and as served, da and en, at 1280 and 390 px: no serious
    axe violation (links told apart from text by more than colour), no sideways scrolling, body
    text of at least 16 px, and the apply button above the details, on the first screen."""
    open_recruitment()
    with committee.committee_session(SLUG) as (session, found):
        files = call.open_call(session, found, get_settings(), "test", plan.meeting_days)
    written = {p.parent.name: p.as_uri() for p in files if p.suffix == ".html"}
    violations: dict[str, list[dict[str, Any]]] = {}
    with serve() as base:
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
            page = context.new_page()
            for lang in ("da", "en"):
                suffix = "?lang=en" if lang == "en" else ""
                for kind, url, form in (
                    ("written", written[lang], f"https://www.gentofte.dk/opgaveudvalg/{SLUG}"),
                    ("served", f"{base}/{SLUG}{suffix}", f"/{SLUG}/ansoeg{suffix}"),
                ):
                    name = f"call-{kind}-{lang}@{width}"
                    page.goto(url)
                    violations[name] = axe_violations(page)
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
                    assert page.evaluate(SMALLEST_TEXT) >= 16, name
                    assert page.evaluate(LINKS_NOT_UNDERLINED) == [], name
                    button = page.locator("#ansoeg-link")
                    assert button.get_attribute("href") == form, name
                    box, details = button.bounding_box(), page.locator("main h2").first
                    assert box["y"] + box["height"] < details.bounding_box()["y"], name
                    assert box["y"] + box["height"] <= 900, name  # seen without scrolling
            context.close()
    assert_no_serious_violations(violations)


def tab_to(page: Any, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has the focus (only forward, as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab")


@pytest.fixture
def recruiting_on_each_database(database_url: str) -> str:
    return open_recruitment()


def test_keyboard_only_application_shows_in_the_status(
    browser: Any, recruiting_on_each_database: str
) -> None:
    blocked: list[str] = []
    with serve() as base:
        context = browser.new_context(viewport={"width": 390, "height": 800})
        page = context.new_page()
        page.on(
            "console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None
        )
        page.goto(f"{base}/{SLUG}")
        tab_to(page, "ansoeg-link")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/{SLUG}/ansoeg")
        for element_id, text in (
            ("navn", "Karen Blixen"),
            ("email", "karen@example.dk"),
            ("adresse", "Rungstedvej 111"),
            ("postnummer", "2900"),
            ("foedselsaar", "1985"),
        ):
            tab_to(page, element_id)
            page.keyboard.type(text)
        for element_id in ("koen-1", f"profil-{FAMILY}"):
            tab_to(page, element_id)
            page.keyboard.press("Space")
        tab_to(page, "motivation")
        page.keyboard.type("Jeg har to børn, der går til svømning.")
        tab_to(page, "samtykke")
        page.keyboard.press("Space")
        tab_to(page, "send")
        with page.expect_navigation(timeout=60_000):
            page.keyboard.press("Enter")
        # on failure, what the applicant saw (an error summary, a 4xx/5xx page) is the message
        assert page.url.endswith(f"/{SLUG}/tak"), page.inner_text("body")
        context.close()
    assert blocked == []
    with committee.committee_session(SLUG) as (session, found):
        counted = status.recruitment_status(session, found, get_settings())
    assert counted.applicants == 1 and counted.eligible_applicants == 1


def test_the_same_new_email_posted_at_once_gives_one_applicant(
    recruiting_on_each_database: str,
) -> None:
    """Simultaneous posts with one e-mail: each is saved (the later ones update), one applicant
    — on PostgreSQL the loser of the insert race is tried again as an update."""
    with serve() as base, httpx.Client(base_url=base) as http:
        form = http.get(f"/{SLUG}/ansoeg")
        found = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert found

        def send(number: int) -> int:
            data = {
                "navn": "Ida Jensen",
                "email": "ida@example.dk",
                "postnummer": "2900",
                "foedselsaar": "1980",
                "koen": "kvinde",
                "profiler": FAMILY,
                "motivation": f"version {number}",
                "samtykke": "ja",
                "csrf": found[1],
            }
            cookies = {name: value for name, value in http.cookies.items()}
            answer = httpx.post(f"{base}/{SLUG}/ansoeg", data=data, cookies=cookies)
            return answer.status_code

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(send, range(8)))
    assert codes == [303] * 8
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(models.Applicant)).one() == 1
