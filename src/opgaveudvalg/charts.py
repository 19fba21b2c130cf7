"""What every document chart shares: inline SVG from matplotlib with text kept as text, a
greyscale style (black, greys and hatching, so no chart depends on colour), a text alternative
in the SVG's <desc>, and the same bytes for the same data (fixed hash salt per chart, no date
in the metadata, no pyplot state). The charts themselves live with their documents."""

import io
import re
import textwrap
from contextlib import AbstractContextManager
from dataclasses import dataclass
from html import escape
from typing import Any

import matplotlib
from matplotlib.figure import Figure

matplotlib.use("Agg")

_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.edgecolor": "#333333",
    "axes.linewidth": 0.6,
    "hatch.linewidth": 0.6,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# (fill, hatch) in order: told apart without colour
FILLS = [("#1a1a1a", ""), ("#8c8c8c", ""), ("white", "///"), ("white", "..."), ("#d0d0d0", "xx")]


@dataclass(frozen=True)
class Chart:
    """`svg` goes inline in HTML (no XML prolog); `key` prefixes every id inside it."""

    key: str
    svg: str
    description: str

    @property
    def file_text(self) -> str:
        """The SVG as a file of its own (for the Markdown version)."""
        return '<?xml version="1.0" encoding="utf-8"?>\n' + self.svg


def styled(key: str) -> AbstractContextManager[None]:
    """The charts' style, for drawing and saving alike; the hash salt makes ids stable."""
    style: Any = {**_STYLE, "svg.hashsalt": key}  # rc_context types its keys as literals
    return matplotlib.rc_context(style)


def figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def chart(key: str, drawn: Figure, description: str) -> Chart:
    buffer = io.StringIO()
    drawn.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return Chart(key, _inline(buffer.getvalue(), key, description), description)


def _inline(svg: str, key: str, description: str) -> str:
    """Without prolog, every id prefixed with `key` (several charts share one page), and named
    for assistive technology by its <title> and <desc>."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{key}-\1"', svg)
    opening = svg.index(">") + 1
    return (
        svg[: opening - 1]
        + f' role="img" aria-labelledby="{key}-desc">'
        + f'<desc id="{key}-desc">{escape(description)}</desc>'
        + svg[opening:]
    )


def wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def joined(parts: list[str], and_word: str) -> str:
    """'a, b and c'."""
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {and_word} " + parts[-1]
