"""The free-text motivation of a demo application, built from the mandate's title and tasks."""

import random
import re

from demo.vocabulary import (
    CLOSERS,
    INTEREST_TASK,
    INTEREST_TOPIC,
    JOBS,
    PREPOSITIONS,
    SELF_ADULT,
    SELF_OUTSIDE,
    SELF_SENIOR,
    SELF_TEEN,
    SELF_YOUNG,
    SUBORDINATORS,
)
from opgaveudvalg.mandate.model import Mandate


def topic(mandate: Mandate) -> str:
    """What the committee is about, from its title: 'Opgaveudvalg for X' → 'X'."""
    match = re.match(
        r"opgaveudvalg(?:et)?\s+(?:for|om|vedrørende)\s+(.+)$", mandate.titel, re.IGNORECASE
    )
    return match.group(1).strip().rstrip(".") if match else "udvalgets arbejde"


def task_phrase(task: str) -> str | None:
    """A task of the mandate as an 'at …' phrase: cut at its first comma or dash that leaves
    4–16 words and no dangling preposition or clause, else whole if short enough, else None."""
    text = task.strip().rstrip(".")
    cuts = [m.start() for m in re.finditer(r", | – ", text)]
    for end in [*cuts, len(text)]:
        phrase = text[:end]
        words = phrase.split()
        last_clause = re.split(r", | – ", phrase)[-1].split()
        dangling = last_clause[0].casefold() in SUBORDINATORS and len(last_clause) < 4
        if 4 <= len(words) <= 16 and words[-1].casefold() not in PREPOSITIONS and not dangling:
            return phrase if phrase[1:2].isupper() else phrase[:1].lower() + phrase[1:]
    return None


def _about_me(age: int, resident: bool) -> tuple[str, ...]:
    if not resident:
        return SELF_OUTSIDE
    if age < 20:
        return SELF_TEEN
    if age < 25:
        return SELF_YOUNG
    if age < 67:
        return SELF_ADULT
    return SELF_SENIOR


def _interest(rng: random.Random, subject: str, tasks: list[str]) -> str:
    if tasks and rng.random() < 0.5:
        return rng.choice(INTEREST_TASK).format(task=rng.choice(tasks))
    return rng.choice(INTEREST_TOPIC).format(topic=subject, Topic=subject[:1].upper() + subject[1:])


def motivation(rng: random.Random, age: int, resident: bool, subject: str, tasks: list[str]) -> str:
    """One to three sentences: maybe about the applicant, an interest in `subject` or one of
    the `tasks` (phrases from `task_phrase`), maybe a closing remark."""
    about = _about_me(age, resident)
    interest = _interest(rng, subject, tasks)
    draw = rng.random()
    if draw < 0.25:
        return interest
    me = rng.choice(about).format(
        age=age, job=rng.choice(JOBS), years=rng.randint(2, max(2, age - 18))
    )
    if draw < 0.55:
        return f"{me} {interest}"
    if draw < 0.7:
        return f"{interest} {rng.choice(CLOSERS)}"
    return f"{me} {interest} {rng.choice(CLOSERS)}"
