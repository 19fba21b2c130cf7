"""The citizens' web form (`opgaveudvalg web`): for each recruiting committee its call as a page
and an application form, in Danish and English, rendered on the server, no JavaScript.

    /                       the committees that are recruiting
    /{slug}                 the call (opslag)
    /{slug}/ansoeg          the form; POST checks it and redirects (303) to …
    /{slug}/tak             … the confirmation
    /static/{name}.css      the two stylesheets
Every page takes `?lang=en` for English.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError

from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.recruitment import call, rows
from opgaveudvalg.settings import TEMPLATES_DIR, Settings
from opgaveudvalg.web import forms, pages, saving, security

STYLESHEETS = {
    "document.css": TEMPLATES_DIR / "document.css",
    "web.css": TEMPLATES_DIR / "web/web.css",
}
PUBLIC = {models.CommitteeStatus.draft, models.CommitteeStatus.mandated}  # not (yet) public
FORM_TYPE = "application/x-www-form-urlencoded"  # what the form posts; read with urllib.parse
SAVE_ATTEMPTS = 3  # two forms with the same new e-mail at once: the later one updates


@dataclass
class Web:
    """What the routes share: the settings and the form's protections."""

    settings: Settings
    tokens: security.CsrfTokens
    limiter: security.RateLimiter
    address: security.ClientAddress


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "da")
    return lang if lang in pages.LANGS else "da"


def _page(
    web: Web, request: Request, template: str, code: int = 200, **context: Any
) -> HTMLResponse:
    lang = _lang(request)
    token = web.tokens.for_request(request)
    html = pages.render(template, lang, csrf=token, path=request.url.path, **context)
    response = HTMLResponse(html, status_code=code)
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(security.SECURITY_HEADERS)  # also on a 500, outside the middleware
    response.set_cookie(
        security.CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or web.settings.web_secure_cookie,
        path="/",
    )
    return response


def _open_until(session: Any, found: models.Committee, settings: Settings) -> date | None:
    """The call's last day if it takes applications now (recruiting, before the deadline, not
    closed on command); else None."""
    if found.status != models.CommitteeStatus.recruiting:
        return None
    deadline = call.deadline_of(session, found, settings)
    if datetime.now(UTC) >= deadline or call.close_requested(session, found):
        return None
    return (deadline - timedelta(microseconds=1)).date()


def _public(session: Any, slug: str) -> models.Committee:
    found = committee.find_committee(session, slug)
    if found is None or found.status in PUBLIC:
        raise HTTPException(404)
    return found


def _index(web: Web) -> list[tuple[str, str, date]]:
    with session_scope() as session:
        listed = []
        for found in committee.list_committees(session):
            last_day = _open_until(session, found, web.settings)
            if last_day is not None:
                mandate = committee.current_mandate(session, found)
                listed.append((found.slug, mandate.titel, last_day))
        return listed


def _form_context(web: Web, slug: str) -> dict[str, Any] | None:
    """What the form page shows; None when the call has closed."""
    with session_scope() as session:
        found = _public(session, slug)
        last_day = _open_until(session, found, web.settings)
        if last_day is None:
            return None
        mandate = committee.current_mandate(session, found)
        return {
            "slug": slug,
            "mandate": mandate,
            "spec": forms.FormSpec.of(mandate, web.settings),
            "deadline": last_day,
            "postcodes": web.settings.postcodes,
        }


def _submit(web: Web, slug: str, body: bytes, lang: str) -> forms.Submission | None:
    """Check and save a posted form; the submission with its errors, or None once saved.
    Raises LookupError when the call has closed."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            with session_scope() as session:
                found = _public(session, slug)
                last_day = _open_until(session, found, web.settings)
                if last_day is None:
                    raise LookupError(slug)
                rules = rows.intake_rules(session, found, web.settings)
                spec = forms.FormSpec.of(rules.mandate, web.settings)
                submission = forms.parse(body, spec)
                if submission.bot:
                    return None  # the honeypot was filled: answered as if saved, nothing kept
                application = forms.check(submission, spec, rules)
                if not submission.valid:
                    return submission
                raw, mapping = forms.raw_row(submission, spec)
                batch = saving.save(session, found, rules, raw, mapping, application)
                receipt = saving.Receipt(rules.mandate, last_day, lang)
                saving.queue_confirmation(session, found, web.settings, batch, application, receipt)
                return None
        except (IntegrityError, OperationalError):
            if attempt == SAVE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    secret = settings.web_secret.get_secret_value().encode() if settings.web_secret else None
    web = Web(
        settings,
        security.CsrfTokens(secret or secrets.token_bytes(32)),
        security.RateLimiter(settings.web_rate_limit, settings.web_rate_window_seconds),
        security.ClientAddress(settings.web_trusted_proxies),
    )

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.update(security.SECURITY_HEADERS)
        return response

    async def error_page(request: Request, exc: Exception) -> Response:
        code = int(getattr(exc, "status_code", 500))
        return _page(web, request, "fejl.html.j2", code, status=code)

    # the app's own HTTPExceptions, the router's 404/405 and any fault (500), as pages
    for key in (HTTPException, 404, 405, 500):
        app.add_exception_handler(key, error_page)

    @app.get("/static/{name}")
    def stylesheet(name: str) -> Response:
        if name not in STYLESHEETS:
            raise HTTPException(404)
        css = STYLESHEETS[name].read_text(encoding="utf-8")
        return Response(css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> Response:
        return _page(web, request, "index.html.j2", committees=_index(web))

    @app.get("/{slug}", response_class=HTMLResponse)
    def call_page(request: Request, slug: str) -> Response:
        with session_scope() as session:
            found = _public(session, slug)
            if _open_until(session, found, settings) is None:
                return _page(web, request, "lukket.html.j2", slug=slug)
            html = pages.call_page(session, found, settings, _lang(request))
        return HTMLResponse(html)

    @app.get("/{slug}/ansoeg", response_class=HTMLResponse)
    def form(request: Request, slug: str) -> Response:
        context = _form_context(web, slug)
        if context is None:
            return _page(web, request, "lukket.html.j2", slug=slug)
        return _page(web, request, "ansoeg.html.j2", form=forms.Submission(), **context)

    @app.post("/{slug}/ansoeg", response_class=HTMLResponse)
    async def apply(request: Request, slug: str) -> Response:
        lang = _lang(request)
        wait = web.limiter.retry_after(web.address.of(request))
        if wait:
            response = _page(web, request, "fejl.html.j2", 429, status=429)
            response.headers["Retry-After"] = str(wait)
            return response
        if not request.headers.get("content-type", "").startswith(FORM_TYPE):
            return _page(web, request, "fejl.html.j2", 400, status=400)
        try:
            body = await security.limited_body(request, settings.web_max_body_bytes)
        except security.BodyTooLarge:
            return _page(web, request, "fejl.html.j2", 413, status=413)
        if not web.tokens.check(request, forms.posted_token(body)):
            return _page(web, request, "fejl.html.j2", 403, status=403, csrf_failed=True)
        try:
            submission = await run_in_threadpool(_submit, web, slug, body, lang)
        except LookupError:
            return _page(web, request, "lukket.html.j2", 403, slug=slug)
        except forms.FormUnreadable:
            return _page(web, request, "fejl.html.j2", 400, status=400)
        if submission is None:
            return RedirectResponse(pages.with_lang(f"/{slug}/tak", lang), status_code=303)
        context = await run_in_threadpool(_form_context, web, slug)
        if context is None:
            return _page(web, request, "lukket.html.j2", 403, slug=slug)
        return _page(web, request, "ansoeg.html.j2", 422, form=submission, **context)

    @app.get("/{slug}/tak", response_class=HTMLResponse)
    def thanks(request: Request, slug: str) -> Response:
        with session_scope() as session:
            found = _public(session, slug)
            title = committee.current_mandate(session, found).titel
        return _page(web, request, "tak.html.j2", slug=slug, title=title)

    return app
