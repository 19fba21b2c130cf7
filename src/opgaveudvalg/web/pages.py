"""Rendering the web pages from templates/web/ and the call (opslag) itself as a page.

The call page is the very document `recruitment.call` writes (templates/opslag.html.j2), with
its inline stylesheet swapped for links to the same CSS served as a static file (the Content
Security Policy allows no inline style), its apply button pointing at this site's form, and a
bar with the other language and all committees above it.
"""

import re
from dataclasses import replace
from datetime import date
from typing import Any

from sqlmodel import Session

from opgaveudvalg import documents, models
from opgaveudvalg.meetings import plan
from opgaveudvalg.recruitment import call
from opgaveudvalg.settings import Settings

LANGS = ("da", "en")
_INLINE_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
STYLESHEETS = (
    '<link rel="stylesheet" href="/static/document.css">\n'
    '<link rel="stylesheet" href="/static/web.css">'
)


def render(template: str, lang: str, **context: Any) -> str:
    """templates/web/<template> with the language's words (`t`, and the call's words `w`)."""
    return documents.render_template(f"web/{template}", lang, lang=lang, **context)


def with_lang(path: str, lang: str) -> str:
    return path if lang == "da" else f"{path}?lang={lang}"


def call_page(session: Session, committee: models.Committee, settings: Settings, lang: str) -> str:
    """The call as the secretariat publishes it, its apply button leading to the form."""
    meta, context = call.call_document(
        session, committee, settings, date.today(), plan.meeting_days
    )
    form_url = with_lang(f"/{committee.slug}/ansoeg", lang)
    # the form is the way to apply here: no second route from the mandate's own words
    context["call"] = replace(context["call"], apply_url=form_url, how_to_apply="")
    html = documents.render_text("opslag.html.j2", lang, meta=replace(meta, lang=lang), **context)
    top = render(
        "call-top.html.j2",
        lang,
        other_url=with_lang(f"/{committee.slug}", "en" if lang == "da" else "da"),
        home_url=with_lang("/", lang),
    )
    html = _INLINE_STYLE.sub(lambda _: STYLESHEETS, html, count=1)
    return _insert_after_body(html, top)


def _insert_after_body(html: str, top: str) -> str:
    start = html.index("<body")
    end = html.index(">", start) + 1
    return html[:end] + "\n" + top + html[end:]
