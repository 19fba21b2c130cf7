"""Generated documents: one Jinja2 environment, HTML as the source, PDF via WeasyPrint."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from opgaveudvalg.settings import TEMPLATES_DIR

Format = Literal["html", "pdf", "md", "txt"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "md")
_LOCALES = {"da": "da_DK", "en": "en_GB"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])(?=\s)", re.MULTILINE)


@dataclass(frozen=True)
class DocumentMeta:
    """The identity every generated file carries in its header and footer."""

    kind: str
    committee_title: str
    municipality: str
    version: int
    issued: date
    case_number: str | None
    lang: str
    approved: bool = False


def markdown_text(value: Any) -> str:
    """Escape Markdown and HTML syntax so typed-in text stays text."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
    return _MARKDOWN_LINE_START.sub(lambda m: m[1] + m[2][:-1] + "\\" + m[2][-1], escaped)


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = markdown_text
    return env


def text_table(headers: tuple[str, ...], rows: Sequence[Sequence[object]]) -> list[str]:
    """Plain text columns for a terminal, each as wide as its widest cell."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    return [
        "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]


def long_date(value: date, lang: str) -> str:
    """'mandag den 26. februar 2024' / 'Monday, 26 February 2024'."""
    return format_date(value, format="full", locale=_LOCALES[lang])


def short_date(value: date, lang: str) -> str:
    """'26. februar 2024' / '26 February 2024'."""
    return format_date(value, format="long", locale=_LOCALES[lang])


def weekday_date(value: date, lang: str) -> str:
    """'tirsdag 9. marts 2027' / 'Tuesday 9 March 2027' (without long_date's 'den')."""
    pattern = "EEEE d. MMMM y" if lang == "da" else "EEEE d MMMM y"
    return format_date(value, format=pattern, locale=_LOCALES[lang])


def local_time(value: datetime, timezone: str) -> str:
    """A stored UTC timestamp as local wall-clock time, e.g. '2027-01-28 14:03'."""
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def number(value: float, lang: str) -> str:
    """'120.000.000' / '120,000,000'; '2,5' / '2.5'."""
    return format_decimal(value, locale=_LOCALES[lang])


def render_text(template: str, lang: str, **context: Any) -> str:
    """Render templates/<lang>/<template> with the date and number helpers bound to `lang`."""
    return render_template(f"{lang}/{template}", lang, **context)


def render_template(path: str, lang: str, /, **context: Any) -> str:
    """Render templates/<path> with the date and number helpers bound to `lang`."""
    helpers = {
        "long_date": lambda value: long_date(value, lang),
        "short_date": lambda value: short_date(value, lang),
        "number": lambda value: number(value, lang),
    }
    return environment().get_template(path).render(**helpers, **context)


def html_to_pdf(html: str, target: Path) -> None:
    from weasyprint import HTML  # slow import; only needed when a PDF is made

    HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf(target)


def write_document(name: str, lang: str, fmt: Format, target_dir: Path, **context: Any) -> Path:
    """Write document `name` (e.g. 'kommissorium') in one format; returns the file written."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{name}.{fmt}"
    if fmt in ("md", "txt"):
        target.write_text(render_text(f"{name}.{fmt}.j2", lang, **context), encoding="utf-8")
    else:
        html = render_text(f"{name}.html.j2", lang, **context)
        if fmt == "html":
            target.write_text(html, encoding="utf-8")
        else:
            html_to_pdf(html, target)
    return target


def write_in_languages(
    name: str,
    meta: DocumentMeta,
    target_dir: Callable[[str], Path],
    langs: tuple[str, ...],
    formats: tuple[Format, ...],
    **context: Any,
) -> list[Path]:
    """Write document `name` in each language and format; returns the files."""
    return [
        write_document(name, lang, fmt, target_dir(lang), meta=replace(meta, lang=lang), **context)
        for lang in langs
        for fmt in formats
    ]
