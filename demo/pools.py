"""Names and streets read once from Faker's da_DK data, and the small weighted-draw helpers.

Everything here draws from a `random.Random` passed in, never from a global, so a seed fixes
the result.
"""

import random
import re
import unicodedata
from bisect import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


@dataclass(frozen=True)
class Pools:
    female: tuple[str, ...]
    male: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]


@lru_cache
def faker_pools() -> Pools:
    """First names, surnames and street names; read once, the streets with a fixed seed."""
    # Imported here: Faker is slow to import and only needed once.
    from faker import Faker
    from faker.providers.person.da_DK import Provider as Names

    fake = Faker("da_DK")
    fake.seed_instance(2027)
    streets = sorted({fake.street_name() for _ in range(2500)})
    return Pools(
        female=tuple(Names.first_names_female),
        male=tuple(Names.first_names_male),
        last=tuple(Names.last_names),
        streets=tuple(streets),
    )


def ascii_letters(text: str) -> str:
    """Lower-case a–z only, æøå spelled out: 'Søren Ærø' → 'soerenaeroe'."""
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return re.sub(r"[^a-z]", "", plain.encode("ascii", "ignore").decode().lower())


def cumulative(weights: Iterable[float]) -> list[float]:
    total, result = 0.0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def pick(rng: random.Random, items: Sequence[T], cumulative_weights: list[float]) -> T:
    """One item, drawn by the weights whose running totals are `cumulative_weights`."""
    return items[bisect(cumulative_weights, rng.random() * cumulative_weights[-1])]


def sample(rng: random.Random, items: list[int], weights: list[float], count: int) -> list[int]:
    """`count` different items, drawn by weight without replacement."""
    items, weights, chosen = list(items), list(weights), []
    for _ in range(min(count, len(items))):
        index = bisect(cumulative(weights), rng.random() * sum(weights))
        index = min(index, len(items) - 1)
        chosen.append(items.pop(index))
        weights.pop(index)
    return chosen
