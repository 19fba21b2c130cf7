"""The citizens' web form over plain HTTP (TestClient): the pages, the row rules of the import,
saving through the import's writer, and the protections of a public form. The browser checks
(axe-core, keyboard, end to end) are in test_web_browser.py."""

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import CLUB, FAMILY, applicants, free_port, open_recruitment
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.recruitment import call, status
from opgaveudvalg.settings import get_settings
from opgaveudvalg.web.app import create_app
from opgaveudvalg.web.security import CSRF_COOKIE, ClientAddress, RateLimiter

SLUG = "ny-svoemmehal"


def answers(**changes: str | list[str]) -> dict[str, str | list[str]]:
    """A valid application as the form posts it."""
    form: dict[str, str | list[str]] = {
        "navn": "Søren Ærø",
        "email": "soeren@example.dk",
        "telefon": "",
        "adresse": "Strandvejen 1",
        "postnummer": "2900",
        "foedselsaar": "1990",
        "koen": "mand",
        "profiler": [FAMILY],
        "kategori-3": "Hellerup og Tuborg",
        "motivation": 'Jeg svømmer "hver" dag',
        "samtykke": "ja",
        "offentliggoer": "ja",
        "hjemmeside": "",
    }
    form.update(changes)
    return form


@pytest.fixture
def client() -> Iterator[TestClient]:
    open_recruitment()
    with TestClient(create_app(get_settings())) as test_client:
        yield test_client


@pytest.fixture
def client_on_each_database(database_url: str) -> Iterator[TestClient]:
    open_recruitment()
    with TestClient(create_app(get_settings())) as test_client:
        yield test_client


def token(client: TestClient, path: str = f"/{SLUG}/ansoeg") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found[1]


def post(client: TestClient, form: dict[str, str | list[str]], lang: str = "da", **kw):  # type: ignore[no-untyped-def]
    csrf = token(client)
    body = urlencode({**form, "csrf": csrf}, doseq=True)
    suffix = "?lang=en" if lang == "en" else ""
    return client.post(
        f"/{SLUG}/ansoeg{suffix}",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})},
        follow_redirects=False,
        **kw,
    )


def outbox() -> list[models.OutboxMessage]:
    with session_scope() as session:
        return list(session.exec(select(models.OutboxMessage)))


def test_pages_list_the_call_and_the_form_in_both_languages(client: TestClient) -> None:
    index = client.get("/")
    assert f'href="/{SLUG}"' in index.text and '<html lang="da">' in index.text
    call_page = client.get(f"/{SLUG}?lang=en")
    assert call_page.status_code == 200 and '<html lang="en">' in call_page.text
    assert "<style>" not in call_page.text and "/static/document.css" in call_page.text
    assert f'href="/{SLUG}/ansoeg?lang=en"' in call_page.text
    form = client.get(f"/{SLUG}/ansoeg")
    assert 'for="navn"' in form.text and 'name="profiler"' in form.text
    assert "Du skal være 15–24 år" in form.text  # a profile's hard criteria in words
    assert 'value="Hellerup og Tuborg"' in form.text  # the balance question's groups
    assert client.get("/static/web.css").headers["content-type"].startswith("text/css")
    assert client.get("/ukendt-udvalg").status_code == 404


def test_the_form_asks_unticked_whether_to_hear_what_becomes_of_the_recommendations(
    client: TestClient,
) -> None:
    for lang, words in (
        ("da", ("Hold mig orienteret", "når Kommunalbestyrelsen har besluttet", "frivilligt")),
        ("en", ("Keep me informed", "when the municipal council has decided", "optional")),
    ):
        page = client.get(f"/{SLUG}/ansoeg" + ("?lang=en" if lang == "en" else "")).text
        [box] = re.findall(r'<input type="checkbox" id="orientering"[^>]*>', page)
        assert 'name="orientering"' in box and "checked" not in box and "required" not in box
        assert 'aria-describedby="orientering-hint"' in box
        assert all(word in page for word in words), lang
        assert "status ændrer sig" in page or "status changes" in page


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/", f"/{SLUG}", f"/{SLUG}/ansoeg", "/findes-ikke", "/a/b/c"):
        answer = client.get(path)
        assert answer.headers["content-type"].startswith("text/html")  # a page, also for 404
        headers = answer.headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_a_valid_application_is_saved_through_the_import_and_receipted(
    client_on_each_database: TestClient,
) -> None:
    client = client_on_each_database
    answer = post(client, answers())
    assert answer.status_code == 303 and answer.headers["location"] == f"/{SLUG}/tak"
    assert "Tak for din ansøgning" in client.get(answer.headers["location"]).text
    (saved,) = applicants()
    assert saved.email == "soeren@example.dk" and saved.publish_name
    assert not saved.wants_updates  # the box was not ticked
    assert saved.attributes == {"bydel": "Hellerup og Tuborg"}
    assert saved.motivation == 'Jeg svømmer "hver" dag'
    assert saved.source.startswith("webformular:")
    (receipt,) = outbox()
    assert receipt.to_address == "soeren@example.dk" and receipt.language == "da"
    assert receipt.subject.startswith("Kvittering")
    # the same e-mail again updates the application (the import's dedup); English receipt
    changed = answers(profiler=[CLUB], motivation="Ny tekst", orientering="ja")
    assert post(client, changed, "en").status_code == 303
    (updated,) = applicants()
    assert updated.id == saved.id and updated.motivation == "Ny tekst" and updated.wants_updates
    assert [m.language for m in outbox()] == ["da", "en"]
    with session_scope() as session:
        batches = session.exec(select(models.ImportBatch)).all()
        assert [(b.file_name, b.rows, b.inserted, b.updated) for b in batches] == [
            ("webformular", 1, 1, 0),
            ("webformular", 1, 0, 1),
        ]
        found = committee.get_committee(session, SLUG)
        assert status.recruitment_status(session, found, get_settings()).applicants == 1


def test_errors_stand_next_to_their_fields_and_nothing_typed_is_lost(client: TestClient) -> None:
    page = post(
        client,
        answers(email="ikke-en-adresse", foedselsaar="1800", samtykke="", motivation="Min tekst"),
    )
    assert page.status_code == 422
    text = page.text
    assert (
        'class="error-summary"' in text
        and 'href="#email"' in text
        and 'href="#foedselsaar"' in text
    )
    assert 'href="#samtykke"' in text
    assert re.search(r'id="email-fejl1">.*er ikke en gyldig e-mailadresse', text)
    assert 'aria-describedby="email-hint email-fejl1" aria-invalid="true"' in text
    assert 'value="Søren Ærø"' in text and ">Min tekst</textarea>" in text
    assert f'value="{FAMILY}" aria-describedby="profil-{FAMILY}-krav" checked' in text
    assert applicants() == [] and outbox() == []


def test_no_profile_applies_for_the_open_seat(client: TestClient) -> None:
    """The example mandate has one open seat: an applicant may pick no profile (the import's
    row rule, the same function)."""
    answer = post(client, answers(profiler=[]))
    assert answer.status_code == 303
    assert len(applicants()) == 1


def test_the_same_person_at_the_same_address_is_flagged_as_in_an_import(
    client: TestClient,
) -> None:
    """The form reads only the applicants a post can meet (same e-mail or home), and still
    flags the same name at the same address with another e-mail for review."""
    assert post(client, answers(navn="Else Berg", email="else@example.dk")).status_code == 303
    assert post(client, answers()).status_code == 303
    assert (
        post(client, answers(email="soeren2@example.dk", adresse="strandvejen  1,")).status_code
        == 303
    )
    with session_scope() as session:
        reviews = session.exec(select(models.DuplicateReview)).all()
    ids = {a.email: a.id for a in applicants()}
    assert [(r.applicant_id, r.other_applicant_id) for r in reviews] == [
        (ids["soeren@example.dk"], ids["soeren2@example.dk"])
    ]


def test_a_cpr_number_is_refused_and_never_shown_again(client: TestClient) -> None:
    page = post(client, answers(motivation="Mit CPR er 010190-1234"))
    assert page.status_code == 422
    assert "CPR" in page.text and "010190" not in page.text
    assert applicants() == []
    with session_scope() as session:
        assert session.exec(select(models.QuarantinedRow)).all() == []


def test_csrf_token_is_required_and_must_match_the_cookie(client: TestClient) -> None:
    body = urlencode({**answers(), "csrf": "forged.0000"}, doseq=True)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert client.post(f"/{SLUG}/ansoeg", content=body, headers=headers).status_code == 403
    real = token(client)
    client.cookies.delete(CSRF_COOKIE)
    body = urlencode({**answers(), "csrf": real}, doseq=True)
    assert client.post(f"/{SLUG}/ansoeg", content=body, headers=headers).status_code == 403
    assert applicants() == []


def test_oversized_bodies_and_fields_are_refused(client: TestClient) -> None:
    big = post(client, answers(motivation="x" * 70_000))
    assert big.status_code == 413
    multipart = client.post(
        f"/{SLUG}/ansoeg", data={"csrf": token(client)}, files={"navn": ("navn.txt", b"x")}
    )
    assert multipart.status_code == 400  # only what the form posts is read
    long_name = post(client, answers(navn="N" * 201))
    assert long_name.status_code == 422 and "må højst være 200 tegn" in long_name.text
    assert applicants() == []


def test_honeypot_is_answered_as_saved_but_keeps_nothing(client: TestClient) -> None:
    answer = post(client, answers(hjemmeside="http://spam.example"))
    assert answer.status_code == 303 and applicants() == []


def test_rate_limit_per_address(monkeypatch: pytest.MonkeyPatch) -> None:
    open_recruitment()
    monkeypatch.setenv("OPGAVEUDVALG_WEB_RATE_LIMIT", "2")
    get_settings.cache_clear()
    with TestClient(create_app(get_settings())) as client:
        codes = [post(client, answers(email=f"p{n}@example.dk")).status_code for n in range(3)]
        assert codes == [303, 303, 429]


def test_sliding_window_and_trusted_proxies() -> None:
    limiter = RateLimiter(2, 60)
    assert [limiter.retry_after("a", now) for now in (0, 1, 2)] == [0, 0, 58]
    assert limiter.retry_after("a", 60.5) == 0 and limiter.retry_after("b", 2) == 0
    assert RateLimiter(0, 60).retry_after("a") == 0

    class Peer:
        def __init__(self, host: str, forwarded: str) -> None:
            self.client = type("C", (), {"host": host})()
            self.headers = type("H", (), {"getlist": lambda _, name: [forwarded]})()

    address = ClientAddress(["10.0.0.0/8"])
    assert address.of(Peer("10.0.0.5", "203.0.113.9, 10.0.0.7")) == "203.0.113.9"  # type: ignore[arg-type]
    assert address.of(Peer("198.51.100.1", "203.0.113.9")) == "198.51.100.1"  # type: ignore[arg-type]


def test_the_form_closes_at_the_deadline(client: TestClient) -> None:
    with committee.committee_session(SLUG) as (session, found):
        moment = call.deadline_of(session, found, get_settings())
        passed = datetime.now(UTC) - timedelta(minutes=1)
        committee.audit(session, found.id, "test", call.DEADLINE_MOVED, deadline=passed.isoformat())
    assert moment > passed
    closed = client.get(f"/{SLUG}/ansoeg")
    assert "Ansøgningsfristen er udløbet" in closed.text and 'name="navn"' not in closed.text
    assert post_without_form(client).status_code == 403
    assert applicants() == []


def post_without_form(client: TestClient):  # type: ignore[no-untyped-def]
    client.get("/")  # the cookie
    csrf = client.cookies.get(CSRF_COOKIE)
    body = urlencode({**answers(), "csrf": csrf}, doseq=True)
    return client.post(
        f"/{SLUG}/ansoeg",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


@pytest.mark.slow
def test_the_command_serves_the_form() -> None:
    """`opgaveudvalg web --host --port` as its own process."""
    open_recruitment()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "opgaveudvalg.cli.main",
            "web",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/{SLUG}/ansoeg", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert page.status_code == 200 and 'name="csrf"' in page.text
    finally:
        server.terminate()
        server.wait(10)
