"""The MILP of valid panels over types (HiGHS): the pricing problem of the column generation,
the feasibility check, and (with elastic targets) the smallest relaxation."""

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cached_property

import highspy
import numpy as np

from opgaveudvalg.selection.model import Instance, PersonType, TypePanel

# --- the panel model -------------------------------------------------------------------------


def quiet_highs() -> highspy.Highs:
    """A HiGHS solver that prints nothing (highspy ships no type hints, hence the ignore)."""
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    return highs


class PanelModel:
    """The MILP of valid panels over types; re-solved with new objective weights."""

    def __init__(self, instance: Instance, types: list[PersonType], elastic: bool = False):
        self.instance = instance
        self.types = types
        self.highs = quiet_highs()
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
        self.calls = 0  # MILP solves and their time, for the benchmark
        self.seconds = 0.0
        self.guided_calls = 0  # the same for `near_relaxation`
        self.guided_seconds = 0.0
        self.relaxed: highspy.Highs | None = None  # the LP relaxation, made when first used

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

    @cached_property
    def any_panel(self) -> TypePanel | None:
        """A valid panel, or None when there is none (solved once)."""
        return self.solve([0.0] * len(self.types))

    def solve(
        self, type_weights: Sequence[float], minimise_slack: bool = False
    ) -> TypePanel | None:
        """The valid panel with the largest total weight, or None when there is none."""
        costs = self._costs(type_weights)
        sense = highspy.ObjSense.kMaximize
        if minimise_slack:
            sense = highspy.ObjSense.kMinimize
            costs[:] = 0
            for column in self.slack.values():
                costs[column] = 1
        self.highs.changeObjectiveSense(sense)
        self.highs.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
        started = time.perf_counter()
        self.highs.run()
        self.calls += 1
        self.seconds += time.perf_counter() - started
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = self.highs.getSolution().col_value
        self.last_values = values
        return self._panel(values)

    def _costs(self, type_weights: Sequence[float]) -> np.ndarray:
        costs = np.zeros(self.highs.getNumCol())
        for column, (index, _profile) in enumerate(self.assignment):
            costs[column] = type_weights[index]
        return costs

    def near_relaxation(
        self, type_weights: Sequence[float], threshold: float
    ) -> tuple[float, list[TypePanel]]:
        """Pricing before the MILP: (the LP relaxation's value, which no valid panel exceeds;
        when that is above `threshold`, the best panels among the assignments the relaxation
        uses). With every other assignment out, the MILP is small and fast, and in most rounds
        it finds an improving panel, so the full MILP is rarely needed (RENS, Berthold 2014)."""
        started = time.perf_counter()
        costs = self._costs(type_weights)
        relaxed = self._relaxation()
        relaxed.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
        relaxed.run()
        found: list[TypePanel] = []
        bound = highspy.kHighsInf
        if relaxed.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            bound = relaxed.getInfo().objective_function_value
            if bound > threshold:
                found = self._best_within(np.array(relaxed.getSolution().col_value), costs)
        self.guided_calls += 1
        self.guided_seconds += time.perf_counter() - started
        return bound, found

    def _relaxation(self) -> highspy.Highs:
        if self.relaxed is None:
            self.relaxed = quiet_highs()
            self.relaxed.passModel(self.highs.getModel())
            count = self.highs.getNumCol()
            self.relaxed.changeColsIntegrality(
                count,
                np.arange(count, dtype=np.int32),
                np.full(count, highspy.HighsVarType.kContinuous),
            )
            self.relaxed.changeObjectiveSense(highspy.ObjSense.kMaximize)
        return self.relaxed

    def _best_within(self, relaxed: np.ndarray, costs: np.ndarray) -> list[TypePanel]:
        """The MILP's panels with the assignments the relaxation leaves at zero shut out."""
        unused = np.flatnonzero(relaxed[: len(self.assignment)] < 1e-9).astype(np.int32)
        upper = np.array([self.types[self.assignment[c][0]].size for c in unused], dtype=float)
        self.highs.changeColsBounds(
            len(unused), unused, np.zeros(len(unused)), np.zeros(len(unused))
        )
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.highs.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
        try:
            self.highs.run()
            if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return []
            return [self._panel(self.highs.getSolution().col_value), *self.improving_panels()]
        finally:
            self.highs.changeColsBounds(len(unused), unused, np.zeros(len(unused)), upper)

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
