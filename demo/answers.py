"""Answers to the balance categories that applicants state themselves (bydel, uddannelse, …)."""

import random
from dataclasses import dataclass

from demo.pools import cumulative, pick
from demo.vocabulary import (
    EDUCATION,
    EDUCATION_ADULT_WEIGHTS,
    EMPLOYMENT,
    EMPLOYMENT_ADULT_WEIGHTS,
    OTHER_GROUPS,
)
from opgaveudvalg.mandate.model import Mandate

_EDUCATION_ADULT = cumulative(EDUCATION_ADULT_WEIGHTS)
_EMPLOYMENT_ADULT = cumulative(EMPLOYMENT_ADULT_WEIGHTS)


@dataclass(frozen=True)
class Category:
    name: str
    kind: str  # "bydel", "uddannelse", "beskæftigelse" or "valg"
    values: tuple[str, ...]
    cumulative: list[float]


def category_for(mandate: Mandate, name: str) -> Category:
    """The answer options of a category: education and employment have fixed ones; otherwise
    the mandate's target groups (plus known extras, or 'Andet'), earlier ones more likely."""
    groups = [t.gruppe for t in mandate.repræsentationsmål if t.kategori == name]
    key = name.casefold()
    if key == "uddannelse":
        return Category(name, "uddannelse", EDUCATION, [])
    if key == "beskæftigelse":
        return Category(name, "beskæftigelse", EMPLOYMENT, [])
    extras = [g for g in OTHER_GROUPS.get(key, ()) if g not in groups]
    values = (*groups, *extras) if groups or extras else ("Ja", "Nej")
    if not extras and groups:
        values = (*values, "Andet")
    weights = [1 / (1 + 0.35 * index) for index in range(len(values))]
    return Category(name, "bydel" if key == "bydel" else "valg", values, cumulative(weights))


def answer(rng: random.Random, category: Category, age: int, resident: bool) -> str:
    """A plausible answer for someone of `age`; no part of town for a non-resident."""
    if category.kind == "uddannelse":
        if age < 18:
            return EDUCATION[0]
        if age < 22:
            return rng.choice(EDUCATION[:3] + EDUCATION[1:2])
        return pick(rng, EDUCATION, _EDUCATION_ADULT)
    if category.kind == "beskæftigelse":
        if age < 25:
            return rng.choice(("Under uddannelse", "Under uddannelse", "I arbejde"))
        if age >= 67:
            return rng.choice(("Pensionist", "Pensionist", "Pensionist", "I arbejde"))
        return pick(rng, EMPLOYMENT, _EMPLOYMENT_ADULT)
    if category.kind == "bydel" and not resident:
        return ""  # lives in no part of the municipality
    return pick(rng, category.values, category.cumulative)
