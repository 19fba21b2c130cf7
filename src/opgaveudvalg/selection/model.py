"""The selection's data: applicants, seats and targets (an `Instance`), interchangeable applicants
grouped into types, panels over types, the lottery's distribution and a drawn panel.

Pure data, no solver. Applicants with the same groups and the same eligible profiles (and no
household partner in the pool) are interchangeable, so the models work over such *types*: a panel
is a count per type and profile. The fair methods give everyone of a type the same probability,
which is what the optimum does anyway (Flanigan et al. 2021).
"""

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

TOLERANCE = 1e-7
PROBABILITY_DIGITS = 12  # stored weights are integers of 10**-12, so draws are exact


class Method(StrEnum):
    leximin = "leximin"
    maximin = "maximin"
    uniform = "uniform"


@dataclass(frozen=True)
class Person:
    id: str
    groups: frozenset[tuple[str, str]]  # (category, group) pairs the person counts towards
    profiles: frozenset[str]  # profiles the person is eligible for
    household: str | None = None


@dataclass(frozen=True)
class Quota:
    category: str
    group: str
    min: int
    max: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.category, self.group)


@dataclass(frozen=True)
class Instance:
    people: tuple[Person, ...]
    seats: dict[str, int]  # profile -> seats, in the mandate's order
    quotas: tuple[Quota, ...]
    fixed: frozenset[str] = frozenset()  # members decided in advance (e.g. re-appointed)
    excluded: frozenset[str] = frozenset()

    @property
    def size(self) -> int:
        return sum(self.seats.values())

    def inputs_hash(self) -> str:
        """A digest of everything the selection depends on, independent of input order."""
        canonical = {
            "people": sorted(
                (p.id, sorted(p.groups), sorted(p.profiles), p.household or "") for p in self.people
            ),
            "seats": sorted(self.seats.items()),
            "quotas": sorted((q.category, q.group, q.min, q.max) for q in self.quotas),
            "fixed": sorted(self.fixed),
            "excluded": sorted(self.excluded),
        }
        return hashlib.sha256(repr(canonical).encode()).hexdigest()


@dataclass(frozen=True)
class PersonType:
    members: tuple[str, ...]  # sorted person IDs
    groups: frozenset[tuple[str, str]]
    profiles: tuple[str, ...]
    household: str | None
    fixed: bool

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class TypePanel:
    """How many of each type sit on each profile: {(type index, profile): count}."""

    seats: tuple[tuple[int, str, int], ...]

    def counts(self, types: int) -> np.ndarray:
        result = np.zeros(types)
        indices, numbers = self.members()
        result[indices] = numbers
        return result

    def members(self) -> tuple[np.ndarray, np.ndarray]:
        """(the types on the panel, ascending; how many of each)."""
        counted: dict[int, int] = {}
        for index, _profile, count in self.seats:
            counted[index] = counted.get(index, 0) + count
        indices = sorted(counted)
        return np.array(indices, dtype=np.int32), np.array([counted[i] for i in indices])


@dataclass
class Distribution:
    method: Method
    types: list[PersonType]
    panels: list[TypePanel]
    weights: list[
        int
    ]  # panel probabilities in units of 10**-PROBABILITY_DIGITS, summing to 10**digits
    seconds: float = 0.0
    columns_generated: int = 0
    stats: dict[str, float] = field(default_factory=dict)  # levels, pricing and LP calls

    def type_probabilities(self) -> np.ndarray:
        total = np.zeros(len(self.types))
        for panel, weight in zip(self.panels, self.weights, strict=True):
            total += panel.counts(len(self.types)) * weight
        sizes = np.array([t.size for t in self.types], dtype=float)
        probabilities: np.ndarray = total / sizes / 10**PROBABILITY_DIGITS
        return probabilities

    def probabilities(self) -> dict[str, float]:
        return {
            member: float(probability)
            for kind, probability in zip(self.types, self.type_probabilities(), strict=True)
            for member in kind.members
        }


@dataclass(frozen=True)
class Seat:
    person: str
    profile: str


@dataclass
class Draw:
    panel_index: int
    seats: list[Seat]
    reserves: dict[str, list[str]] = field(default_factory=dict)  # profile -> ordered IDs


# --- types ---------------------------------------------------------------------------------


def person_types(instance: Instance) -> list[PersonType]:
    """Interchangeable applicants grouped; household partners and fixed members stand alone."""
    household_size: dict[str, int] = defaultdict(int)
    for person in instance.people:
        if person.household and person.id not in instance.excluded:
            household_size[person.household] += 1
    grouped: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for person in sorted(instance.people, key=lambda p: p.id):
        if person.id in instance.excluded:
            continue
        shared = person.household if household_size.get(person.household or "", 0) > 1 else None
        alone = shared is not None or person.id in instance.fixed
        key = (
            person.groups,
            tuple(sorted(person.profiles & instance.seats.keys())),
            shared,
            person.id if alone else None,
        )
        grouped[key].append(person.id)
    return [
        PersonType(tuple(members), key[0], key[1], key[2], key[3] in instance.fixed)  # type: ignore[arg-type]
        for key, members in sorted(grouped.items(), key=lambda item: item[1][0])
    ]


def panel_is_valid(instance: Instance, seats: Sequence[Seat]) -> list[str]:
    """What a concrete panel breaks (empty when it is valid)."""
    by_id = {p.id: p for p in instance.people}
    problems = []
    for profile, count in instance.seats.items():
        filled = [s for s in seats if s.profile == profile]
        if len(filled) != count:
            problems.append(f"profile {profile}: {len(filled)} of {count} seats")
        problems.extend(
            f"{s.person} not eligible for {profile}"
            for s in filled
            if profile not in by_id[s.person].profiles
        )
    for quota in instance.quotas:
        count = sum(1 for s in seats if quota.key in by_id[s.person].groups)
        if not quota.min <= count <= quota.max:
            problems.append(
                f"{quota.category}={quota.group}: {count} not in [{quota.min}, {quota.max}]"
            )
    households = [by_id[s.person].household for s in seats if by_id[s.person].household]
    problems.extend(
        f"household {h} twice" for h in {h for h in households if households.count(h) > 1}
    )
    if len({s.person for s in seats}) != len(seats):
        problems.append("a person holds two seats")
    return problems


def tight_types(free: Sequence[int], duals: np.ndarray) -> list[int]:
    """The free types a LEXIMIN level fixes: those with a positive dual (at the level in every
    optimum), or the one with the largest dual when the LP shows none."""
    return [i for i in free if duals[i] > TOLERANCE] or [max(free, key=lambda i: duals[i])]


def integer_weights(probabilities: Sequence[float]) -> list[int]:
    """Probabilities as integers summing to exactly 10**digits (largest remainder)."""
    scale = 10**PROBABILITY_DIGITS
    total = sum(probabilities)
    raw = [p / total * scale for p in probabilities]
    weights = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (weights[i] - raw[i], i))
    for i in order[: scale - sum(weights)]:
        weights[i] += 1
    return weights
