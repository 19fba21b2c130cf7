"""The selection report's charts (see `opgaveudvalg.charts` for what they all share): each
target group's share of the committee against its target and its share of the eligible
applicants, how the chances of a seat are spread, and the way from the imported rows to the
seats and the reserves. Values are written on the bars, and each chart states its figures in
its text alternative."""

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from opgaveudvalg.charts import Chart, chart, figure, joined, styled, wrap
from opgaveudvalg.documents import number

_WORDS = {
    "da": {
        "target": "Mål",
        "pool": "Andel af de egnede ansøgere",
        "achieved": "Andel af borgerpladserne",
        "share": "Andel",
        "chance": "Chance for en plads",
        "applicants": "Antal ansøgere",
        "rows": "Rækker i de importerede filer",
        "all": "Ansøgere",
        "eligible": "Egnede ansøgere",
        "seated": "Pladser og reserver",
        "seats": "Pladser",
        "reserves": "Reserver",
        "and": "og",
    },
    "en": {
        "target": "Target",
        "pool": "Share of the eligible applicants",
        "achieved": "Share of the citizen seats",
        "share": "Share",
        "chance": "Chance of a seat",
        "applicants": "Number of applicants",
        "rows": "Rows in the imported files",
        "all": "Applicants",
        "eligible": "Eligible applicants",
        "seated": "Seats and reserves",
        "seats": "Seats",
        "reserves": "Reserves",
        "and": "and",
    },
}
_BAND = "#e6e6e6"
_GREY = "#8c8c8c"
_BLACK = "#1a1a1a"
_LABEL = {"facecolor": "white", "edgecolor": "none", "pad": 1}


@dataclass(frozen=True)
class GroupShare:
    """A target group: `bound` in words ('mindst 4'), `low` and `high` in seats."""

    label: str
    bound: str
    low: int
    high: int
    in_pool: int
    on_panel: int | None


@dataclass(frozen=True)
class ChanceBin:
    """Applicants whose chance of a seat lies from `low` up to (not including) `high`, in per
    cent; the last bin includes its upper end."""

    low: int
    high: int
    applicants: int


@dataclass(frozen=True)
class Funnel:
    """From the rows of the imported files to the seats and the reserves."""

    rows: int
    applicants: int
    eligible: int
    seats: int
    reserves: int


def percent(value: float, lang: str) -> str:
    """A share (0–1) in per cent with at most one decimal: '6,7 %'."""
    return f"{number(round(value * 100, 1), lang)}\u00a0%"


def representation(
    key: str, groups: Sequence[GroupShare], seats: int, eligible: int, lang: str
) -> Chart:
    """Per group: the target as a hatched band, the share of the eligible applicants (grey)
    and the share of the seats achieved (black), all in per cent."""
    with styled(key):
        words = _WORDS[lang]
        drawing = figure(6.4, 0.9 + 0.55 * len(groups))
        axes = drawing.subplots()
        rows = list(range(len(groups)))[::-1]
        for y, group in zip(rows, groups, strict=True):
            low, high = group.low / seats * 100, group.high / seats * 100
            axes.barh(y, high - low, left=low, height=0.8, color=_BAND)
            axes.barh(y, high - low, left=low, height=0.8, fill=False, hatch="///")
            pool = group.in_pool / max(eligible, 1)
            axes.barh(y + 0.17, pool * 100, height=0.3, color=_GREY, edgecolor=_BLACK)
            axes.text(pool * 100 + 1, y + 0.17, percent(pool, lang), va="center", bbox=_LABEL)
            achieved = (group.on_panel or 0) / seats
            axes.barh(y - 0.17, achieved * 100, height=0.3, color=_BLACK)
            axes.text(
                achieved * 100 + 1,
                y - 0.17,
                f"{group.on_panel or 0} ({percent(achieved, lang)})",
                va="center",
                fontweight="bold",
                bbox=_LABEL,
            )
        axes.set_yticks(rows, [wrap(g.label, 24) for g in groups])
        axes.set_xlim(0, 118)
        ticks = [0, 25, 50, 75, 100]
        axes.set_xticks(ticks, [percent(t / 100, lang) for t in ticks])
        axes.set_xlabel(words["share"])
        drawing.legend(
            handles=[
                Patch(facecolor=_BAND, edgecolor="#333333", hatch="///", label=words["target"]),
                Patch(facecolor=_GREY, edgecolor=_BLACK, label=words["pool"]),
                Patch(facecolor=_BLACK, label=words["achieved"]),
            ],
            loc="outside lower center",
            ncols=3,
            frameon=False,
        )
        return chart(key, drawing, _representation_text(groups, seats, eligible, lang))


def _representation_text(groups: Sequence[GroupShare], seats: int, eligible: int, lang: str) -> str:
    def achieved(g: GroupShare) -> str:
        return f"{g.on_panel or 0} ({percent((g.on_panel or 0) / seats, lang)})"

    def pool(g: GroupShare) -> str:
        return percent(g.in_pool / max(eligible, 1), lang)

    if lang == "da":
        parts = [
            f"{g.label}: mål {g.bound}, i udvalget {achieved(g)}, blandt de egnede ansøgere {pool(g)}"
            for g in groups
        ]
        lead = f"Grupperne blandt de {seats} borgerpladser og de {eligible} egnede ansøgere"
    else:
        parts = [
            f"{g.label}: target {g.bound}, on the committee {achieved(g)}, among the eligible applicants {pool(g)}"
            for g in groups
        ]
        lead = f"The groups among the {seats} citizen seats and the {eligible} eligible applicants"
    return f"{lead}: " + "; ".join(parts) + "."


def chance_range(row: ChanceBin, lang: str) -> str:
    """'5–10 %'."""
    return f"{row.low}–{row.high}\u00a0%" if lang == "da" else f"{row.low}–{row.high}%"


def chances(key: str, bins: Sequence[ChanceBin], lang: str) -> Chart:
    """A histogram: how many applicants had a chance of a seat in each range."""
    with styled(key):
        words = _WORDS[lang]
        drawing = figure(6.4, 2.9)
        axes = drawing.subplots()
        xs = list(range(len(bins)))
        tallest = max(b.applicants for b in bins)
        for x, row in zip(xs, bins, strict=True):
            axes.bar(x, row.applicants, width=0.8, color="#b3b3b3", edgecolor=_BLACK)
            axes.bar(x, row.applicants, width=0.8, fill=False, hatch="..")
            axes.text(x, row.applicants + tallest * 0.02, str(row.applicants), ha="center")
        axes.set_xticks(xs, [chance_range(b, lang) for b in bins], fontsize=7.5)
        axes.set_ylim(0, tallest * 1.15)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(words["chance"])
        axes.set_ylabel(words["applicants"])
        return chart(key, drawing, _chances_text(bins, lang))


def _chances_text(bins: Sequence[ChanceBin], lang: str) -> str:
    total = sum(b.applicants for b in bins)
    shown = [b for b in bins if b.applicants]
    if lang == "da":
        parts = [f"{b.applicants} havde {chance_range(b, lang)}" for b in shown]
        lead = f"Chancen for en plads for hver af de {total} egnede ansøgere"
    else:
        parts = [f"{b.applicants} had {chance_range(b, lang)}" for b in shown]
        lead = f"The chance of a seat for each of the {total} eligible applicants"
    return f"{lead}: " + joined(parts, _WORDS[lang]["and"]) + "."


def funnel(key: str, counts: Funnel, lang: str) -> Chart:
    """One bar per step, the last split into the seats (black) and the reserves (hatched)."""
    with styled(key):
        words = _WORDS[lang]
        drawing = figure(6.4, 2.6)
        axes = drawing.subplots()
        steps = [
            (words["rows"], counts.rows),
            (words["all"], counts.applicants),
            (words["eligible"], counts.eligible),
        ]
        for y, (_, value) in zip([3, 2, 1], steps, strict=True):
            axes.barh(y, value, height=0.6, color=_GREY, edgecolor=_BLACK)
            axes.text(value + counts.rows * 0.01, y, str(value), va="center", bbox=_LABEL)
        axes.barh(0, counts.seats, height=0.6, color=_BLACK)
        axes.barh(
            0, counts.reserves, left=counts.seats, height=0.6, color="white", edgecolor=_BLACK
        )
        axes.barh(0, counts.reserves, left=counts.seats, height=0.6, fill=False, hatch="///")
        end = counts.seats + counts.reserves
        axes.text(
            end + counts.rows * 0.01,
            0,
            f"{counts.seats} + {counts.reserves}",
            va="center",
            fontweight="bold",
            bbox=_LABEL,
        )
        axes.set_yticks(
            [3, 2, 1, 0], [wrap(w, 18) for w in [*(s[0] for s in steps), words["seated"]]]
        )
        axes.set_xlim(0, max(counts.rows, end, 1) * 1.12)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        drawing.legend(
            handles=[
                Patch(facecolor=_BLACK, label=words["seats"]),
                Patch(facecolor="white", edgecolor=_BLACK, hatch="///", label=words["reserves"]),
            ],
            loc="outside lower center",
            ncols=2,
            frameon=False,
        )
        return chart(key, drawing, _funnel_text(counts, lang))


def _funnel_text(counts: Funnel, lang: str) -> str:
    if lang == "da":
        return (
            f"Fra {counts.rows} rækker i de importerede filer til {counts.applicants} ansøgere, "
            f"heraf {counts.eligible} egnede; {counts.seats} fik en plads, "
            f"og {counts.reserves} står på reservelisten."
        )
    return (
        f"From {counts.rows} rows in the imported files to {counts.applicants} applicants, "
        f"{counts.eligible} of them eligible; {counts.seats} got a seat "
        f"and {counts.reserves} are on the reserve list."
    )
