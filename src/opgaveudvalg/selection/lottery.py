"""Fair selection of a panel: who may sit on it (a MILP) and how likely each applicant is to be
drawn (LEXIMIN, MAXIMIN or a uniform-greedy lottery), solved with HiGHS.

Pure computation: no database, no Prefect. Applicants with the same groups and the same
eligible profiles (and no household partner in the pool) are interchangeable, so the models work
over such *types*: a panel is a count per type and profile. The fair methods give everyone of a
type the same probability, which is what the optimum does anyway (Flanigan et al. 2021).
"""

import hashlib
import math
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
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
        for index, _profile, count in self.seats:
            result[index] += count
        return result


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

    def type_probabilities(self) -> np.ndarray:
        total = np.zeros(len(self.types))
        for panel, weight in zip(self.panels, self.weights, strict=True):
            total += panel.counts(len(self.types)) * weight
        sizes = np.array([t.size for t in self.types], dtype=float)
        return total / sizes / 10**PROBABILITY_DIGITS

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


class Infeasible(Exception):
    """No panel meets the seats, targets and household rule; `relaxation` says what would."""

    def __init__(self, relaxation: "Relaxation"):
        super().__init__(relaxation)
        self.relaxation = relaxation


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


# --- the panel model -------------------------------------------------------------------------


class PanelModel:
    """The MILP of valid panels over types; re-solved with new objective weights."""

    def __init__(self, instance: Instance, types: list[PersonType], elastic: bool = False):
        self.instance = instance
        self.types = types
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        self.highs.setOptionValue("random_seed", 0)
        self.highs.setOptionValue("mip_improving_solution_save", True)
        self.assignment: list[tuple[int, str]] = [
            (index, profile) for index, kind in enumerate(types) for profile in kind.profiles
        ]
        self.by_type: dict[int, list[int]] = defaultdict(list)
        for column, (index, _profile) in enumerate(self.assignment):
            self.by_type[index].append(column)
        self._add_columns()
        # elastic variables for explaining infeasibility: (quota index, 'min'|'max') -> column
        self.slack: dict[tuple[int, str], int] = {}
        self._add_rows(elastic)

    def _add_columns(self) -> None:
        for index, _profile in self.assignment:
            self.highs.addVar(0, self.types[index].size)
        count = len(self.assignment)
        if count:
            self.highs.changeColsIntegrality(
                count,
                np.arange(count, dtype=np.int32),
                np.full(count, highspy.HighsVarType.kInteger),
            )

    def _row(
        self,
        columns: Sequence[int],
        low: float,
        high: float,
        slack: Iterable[tuple[int, float]] = (),
    ) -> None:
        extra = list(slack)
        indices = [*columns, *(c for c, _ in extra)]
        values = [1.0] * len(columns) + [v for _, v in extra]
        self.highs.addRow(
            low, high, len(indices), np.array(indices, dtype=np.int32), np.array(values)
        )

    def _type_columns(self, selector: Iterable[int]) -> list[int]:
        return [column for index in selector for column in self.by_type[index]]

    def _add_rows(self, elastic: bool) -> None:
        inf = highspy.kHighsInf
        for index, kind in enumerate(self.types):
            self._row(self.by_type[index], 1 if kind.fixed else 0, kind.size)
        for profile, seats in self.instance.seats.items():
            columns = [c for c, (_, p) in enumerate(self.assignment) if p == profile]
            self._row(columns, seats, seats)
        for number, quota in enumerate(self.instance.quotas):
            columns = self._type_columns(
                i for i, kind in enumerate(self.types) if quota.key in kind.groups
            )
            if not elastic:
                self._row(columns, quota.min, quota.max)
                continue
            below = self._slack_column(number, "min")
            above = self._slack_column(number, "max")
            self._row(columns, quota.min, inf, [(below, 1.0)])
            self._row(columns, -inf, quota.max, [(above, -1.0)])
        households: dict[str, list[int]] = defaultdict(list)
        for index, kind in enumerate(self.types):
            if kind.household:
                households[kind.household].append(index)
        for members in households.values():
            self._row(self._type_columns(members), 0, 1)

    def _slack_column(self, quota: int, side: str) -> int:
        column = self.highs.getNumCol()
        self.highs.addVar(0, highspy.kHighsInf)
        self.highs.changeColIntegrality(column, highspy.HighsVarType.kInteger)
        self.slack[(quota, side)] = column
        return column

    def solve(
        self, type_weights: Sequence[float], minimise_slack: bool = False
    ) -> TypePanel | None:
        """The valid panel with the largest total weight, or None when there is none."""
        costs = np.zeros(self.highs.getNumCol())
        for column, (index, _profile) in enumerate(self.assignment):
            costs[column] = type_weights[index]
        sense = highspy.ObjSense.kMaximize
        if minimise_slack:
            sense = highspy.ObjSense.kMinimize
            costs[:] = 0
            for column in self.slack.values():
                costs[column] = 1
        self.highs.changeObjectiveSense(sense)
        self.highs.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = self.highs.getSolution().col_value
        self.last_values = values
        return self._panel(values)

    def _panel(self, values: Sequence[float]) -> TypePanel:
        return TypePanel(
            tuple(
                (index, profile, round(values[column]))
                for column, (index, profile) in enumerate(self.assignment)
                if round(values[column]) > 0
            )
        )

    def improving_panels(self) -> list[TypePanel]:
        """The panels the last solve found on its way to the optimum (column generation can
        use all of them, not just the best)."""
        return [self._panel(saved.col_value) for saved in self.highs.getSavedMipSolutions()]

    def solve_bounded(self, lower: Sequence[int]) -> TypePanel | None:
        """Any valid panel with at least `lower[t]` members of each type t."""
        count = len(self.types)
        rows = np.arange(count, dtype=np.int32)
        upper = np.array([kind.size for kind in self.types], dtype=float)
        self.highs.changeRowsBounds(count, rows, np.array(lower, dtype=float), upper)  # type: ignore[attr-defined]
        try:
            return self.solve([0.0] * count)
        finally:
            default = np.array([1.0 if kind.fixed else 0.0 for kind in self.types])
            self.highs.changeRowsBounds(count, rows, default, upper)  # type: ignore[attr-defined]


def find_panel(instance: Instance) -> TypePanel:
    """Any valid panel; raises Infeasible with the smallest relaxation when there is none."""
    types = person_types(instance)
    panel = PanelModel(instance, types).solve([0.0] * len(types))
    if panel is None:
        raise Infeasible(explain_infeasibility(instance))
    return panel


# --- explaining infeasibility -----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    quota: Quota
    side: str  # "min" or "max"
    new: int


@dataclass
class Relaxation:
    short_profiles: list[tuple[str, int, int]]  # (profile, seats, eligible applicants)
    conflicting: list[Quota]  # a smallest set of targets that cannot all hold together
    changes: list[Change]  # the least total change of targets that makes a panel possible


def explain_infeasibility(instance: Instance) -> Relaxation:
    types = person_types(instance)
    short = _short_profiles(instance, types)
    if short:
        return Relaxation(short, [], [])
    model = PanelModel(instance, types, elastic=True)
    if model.solve([0.0] * len(types), minimise_slack=True) is None:
        return Relaxation(_all_short(instance, types), [], [])
    values = model.last_values
    changes = []
    for (number, side), column in sorted(model.slack.items()):
        amount = round(values[column])
        if amount:
            quota = instance.quotas[number]
            new = quota.min - amount if side == "min" else quota.max + amount
            changes.append(Change(quota, side, new))
    return Relaxation([], _conflicting_targets(instance), changes)


def _short_profiles(instance: Instance, types: list[PersonType]) -> list[tuple[str, int, int]]:
    short = []
    for profile, seats in instance.seats.items():
        eligible = sum(kind.size for kind in types if profile in kind.profiles)
        if eligible < seats:
            short.append((profile, seats, eligible))
    return short


def _all_short(instance: Instance, types: list[PersonType]) -> list[tuple[str, int, int]]:
    """Seats can't be filled even without targets: report every profile with its pool."""
    return [
        (profile, seats, sum(k.size for k in types if profile in k.profiles))
        for profile, seats in instance.seats.items()
    ]


def _feasible(instance: Instance, quotas: Sequence[Quota]) -> bool:
    trial = Instance(
        instance.people, instance.seats, tuple(quotas), instance.fixed, instance.excluded
    )
    types = person_types(trial)
    return PanelModel(trial, types).solve([0.0] * len(types)) is not None


def _conflicting_targets(instance: Instance) -> list[Quota]:
    """Deletion filter: drop each target that is not needed for the conflict."""
    kept = list(instance.quotas)
    for quota in list(instance.quotas):
        trial = [q for q in kept if q != quota]
        if not _feasible(instance, trial):
            kept = trial
    return kept


# --- the fair lottery ------------------------------------------------------------------------


def distribution(
    instance: Instance, method: Method = Method.leximin, samples: int = 1000
) -> Distribution:
    """The panels and their probabilities under `method`."""
    started = time.perf_counter()
    types = person_types(instance)
    model = PanelModel(instance, types)
    if model.solve([0.0] * len(types)) is None:
        raise Infeasible(explain_infeasibility(instance))
    if method == Method.uniform:
        panels, weights = _uniform(model, types, samples)
        columns = samples
    else:
        solver = _Leximin(model, types)
        solver.run(stop_after_first=method == Method.maximin)
        panels, weights = solver.final_distribution()
        columns = len(solver.panels)
    seconds = time.perf_counter() - started
    return Distribution(method, types, panels, weights, seconds, columns)


def _integer_weights(probabilities: Sequence[float]) -> list[int]:
    """Probabilities as integers summing to exactly 10**digits (largest remainder)."""
    scale = 10**PROBABILITY_DIGITS
    total = sum(probabilities)
    raw = [p / total * scale for p in probabilities]
    weights = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (weights[i] - raw[i], i))
    for i in order[: scale - sum(weights)]:
        weights[i] += 1
    return weights


def _uniform(
    model: PanelModel, types: list[PersonType], samples: int
) -> tuple[list[TypePanel], list[int]]:
    """Uniform-greedy: in a uniformly random order, take each applicant who still leaves a valid
    panel possible. Probabilities are the frequencies over `samples` draws."""
    rng = random.Random(0)
    owner = [index for index, kind in enumerate(types) for _member in kind.members]
    counted: dict[TypePanel, int] = defaultdict(int)
    for _ in range(samples):
        counted[_greedy_panel(model, types, rng.sample(owner, len(owner)))] += 1
    panels = sorted(counted, key=lambda p: p.seats)
    return panels, _integer_weights([counted[p] for p in panels])


def _greedy_panel(model: PanelModel, types: list[PersonType], order: list[int]) -> TypePanel:
    lower = [1 if kind.fixed else 0 for kind in types]
    blocked: set[int] = set()
    for index in order:
        if sum(lower) == model.instance.size:
            break
        if index in blocked or lower[index] >= types[index].size:
            continue
        lower[index] += 1
        if model.solve_bounded(lower) is None:
            lower[index] -= 1
            blocked.add(index)
    panel = model.solve_bounded(lower)
    assert panel is not None
    return panel


class _Leximin:
    """Column generation on the dual, as in Flanigan et al. (2021), over types."""

    def __init__(self, model: PanelModel, types: list[PersonType]):
        self.model = model
        self.types = types
        self.sizes = np.array([t.size for t in types], dtype=float)
        self.panels: list[TypePanel] = []
        self.fixed: dict[int, float] = {i: 1.0 for i, t in enumerate(types) if t.fixed}
        self._initial_panels()

    def _add(self, panel: TypePanel) -> bool:
        if panel in self.panels:
            return False
        self.panels.append(panel)
        return True

    def _initial_panels(self) -> None:
        """Panels that between them include every type that can be on a panel at all."""
        uncovered = set(range(len(self.types))) - set(self.fixed)
        while uncovered:
            weights = [1.0 if i in uncovered else 0.0 for i in range(len(self.types))]
            panel = self.model.solve(weights)
            assert panel is not None
            covered = {index for index, _p, _c in panel.seats} & uncovered
            if not covered:
                for index in uncovered:  # can never be selected
                    self.fixed[index] = 0.0
                break
            uncovered -= covered
            self._add(panel)

    def run(self, stop_after_first: bool) -> None:
        while len(self.fixed) < len(self.types):
            self._fix_next_level()
            if stop_after_first:
                break

    def _fix_next_level(self) -> None:
        """Maximise the smallest probability among the types not fixed yet; fix the tight ones."""
        dual = highspy.Highs()
        dual.setOptionValue("output_flag", False)
        free = [i for i in range(len(self.types)) if i not in self.fixed]
        for i in range(len(self.types)):
            dual.addVar(0, highspy.kHighsInf)
            dual.changeColCost(i, -self.fixed.get(i, 0.0))
        cap = len(self.types)
        dual.addVar(-highspy.kHighsInf, highspy.kHighsInf)
        dual.changeColCost(cap, 1.0)
        dual.addRow(1, 1, len(free), np.array(free, dtype=np.int32), np.ones(len(free)))
        for panel in self.panels:
            self._add_panel_row(dual, panel, cap)
        while True:
            dual.run()
            solution = dual.getSolution().col_value
            y = np.maximum(np.array(solution[:cap]), 0.0)
            best = self.model.solve(list(y / self.sizes))
            assert best is not None
            value = float(best.counts(len(self.types)) @ (y / self.sizes))
            if value <= solution[cap] + TOLERANCE or not self._add(best):
                level = dual.getInfo().objective_function_value
                break
            self._add_panel_row(dual, best, cap)
            for panel in self.model.improving_panels():
                worth = float(panel.counts(len(self.types)) @ (y / self.sizes))
                if worth > solution[cap] + TOLERANCE and self._add(panel):
                    self._add_panel_row(dual, panel, cap)
        tight = [i for i in free if y[i] > TOLERANCE] or [max(free, key=lambda i: y[i])]
        for i in tight:
            self.fixed[i] = max(0.0, min(1.0, level))

    def _add_panel_row(self, dual: highspy.Highs, panel: TypePanel, cap: int) -> None:
        counts = panel.counts(len(self.types)) / self.sizes
        indices = [i for i in range(len(self.types)) if counts[i]] + [cap]
        values = [counts[i] for i in indices[:-1]] + [-1.0]
        dual.addRow(
            -highspy.kHighsInf, 0, len(indices), np.array(indices, dtype=np.int32), np.array(values)
        )

    def final_distribution(self) -> tuple[list[TypePanel], list[int]]:
        """Panel probabilities that give every type its fixed probability (as nearly as the
        floating-point LP allows); unfixed types (after MAXIMIN) get at least the level."""
        level = min((p for i, p in self.fixed.items() if not self.types[i].fixed), default=1.0)
        target = np.array([self.fixed.get(i, level) for i in range(len(self.types))])
        primal = highspy.Highs()
        primal.setOptionValue("output_flag", False)
        count = len(self.panels)
        for _ in range(count):
            primal.addVar(0, 1)
        shortfall = count
        primal.addVar(0, highspy.kHighsInf)
        primal.changeColCost(shortfall, 1.0)
        primal.addRow(1, 1, count, np.arange(count, dtype=np.int32), np.ones(count))
        matrix = np.array([p.counts(len(self.types)) / self.sizes for p in self.panels])
        for i in range(len(self.types)):
            indices = [j for j in range(count) if matrix[j, i]] + [shortfall]
            values = [matrix[j, i] for j in indices[:-1]] + [1.0]
            primal.addRow(
                target[i],
                highspy.kHighsInf,
                len(indices),
                np.array(indices, dtype=np.int32),
                np.array(values),
            )
        primal.run()
        lam = np.maximum(np.array(primal.getSolution().col_value[:count]), 0.0)
        used = [j for j in range(count) if lam[j] > 1e-10]
        panels = [self.panels[j] for j in used]
        order = sorted(range(len(panels)), key=lambda k: panels[k].seats)
        return [panels[k] for k in order], _integer_weights([lam[used[k]] for k in order])


# --- the verifiable draw ---------------------------------------------------------------------


def _digest(seed: str, label: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}|{label}".encode()).digest(), "big")


def lottery_order(seed: str, ids: Iterable[str]) -> list[str]:
    """IDs in the order of SHA-256(seed|id): anyone can recompute it, in any language."""
    return sorted(ids, key=lambda person: (_digest(seed, person), person))


def draw(result: Distribution, seed: str, people: Sequence[Person]) -> Draw:
    """Pick a panel with its stored probability, then its members within each type, and order
    the rest as reserves — all from SHA-256 of the public seed, so the draw can be re-done."""
    ticket = _digest(seed, "panel") % sum(result.weights)
    index = 0
    while ticket >= result.weights[index]:
        ticket -= result.weights[index]
        index += 1
    panel = result.panels[index]
    seats: list[Seat] = []
    for type_index, kind in enumerate(result.types):
        order = lottery_order(seed, kind.members)
        for _i, profile, count in (s for s in panel.seats if s[0] == type_index):
            seats.extend(Seat(person, profile) for person in order[:count])
            order = order[count:]
    chosen = {seat.person for seat in seats}
    return Draw(index, seats, reserves(seed, people, chosen, result))


def reserves(
    seed: str, people: Sequence[Person], chosen: set[str], result: Distribution
) -> dict[str, list[str]]:
    """Per profile, the eligible applicants not chosen, in lottery order."""
    pool = {member for kind in result.types for member in kind.members} - chosen
    ordered = lottery_order(seed, pool)
    by_id = {p.id: p for p in people}
    profiles = {profile for kind in result.types for profile in kind.profiles}
    return {
        profile: [i for i in ordered if profile in by_id[i].profiles]
        for profile in sorted(profiles)
    }


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
