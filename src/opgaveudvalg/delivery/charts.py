"""The handover report's charts as inline SVG (matplotlib, text kept as text): representation
achieved against each target, attendance per meeting, the members' evaluation. Each is readable
in greyscale (black, greys and hatching, values written on the bars) and comes with a text
alternative stating its figures. The same data gives the same bytes: fixed hash salt per chart,
no date in the metadata, no pyplot state."""

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from opgaveudvalg.charts import FILLS, Chart, chart, figure, joined, styled, wrap
from opgaveudvalg.documents import number
from opgaveudvalg.selection.reports import TargetRow, target_bound

_WORDS = {
    "da": {
        "target": "Mål (mindst–højst)",
        "achieved": "Opnået",
        "seats": "Borgerpladser",
        "rate": "Fremmøde",
        "cancelled": "aflyst",
        "meeting": "Møde",
        "answers": "Antal svar",
        "and": "og",
    },
    "en": {
        "target": "Target (minimum–maximum)",
        "achieved": "Achieved",
        "seats": "Citizen seats",
        "rate": "Attendance",
        "cancelled": "cancelled",
        "meeting": "Meeting",
        "answers": "Number of answers",
        "and": "and",
    },
}


@dataclass(frozen=True)
class MeetingRate:
    number: int
    label: str
    rate: float | None  # None: cancelled


def percent(value: float, lang: str) -> str:
    return f"{number(round(value * 100), lang)}\u00a0%"


def representation(key: str, targets: Sequence[TargetRow], seats: int, lang: str) -> Chart:
    """Per target group: the band from minimum to maximum, hatched, and the seats achieved."""
    with styled(key):
        return _representation(key, targets, seats, lang)


def _representation(key: str, targets: Sequence[TargetRow], seats: int, lang: str) -> Chart:
    words = _WORDS[lang]
    drawing = figure(6.4, 0.9 + 0.5 * len(targets))
    axes = drawing.subplots()
    rows = list(range(len(targets)))[::-1]
    for y, target in zip(rows, targets, strict=True):
        axes.barh(y, target.max - target.min, left=target.min, height=0.7, color="#e6e6e6")
        axes.barh(y, target.max - target.min, left=target.min, height=0.7, fill=False, hatch="///")
        achieved = target.on_panel or 0
        axes.barh(y, achieved, height=0.3, color="#1a1a1a")
        axes.text(
            achieved + 0.12,
            y,
            str(achieved),
            va="center",
            fontweight="bold",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        )
    axes.set_yticks(rows, [wrap(f"{t.category}: {t.group}", 28) for t in targets])
    axes.set_xlim(0, seats + 0.6)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(words["seats"])
    drawing.legend(
        handles=[
            Patch(facecolor="#e6e6e6", edgecolor="#333333", hatch="///", label=words["target"]),
            Patch(facecolor="#1a1a1a", label=words["achieved"]),
        ],
        loc="outside lower center",
        ncols=2,
        frameon=False,
    )
    return chart(key, drawing, _representation_text(targets, seats, lang))


def _representation_text(targets: Sequence[TargetRow], seats: int, lang: str) -> str:
    if lang == "da":
        parts = [
            f"{t.category}: {t.group} fik {t.on_panel or 0} (mål {target_bound(t, seats, lang)})"
            for t in targets
        ]
        return f"Repræsentation blandt de {seats} borgerpladser: " + _joined(parts, lang) + "."
    parts = [
        f"{t.category}: {t.group} got {t.on_panel or 0} (target {target_bound(t, seats, lang)})"
        for t in targets
    ]
    return f"Representation among the {seats} citizen seats: " + _joined(parts, lang) + "."


def attendance(key: str, meetings: Sequence[MeetingRate], lang: str) -> Chart:
    """Per meeting, the share of seated members present; a cancelled meeting is marked."""
    with styled(key):
        return _attendance(key, meetings, lang)


def _attendance(key: str, meetings: Sequence[MeetingRate], lang: str) -> Chart:
    words = _WORDS[lang]
    drawing = figure(6.4, 2.8)
    axes = drawing.subplots()
    xs = list(range(len(meetings)))
    for x, meeting in zip(xs, meetings, strict=True):
        if meeting.rate is None:
            axes.text(x, 3, words["cancelled"], ha="center", va="bottom", style="italic")
            continue
        axes.bar(x, meeting.rate * 100, width=0.6, color="#b3b3b3", edgecolor="#1a1a1a")
        axes.bar(x, meeting.rate * 100, width=0.6, fill=False, hatch="..")
        axes.text(x, meeting.rate * 100 + 2, percent(meeting.rate, lang), ha="center", va="bottom")
    axes.set_xticks(xs, [m.label for m in meetings])
    axes.set_ylim(0, 112)
    axes.set_yticks([0, 25, 50, 75, 100], [percent(v / 100, lang) for v in (0, 25, 50, 75, 100)])
    axes.set_ylabel(words["rate"])
    return chart(key, drawing, _attendance_text(meetings, lang))


def _attendance_text(meetings: Sequence[MeetingRate], lang: str) -> str:
    words = _WORDS[lang]
    parts = [
        f"{words['meeting'].lower()} {m.number}: "
        + (words["cancelled"] if m.rate is None else percent(m.rate, lang))
        for m in meetings
    ]
    lead = "Fremmøde pr. møde" if lang == "da" else "Attendance per meeting"
    return f"{lead}: " + _joined(parts, lang) + "."


def evaluation(
    key: str, questions: Sequence[tuple[str, dict[str, int]]], responses: int, lang: str
) -> Chart:
    """One stacked bar per question, a segment per answer with its count written on it."""
    with styled(key):
        return _evaluation(key, questions, responses, lang)


def _evaluation(
    key: str, questions: Sequence[tuple[str, dict[str, int]]], responses: int, lang: str
) -> Chart:
    words = _WORDS[lang]
    answers = list(dict.fromkeys(a for _, counts in questions for a in counts))
    drawing = figure(6.4, 1.1 + 0.6 * len(questions))
    axes = drawing.subplots()
    rows = list(range(len(questions)))[::-1]
    for index, answer in enumerate(answers):
        fill, hatch = FILLS[index % len(FILLS)]
        dark = fill in ("#1a1a1a", "#8c8c8c")
        for y, (_, counts) in zip(rows, questions, strict=True):
            left = sum(counts.get(a, 0) for a in answers[:index])
            count = counts.get(answer, 0)
            if not count:
                continue
            axes.barh(y, count, left=left, height=0.6, color=fill, edgecolor="#1a1a1a")
            if hatch:
                axes.barh(y, count, left=left, height=0.6, fill=False, hatch=hatch)
            axes.text(
                left + count / 2,
                y,
                str(count),
                ha="center",
                va="center",
                color="white" if dark else "black",
                fontweight="bold",
                bbox=None if dark or not hatch else {"facecolor": "white", "linewidth": 0},
            )
    axes.set_yticks(rows, [wrap(q, 30) for q, _ in questions])
    axes.set_xlim(0, max(responses, 1))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(words["answers"])
    drawing.legend(
        handles=[
            Patch(facecolor=fill, edgecolor="#1a1a1a", hatch=hatch, label=answer)
            for answer, (fill, hatch) in zip(
                answers, [FILLS[i % len(FILLS)] for i in range(len(answers))], strict=True
            )
        ],
        loc="outside lower center",
        ncols=min(len(answers), 5),
        frameon=False,
    )
    return chart(key, drawing, _evaluation_text(questions, responses, lang))


def _evaluation_text(
    questions: Sequence[tuple[str, dict[str, int]]], responses: int, lang: str
) -> str:
    lead = (
        f"{responses} medlemmer besvarede evalueringen"
        if lang == "da"
        else f"{responses} members answered the evaluation"
    )
    parts = [
        f"»{question}«: " + _joined([f"{answer} {count}" for answer, count in counts.items()], lang)
        for question, counts in questions
    ]
    return lead + ". " + ". ".join(parts) + "."


def _joined(parts: list[str], lang: str) -> str:
    return joined(parts, _WORDS[lang]["and"])
