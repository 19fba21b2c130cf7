"""LEXIMIN by column generation over types (Flanigan et al. 2021)."""

import time

import highspy
import numpy as np

from opgaveudvalg.selection.model import TOLERANCE, PersonType, TypePanel, integer_weights
from opgaveudvalg.selection.panels import PanelModel
from opgaveudvalg.selection.pricing import SwapSearch, panel_value


class PlainLeximin:
    """Column generation on the dual, as in Flanigan et al. (2021), over types: one MILP per
    pricing round, the dual LP rebuilt for each level. The reference the fast path is checked
    against."""

    def __init__(self, model: PanelModel, types: list[PersonType]):
        self.model = model
        self.types = types
        self.sizes = np.array([t.size for t in types], dtype=float)
        self.panels: list[TypePanel] = []
        self.fixed: dict[int, float] = {i: 1.0 for i, t in enumerate(types) if t.fixed}
        self.stats: dict[str, float] = {"levels": 0, "lp": 0, "lp_seconds": 0.0}
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
            self.stats["levels"] += 1
            if stop_after_first:
                break
        self.stats["milp"] = self.model.calls
        self.stats["milp_seconds"] = self.model.seconds

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
            started = time.perf_counter()
            dual.run()
            self.stats["lp"] += 1
            self.stats["lp_seconds"] += time.perf_counter() - started
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
        return final_distribution(self.types, self.panels, self.fixed)


def final_distribution(
    types: list[PersonType], candidates: list[TypePanel], fixed: dict[int, float]
) -> tuple[list[TypePanel], list[int]]:
    """Panel probabilities that give every type its fixed probability (as nearly as the
    floating-point LP allows); unfixed types (after MAXIMIN) get at least the level."""
    sizes = np.array([t.size for t in types], dtype=float)
    level = min((p for i, p in fixed.items() if not types[i].fixed), default=1.0)
    target = np.array([fixed.get(i, level) for i in range(len(types))])
    primal = highspy.Highs()
    primal.setOptionValue("output_flag", False)
    count = len(candidates)
    for _ in range(count):
        primal.addVar(0, 1)
    shortfall = count
    primal.addVar(0, highspy.kHighsInf)
    primal.changeColCost(shortfall, 1.0)
    primal.addRow(1, 1, count, np.arange(count, dtype=np.int32), np.ones(count))
    matrix = np.array([p.counts(len(types)) / sizes for p in candidates])
    for i in range(len(types)):
        indices = [*np.flatnonzero(matrix[:, i]).tolist(), shortfall]
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
    panels = [candidates[j] for j in used]
    order = sorted(range(len(panels)), key=lambda k: panels[k].seats)
    return [panels[k] for k in order], integer_weights([lam[used[k]] for k in order])


class FastLeximin:
    """The same LEXIMIN, faster: one primal master LP kept across all levels (columns are
    reused and every re-solve starts from the last basis), pricing first by local search on the
    dual weights from the panels in the current solution (several columns per round), and the
    MILP only when the search finds nothing, to prove that no improving panel is left."""

    STARTS = 6  # panels of the current solution the local search starts from

    def __init__(self, model: PanelModel, types: list[PersonType]):
        self.model = model
        self.types = types
        self.count = len(types)
        self.sizes = np.array([t.size for t in types], dtype=float)
        self.search = SwapSearch(model.instance, types)
        self.panels: list[TypePanel] = []
        self.known: set[TypePanel] = set()
        self.fixed: dict[int, float] = {i: 1.0 for i, t in enumerate(types) if t.fixed}
        self.stats: dict[str, float] = {
            "levels": 0,
            "lp": 0,
            "lp_seconds": 0.0,
            "heuristic": 0,
            "heuristic_seconds": 0.0,
            "heuristic_found": 0,
        }
        self.lp = highspy.Highs()
        self.lp.setOptionValue("output_flag", False)
        self.lp.setOptionValue("random_seed", 0)
        self.lp.setOptionValue("simplex_strategy", 4)  # primal: new columns keep it feasible
        import os

        for option in os.environ.get("LP_OPTS", "").split():
            name, value = option.split("=")
            self.lp.setOptionValue(name, int(value) if value.isdigit() else value)
        self._build_master()

    # the master: max z  s.t.  sum_P a_iP λ_P - z >= 0 (free i), >= π_i (fixed i), sum λ = 1
    def _build_master(self) -> None:
        inf = highspy.kHighsInf
        lp = self.lp
        lp.changeObjectiveSense(highspy.ObjSense.kMaximize)
        lp.addVar(-inf, inf)  # z, column 0
        lp.changeColCost(0, 1.0)
        for i in range(self.count):
            if i in self.fixed:
                lp.addRow(self.fixed[i], inf, 0, np.array([], dtype=np.int32), np.array([]))
            else:
                lp.addRow(0.0, inf, 1, np.array([0], dtype=np.int32), np.array([-1.0]))
        lp.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))  # row `count`
        start = self.model.solve([0.0] * self.count)
        assert start is not None
        self._add(start)
        self._cover(start)

    def _cover(self, panel: TypePanel) -> None:
        """Cheap first columns: local search towards types no column includes yet."""
        covered = {index for index, _p, _c in panel.seats}
        while True:
            weights = np.array(
                [0.0 if i in covered or i in self.fixed else 1.0 for i in range(self.count)]
            )
            panel = self.search.improve(panel, weights)
            new = {index for index, _p, _c in panel.seats} - covered
            if not new:
                return
            covered |= new
            self._add(panel)

    def _add(self, panel: TypePanel) -> bool:
        if panel in self.known:
            return False
        self.known.add(panel)
        self.panels.append(panel)
        counts = panel.counts(self.count) / self.sizes
        rows = np.flatnonzero(counts)
        self.lp.addCol(
            0.0,
            0.0,
            highspy.kHighsInf,
            len(rows) + 1,
            np.array([*rows.tolist(), self.count], dtype=np.int32),
            np.array([*counts[rows].tolist(), 1.0]),
        )
        return True

    def run(self) -> None:
        while len(self.fixed) < self.count:
            self._fix_next_level()
            self.stats["levels"] += 1
        self.stats["milp"] = self.model.calls
        self.stats["milp_seconds"] = self.model.seconds

    def _solve_master(self) -> tuple[float, np.ndarray, float, np.ndarray]:
        """(z, dual weight per type, value of the best panel, panel probabilities)."""
        started = time.perf_counter()
        self.lp.run()
        self.stats["lp"] += 1
        self.stats["lp_seconds"] += time.perf_counter() - started
        solution = self.lp.getSolution()
        row_dual = np.array(solution.row_dual)
        y = np.maximum(-row_dual[: self.count], 0.0)  # maximisation: >= rows have duals <= 0
        y[list(self.fixed)] = np.maximum(-row_dual[list(self.fixed)], 0.0)
        lam = np.array(solution.col_value[1:])
        z = float(solution.col_value[0])
        return z, y, float(row_dual[self.count]), lam

    def _fix_next_level(self) -> None:
        """Maximise the smallest probability among the free types; fix the tight ones."""
        free = [i for i in range(self.count) if i not in self.fixed]
        while True:
            z, y, nu, lam = self._solve_master()
            weights = y / self.sizes
            if self._heuristic(weights, nu, lam):
                continue
            best = self.model.solve(list(weights))
            assert best is not None
            if panel_value(best, weights) <= nu + TOLERANCE or not self._add(best):
                break
            for panel in self.model.improving_panels():
                if panel_value(panel, weights) > nu + TOLERANCE:
                    self._add(panel)
        tight = [i for i in free if y[i] > TOLERANCE] or [max(free, key=lambda i: y[i])]
        level = max(0.0, min(1.0, z))
        for i in tight:
            self.fixed[i] = level
            self.lp.changeCoeff(i, 0, 0.0)
            self.lp.changeRowBounds(i, level - 1e-9 if level > 1e-9 else 0.0, highspy.kHighsInf)

    def _heuristic(self, weights: np.ndarray, nu: float, lam: np.ndarray) -> bool:
        """Improving panels by swaps from the panels in use; True when any was added."""
        started = time.perf_counter()
        self.stats["heuristic"] += 1
        used = np.argsort(-lam)[: self.STARTS]
        added = False
        for j in used:
            if lam[j] <= 1e-12:
                break
            panel = self.search.improve(self.panels[int(j)], weights)
            if panel_value(panel, weights) > nu + TOLERANCE and self._add(panel):
                added = True
        self.stats["heuristic_seconds"] += time.perf_counter() - started
        if added:
            self.stats["heuristic_found"] += 1
        return added

    def final_distribution(self) -> tuple[list[TypePanel], list[int]]:
        return final_distribution(self.types, self.panels, self.fixed)
