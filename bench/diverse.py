"""Generated *diverse* applicant pools: most applicants are their own type, as in real citizens'
assemblies (many categories, skewed self-selection), unlike the public instances where a handful
of interchangeable types cover everyone.

Seeded and deterministic. Quotas are proportional ranges around *population* shares while the
pool is drawn with a self-selection bias, so they bind; they are widened just enough to admit a
reference panel built alongside the pool, so every instance is feasible.
"""

import math
import random
from dataclasses import dataclass

from opgaveudvalg.selection.model import Instance, Person, Quota

PANEL = "panel"


@dataclass(frozen=True)
class Shape:
    n: int
    k: int
    categories: int = 7
    profiles: bool = False
    households: bool = False
    seed: int = 1

    @property
    def name(self) -> str:
        extra = ("+profiles" if self.profiles else "") + ("+households" if self.households else "")
        return f"diverse-{self.n}-k{self.k}-c{self.categories}{extra}-s{self.seed}"


def _shares(rng: random.Random, groups: int) -> list[float]:
    raw = [rng.gammavariate(2.0, 1.0) for _ in range(groups)]
    total = sum(raw)
    return [r / total for r in raw]


def _pick(rng: random.Random, shares: list[float]) -> int:
    return rng.choices(range(len(shares)), weights=shares)[0]


def diverse_instance(shape: Shape) -> Instance:
    """A pool of `shape.n` applicants for `shape.k` seats with `shape.categories` categories of
    2–6 groups each; optionally 2–4 competence profiles and one applicant in five in a pair."""
    rng = random.Random(f"diverse/{shape.n}/{shape.k}/{shape.categories}/{shape.seed}")
    names = [f"c{c}" for c in range(shape.categories)]
    groups = {name: [f"g{g}" for g in range(rng.randint(2, 6))] for name in names}
    population = {name: _shares(rng, len(values)) for name, values in groups.items()}
    # self-selection: some groups answer the invitation far more often than others
    response = {name: [rng.uniform(0.3, 1.7) for _ in values] for name, values in groups.items()}
    pool_shares = {
        name: [p * r for p, r in zip(population[name], response[name], strict=True)]
        for name in names
    }
    rows = [{name: _pick(rng, pool_shares[name]) for name in names} for _ in range(shape.n)]
    # reference panel: weighted towards the population, which the pool under-represents
    weight = [
        max(
            1e-9,
            1.0 / max(1e-9, _product([response[name][row[name]] for name in names])),
        )
        for row in rows
    ]
    chosen: list[int] = []
    candidates = list(range(shape.n))
    for _ in range(shape.k):
        index = rng.choices(candidates, weights=[weight[c] for c in candidates])[0]
        candidates.remove(index)
        chosen.append(index)
    quotas = []
    for name in names:
        for g, group in enumerate(groups[name]):
            ideal = population[name][g] * shape.k
            ref = sum(1 for c in chosen if rows[c][name] == g)
            low = min(int(ideal), ref)
            high = max(math.ceil(ideal), ref)
            quotas.append(Quota(name, group, low, high))
    seats, eligible = _profiles(rng, shape, chosen)
    households = _households(rng, shape, set(chosen))
    people = tuple(
        Person(
            f"r{i:05d}",
            frozenset((name, groups[name][rows[i][name]]) for name in names),
            frozenset(eligible[i]),
            households.get(i),
        )
        for i in range(shape.n)
    )
    return Instance(people, seats, tuple(quotas))


def _product(values: list[float]) -> float:
    result = 1.0
    for value in values:
        result *= value
    return result


def _profiles(
    rng: random.Random, shape: Shape, chosen: list[int]
) -> tuple[dict[str, int], list[set[str]]]:
    if not shape.profiles:
        return {PANEL: shape.k}, [{PANEL} for _ in range(shape.n)]
    count = rng.randint(2, 4)
    names = [f"profil{p}" for p in range(count)]
    seats = {name: 1 for name in names}
    for _ in range(shape.k - count):
        seats[rng.choice(names)] += 1
    eligible = [{name for name in names if rng.random() < 0.4} for _ in range(shape.n)]
    slots = [name for name in names for _ in range(seats[name])]
    for index, profile in zip(chosen, slots, strict=True):
        eligible[index].add(profile)  # the reference panel can fill every seat
    for person in eligible:
        if not person:
            person.add(rng.choice(names))
    return seats, eligible


def _households(rng: random.Random, shape: Shape, chosen: set[int]) -> dict[int, str]:
    if not shape.households:
        return {}
    result: dict[int, str] = {}
    order = list(range(shape.n))
    rng.shuffle(order)
    pairs = shape.n // 10  # one applicant in five lives with another applicant
    for number in range(pairs):
        a, b = order[2 * number], order[2 * number + 1]
        if a in chosen and b in chosen:
            continue
        result[a] = result[b] = f"hh{number}"
    return result


# The shapes the benchmark runs: the assembly-like headline, growth in n, committee sizes.
ASSEMBLY = [
    Shape(200, 20, 5),
    Shape(300, 30, 7),
    Shape(360, 30, 7, seed=2),
    Shape(500, 30, 7),
    Shape(1000, 40, 8),
    Shape(2000, 50, 8),
    # draws whose first master fell short of the target with 7 herded panels per type (the
    # column generation after it: 102 rounds, 8 s; 140 rounds, 160 s)
    Shape(400, 40, 8, seed=2),
    Shape(1000, 50, 8, seed=3),
]
COMMITTEE = [
    Shape(100, 10, 5, profiles=True, households=True),
    Shape(300, 10, 6, profiles=True, households=True),
    Shape(500, 10, 6, profiles=True, households=True),
    Shape(300, 10, 6),
    # more draws of the household shapes: one seed alone misleads (times differ up to 15×)
    *(Shape(n, 10, 6, profiles=True, households=True, seed=s) for n in (300, 500) for s in (2, 3)),
]
