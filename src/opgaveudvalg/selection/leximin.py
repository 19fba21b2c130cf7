"""LEXIMIN by column generation over types (Flanigan et al. 2021)."""

import time

import highspy
import numpy as np
import scipy.sparse

from opgaveudvalg.selection.entropy import spread
from opgaveudvalg.selection.interior import reach
from opgaveudvalg.selection.model import (
    TOLERANCE,
    PersonType,
    TypePanel,
    integer_weights,
    tight_types,
)
from opgaveudvalg.selection.panels import PanelModel, quiet_highs
from opgaveudvalg.selection.pricing import BOUND, Herding, SwapSearch, panel_value
from opgaveudvalg.selection.relaxation import relaxed_leximin

UNLIMITED = 2**31 - 1


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
        panels, never = covering_panels(self.model, set(range(len(self.types))) - set(self.fixed))
        for panel in panels:
            self._add(panel)
        for index in never:  # can never be selected
            self.fixed[index] = 0.0

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
        dual = quiet_highs()
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
        tight = tight_types(free, y)
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


def covering_panels(model: PanelModel, wanted: set[int]) -> tuple[list[TypePanel], set[int]]:
    """MILP panels that between them include every type in `wanted` that can be on a panel,
    and the types that cannot."""
    panels = []
    while wanted:
        panel = model.solve([1.0 if i in wanted else 0.0 for i in range(len(model.types))])
        assert panel is not None
        reached = {index for index, _p, _c in panel.seats} & wanted
        if not reached:
            break
        wanted = wanted - reached
        panels.append(panel)
    return panels, wanted


def final_distribution(
    types: list[PersonType], candidates: list[TypePanel], fixed: dict[int, float]
) -> tuple[list[TypePanel], list[int]]:
    """Panel probabilities that give every type its fixed probability (as nearly as the
    floating-point LP allows); unfixed types (after MAXIMIN) get at least the level."""
    sizes = np.array([t.size for t in types], dtype=float)
    level = min((p for i, p in fixed.items() if not types[i].fixed), default=1.0)
    target = np.array([fixed.get(i, level) for i in range(len(types))])
    primal = quiet_highs()
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
    return lottery_of([candidates[j] for j in used], [lam[j] for j in used])


def lottery_of(
    panels: list[TypePanel], probabilities: list[float]
) -> tuple[list[TypePanel], list[int]]:
    """The panels in a fixed order with their probabilities as integer weights."""
    order = sorted(range(len(panels)), key=lambda k: panels[k].seats)
    return [panels[k] for k in order], integer_weights([probabilities[k] for k in order])


class FastLeximin:
    """The same LEXIMIN, faster. First the LEXIMIN of the LP relaxation (`relaxation`), which
    is the answer whenever some lottery over valid panels reaches it: one column generation
    finds that lottery, with no level to prove; panels walked towards it by local search first
    (herding) mostly make the first master (solved by `interior.reach`) reach it, and while it
    falls short, or has too few panels with the counts the target pins (`_few_exact`), the walk
    goes on before any pricing round. Otherwise
    level by level as in the plain path. Either way: panels reused across levels,
    pricing by local search on the dual weights from the panels in use (several panels per
    round), then by the MILP restricted to what its LP relaxation uses, and the full MILP only
    when both find nothing and the relaxation does not rule out a better panel."""

    AGE = 5  # pricing rounds a panel stays in the master without probability
    ALPHA = 0.5  # weight of the in-point when pricing
    # panels per type walked towards the relaxation's target before the first master, at most;
    # the walk grows while the master falls short (`_herd_more`), and proving it short is
    # cheap (`reach`'s `short_of`): 96 draws of 94-984 types 47 s with 7, 42 s with 4, 44 s
    # with 3; 16 of 873-2,691 types 58 s with 7, 44 s with 4, 41 s with 3 (see bench/README.md)
    HERD = 4
    HERD_TYPES = 50  # a herded panel per type for every 50 types (2 at least)
    RECENT = 50  # herded panels a herded panel may start from
    # herded panels per type, at most, as the walk grows (`_herd_more`; seed 3 of Shape(1000,
    # 50, 8): 7 per type left the first master at θ = 0.9967 and the column generation took 140
    # rounds, 160 s; with 28 the master reaches the target, 7.4 s)
    HERD_MOST = 28
    # distinct panels per type with the target's pinned counts (`_few_exact`) below which the
    # master is not solved but the walk grows: on 124 draws of 94-4,132 types, the first
    # masters of the 30 with fewer (0.35-1.73 per type) all fell short, 88 of the 94 others
    # reached the target (see bench/README.md)
    EXACT = 1.75
    # types above which every round of the decomposition is solved by `interior.reach`; below,
    # only the first (a round after it: diverse-200 0.02-0.06 s by `reach`, about 0.005 s by
    # the warm dual simplex; diverse-1000 1.3-2 s by `reach`, 5.7 s by the dual simplex; the
    # second round of households-500 seed 3: 0.1 s by `reach`, 0.4 s by HiGHS from cold)
    INTERIOR_TYPES = 200
    STALL = 5_000  # simplex iterations of one master solve before it is taken as stalled
    NOISE = 0.2  # relative spread of the perturbed weights the swap search also tries

    def __init__(self, model: PanelModel, types: list[PersonType]):
        self.model = model
        self.types = types
        self.count = len(types)
        self.sizes = np.array([t.size for t in types], dtype=float)
        self.search = SwapSearch(model.instance, types)
        # a start costs swap-search time every round and saves master rounds, which cost more
        # the more types there are: small pools do better with fewer (fixture_22 0.30 -> 0.25 s,
        # diverse-200 0.49 -> 0.33 s with 10-15), large ones with more (before herding:
        # diverse-1000 258 s with 30, 157 s with 120; one per 4 types cost more than it saved)
        self.starts = max(10, self.count // 8)
        # small pools and small panels need fewer herded panels to reach the target, and their
        # master rounds are cheap: fixture_22 (122 types) 0.47 s with 6 per type, 0.20 s with 2;
        # households-500 (10 seats) 1.4 s with 6, 1.0 s with 4 (diverse-500, 30 seats: 9 master
        # rounds with 4, one with 6, before the walk could grow and a short master was cheap)
        seats = model.instance.size
        self.herd = min(self.HERD, max(2, self.count // self.HERD_TYPES), 2 + seats // 5)
        self.walk: Herding | None = None  # the herding walk, while it may go on (`_herd_more`)
        # the quota groups whose expected count at the target is a bound, and that count; the
        # types the target gives probability 0 or 1, and that probability
        self.pinned: tuple[np.ndarray, np.ndarray] = (np.zeros(0, dtype=int), np.zeros(0))
        self.settled: tuple[np.ndarray, np.ndarray] = (np.zeros(0, dtype=int), np.zeros(0))
        self.noise = np.random.default_rng(0)  # seeded: the same instance, the same panels
        self.panels: list[TypePanel] = []
        self.known: dict[TypePanel, int] = {}  # panel -> index in self.panels
        # per panel: the types on it and each one's share of its members (a_iP), made once
        self.shares: list[tuple[np.ndarray, np.ndarray]] = []
        self.rows: list[int] = []  # the panels in the master, in row order (after row 0)
        self.in_master: set[int] = set()
        self.last_used: list[int] = []  # the last round each panel had a probability
        self.round = 0
        self.fixed: dict[int, float] = {i: 1.0 for i, t in enumerate(types) if t.fixed}
        self.stats: dict[str, float] = {
            "levels": 0,
            "lp": 0,
            "lp_seconds": 0.0,
            "lp_iterations": 0,
            "spread": 0,  # masters settled by `entropy.spread`
            "heuristic": 0,
            "heuristic_seconds": 0.0,
            "heuristic_found": 0,
        }
        self.lp: highspy.Highs | None = None
        self.share = np.zeros(self.count)  # the master's Σ share·y = 1 (`_new_master`)
        self.interior = False  # whether the master is solved by `reach` (see `_decompose`)
        self.cold = True  # the master has no basis yet
        self.lottery = np.zeros(0)  # the panel probabilities of the last master
        start = self.model.any_panel
        assert start is not None
        self._add(start)

    # The master in dual form, as in the plain path: min ν - Σ_fixed π_i y_i subject to
    # Σ_free y_i = 1 and, per panel P, Σ_i a_iP y_i <= ν. Panels are rows, so a new panel is a cut
    # and the dual simplex goes on from the last basis; its row duals are the panel probabilities.
    def _new_master(self, share: np.ndarray, penalty: np.ndarray, interior: bool) -> None:
        """The master with every panel used lately: min ν - penalty·y subject to share·y = 1
        and one row per panel (rebuilt per level: a changed objective warm-starts badly); solved
        by `reach` if `interior` (penalty 0), else by HiGHS."""
        lp = quiet_highs()
        lp.setOptionValue("random_seed", 0)
        # perturbed costs must be cleaned up by the primal simplex after the last solve, which
        # stalled on this degenerate LP (diverse-500: 5,000 iterations, then IPM, 2.1 s)
        lp.setOptionValue("dual_simplex_cost_perturbation_multiplier", 0.0)
        inf = highspy.kHighsInf
        lp.addVars(self.count + 1, np.zeros(self.count + 1), np.full(self.count + 1, inf))
        lp.changeColBounds(self.count, -inf, inf)  # ν
        costs = np.append(-penalty, 1.0)
        lp.changeColsCost(self.count + 1, np.arange(self.count + 1, dtype=np.int32), costs)
        weighted = np.flatnonzero(share)
        lp.addRow(1.0, 1.0, len(weighted), weighted.astype(np.int32), share[weighted])
        self.lp = lp
        self.share, self.interior = share, interior
        self.cold = True
        self.rows = []
        self.in_master = set()
        for j in range(len(self.panels)):
            if not self._aged(j):
                self._add_row(j)

    def _aged(self, j: int) -> bool:
        return self.round - self.last_used[j] > self.AGE

    def _prune(self) -> None:
        """Drop the rows of panels unused for a while that do not bind, so the basis stays
        valid and the next solve goes on from it (a rebuilt master starts cold: on diverse-500
        its solves cost 1,500-4,500 simplex iterations each, over a quarter of the LP time)."""
        assert self.lp is not None
        status = self.lp.getBasis().row_status
        drop = [
            r
            for r, j in enumerate(self.rows)
            if self._aged(j) and status[r + 1] == highspy.HighsBasisStatus.kBasic
        ]
        if not drop:
            return
        self.lp.deleteRows(len(drop), np.array(drop, dtype=np.int32) + 1)
        gone = set(drop)
        self.in_master -= {self.rows[r] for r in drop}
        self.rows = [j for r, j in enumerate(self.rows) if r not in gone]

    def _add(self, panel: TypePanel) -> bool:
        """Put a panel into the master; False when it is there already."""
        j = self.known.get(panel)
        if j is None:
            j = self.known[panel] = len(self.panels)
            self.panels.append(panel)
            self.last_used.append(self.round)
            types, numbers = panel.members()
            self.shares.append((types, numbers / self.sizes[types]))
        elif j in self.in_master:
            return False
        self.last_used[j] = self.round
        if self.lp is not None:
            self._add_row(j)
        return True

    def _add_row(self, j: int) -> None:
        assert self.lp is not None
        self.rows.append(j)
        self.in_master.add(j)
        types, shares = self.shares[j]
        self.lp.addRow(
            -highspy.kHighsInf,
            0.0,
            len(types) + 1,
            np.append(types, np.int32(self.count)),
            np.append(shares, -1.0),
        )

    def run(self) -> None:
        if not self._decompose():
            while len(self.fixed) < self.count:
                self._fix_next_level()
                self.stats["levels"] += 1
        self.stats["milp"] = self.model.calls
        self.stats["milp_seconds"] = self.model.seconds
        self.stats["guided"] = self.model.guided_calls
        self.stats["guided_seconds"] = self.model.guided_seconds

    def _solve_master(
        self,
        stop: float,
        shares: scipy.sparse.csc_matrix | None,
        exact: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray, float, np.ndarray]:
        """(level z, dual weight per type, value ν of the best panel, panel probabilities) of
        the master (`shares`, `_shares`: needed when `reach` solves it); given its `exact`
        panels, by `_spread` where that settles it."""
        assert self.lp is not None
        started = time.perf_counter()
        solved = None if shares is None or exact is None else self._spread(shares, exact)
        if solved is not None and solved[0] < stop - TOLERANCE and self._growth() <= 0:
            solved = None  # proven short, and the pricing that follows needs the LP's dual
        self.stats["spread"] += solved is not None
        if solved is None and self.interior:
            assert shares is not None
            # when more herded panels will follow a short master, proving it short is enough
            short_of = stop - TOLERANCE if self._growth() > 0 else None
            found = reach(shares, self.share, short_of)
            if found is not None:
                solved = found.theta, found.weights, found.best, found.lottery
                # more rounds follow: on small masters HiGHS's warm dual simplex is faster
                self.interior = found.theta >= stop - TOLERANCE or self.count > self.INTERIOR_TYPES
        if solved is None:
            self.interior = False  # numerical trouble (or a HiGHS round): HiGHS from here on
            solved = self._solve_by_highs(stop)
        z, y, nu, probabilities = solved
        self.stats["lp"] += 1
        self.stats["lp_seconds"] += time.perf_counter() - started
        lam = np.zeros(len(self.panels))
        lam[self.rows] = probabilities
        self.round += 1
        self.lottery = lam
        for j in np.flatnonzero(lam > 1e-12):
            self.last_used[j] = self.round
        return z, y, nu, lam

    def _spread(
        self, shares: scipy.sparse.csc_matrix, exact: np.ndarray
    ) -> tuple[float, np.ndarray, float, np.ndarray] | None:
        """The master settled by its lottery of most entropy over its exact panels (`_exact`,
        `entropy.spread`; only those can be in a lottery that reaches the target, and with the
        others the dual's minimum lies at infinity): (z, no dual weights, z, the panel
        probabilities in row order), z the lottery's level or a bound that proves it short;
        None when it settled neither."""
        exact = np.flatnonzero(exact)
        spread_out = spread(shares[:, exact], self.share, self.sizes)
        if spread_out is None:
            return None
        z, lottery = spread_out
        probabilities = np.zeros(len(self.rows))
        probabilities[exact] = lottery
        return z, np.zeros(self.count), z, probabilities

    def _solve_by_highs(self, stop: float) -> tuple[float, np.ndarray, float, np.ndarray]:
        """The master by HiGHS: (z, y, ν, the panel probabilities in row order)."""
        assert self.lp is not None
        if self.cold:
            # no basis to go on from: IPM and crossover are faster than the dual simplex from
            # scratch (households-500: 0.42 -> 0.33 s)
            self._run("ipm", UNLIMITED)
            self.cold = False
        else:
            self._run("simplex", self.STALL)
            if self.lp.getModelStatus() == highspy.HighsModelStatus.kIterationLimit:
                # HiGHS's dual simplex can stall on this degenerate LP: solve it afresh by IPM
                self.stats["lp_restarts"] = self.stats.get("lp_restarts", 0) + 1
                self.lp.clearSolver()
                self._run("ipm", UNLIMITED)
        if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise ArithmeticError(
                f"master LP: {self.lp.modelStatusToString(self.lp.getModelStatus())}"
            )
        self.stats["lp_iterations"] += self.lp.getInfo().simplex_iteration_count
        solution = self.lp.getSolution()
        values = np.array(solution.col_value)
        z = float(self.lp.getInfo().objective_function_value)
        y = np.maximum(values[: self.count], 0.0)
        return z, y, float(values[self.count]), np.abs(np.array(solution.row_dual[1:]))

    def _shares(self) -> scipy.sparse.csc_matrix:
        """The master's panels as columns of each type's share of its members, in row order."""
        columns = [self.shares[j] for j in self.rows]
        starts = np.cumsum([0] + [len(types) for types, _ in columns])
        return scipy.sparse.csc_matrix(
            (
                np.concatenate([shares for _, shares in columns]),
                np.concatenate([types for types, _ in columns]),
                starts,
            ),
            shape=(self.count, len(self.rows)),
        )

    def _run(self, solver: str, iterations: int) -> None:
        assert self.lp is not None
        self.lp.setOptionValue("solver", solver)
        self.lp.setOptionValue("simplex_iteration_limit", iterations)
        self.lp.run()

    def _decompose(self) -> bool:
        """Write the relaxation's LEXIMIN as a lottery over valid panels, if it is one.

        The master maximises θ with every type at θ times its target; θ = 1 is reached with
        panels alone, so no MILP has to prove anything. When the MILP proves θ < 1, the targets
        are out of reach and the levels are solved one by one (the panels found are kept).
        This master has several rows per type; `interior.reach` solves it in a sixth of the
        time of HiGHS's interior point method on diverse-1000 (1.1 s). It solves the first round,
        and on more than INTERIOR_TYPES types every round."""
        unfixed = np.array([i not in self.fixed for i in range(self.count)])
        if not unfixed.any():
            return True
        target, levels = relaxed_leximin(self.model)
        goal = np.where(unfixed, target, 0.0)
        self._pin(target, unfixed)
        self._herd(goal)
        z, _y = self._price(goal, np.zeros(self.count), stop=1.0, interior=True)
        assert self.walk is not None  # made by `_herd`
        self.stats["herded"], self.walk = self.walk.done, None
        self.stats["relaxation"] = float(z >= 1.0 - TOLERANCE)
        if not self.stats["relaxation"]:
            return False
        self.fixed.update({int(i): float(target[i]) for i in np.flatnonzero(unfixed)})
        self.stats["levels"] = levels
        return True

    def _pin(self, target: np.ndarray, unfixed: np.ndarray) -> None:
        """What every panel of a lottery reaching `target` has: the counts it pins (an expected
        count at a quota's bound), and none or all of the applicants of each free type whose
        probability is 0 or 1."""
        self.pinned = self.search.pinned(target)
        settled = np.flatnonzero(unfixed & ((target < BOUND) | (target > 1 - BOUND)))
        self.settled = settled, np.rint(target[settled])

    def _herd(self, goal: np.ndarray) -> None:
        """Panels whose running mean walks towards the probabilities `goal` (herding: each panel
        the swap search's best at the shortfall so far). The master over them mostly reaches
        the goal in its first solve, where column generation from the LP's duals needed 13-60
        rounds (diverse-500: 14 rounds, 5.2 s -> 1 solve, 2.7 s; see bench/README.md)."""
        included = np.zeros(self.count, dtype=bool)
        self.walk = Herding(self.search, self.panels[0], goal, self.RECENT)
        for panel in self.walk.more(self.herd * self.count):
            self._add(panel)
            included[self.shares[self.known[panel]][0]] = True  # its types, counted in `_add`
        # swaps cannot reach every type (one of a household, on a scarce profile): the MILP can
        missing = set(np.flatnonzero((goal > 0) & ~included).tolist())
        for found in covering_panels(self.model, missing)[0]:
            self._add(found)

    def _herd_more(self) -> bool:
        """Make the herding walk half as long again, up to HERD_MOST panels per type, its new
        panels swapped to the pinned counts; False when there is no walk or it may not grow.

        The master falls short when the target puts a quota group's expected count at a bound:
        then every panel of the lottery must have exactly that count, which single swaps rarely
        keep. Pricing rounds found such panels a few at a time (θ rose by about 1e-5 a round
        from 0.997), and a walk of single swaps had too few of them even at HERD_MOST (500
        applicants, 40 seats: 592 of 13,888 panels, then 312 pricing rounds, 62 s). Swapped to
        those counts (`ascent._repair`), most new panels have them: that draw in 2.4 s. A
        repaired panel costs up to 3 times as much to walk (3,766 types: 560 against 200 μs),
        so the walk grows by half, not twice as before (31 draws that grow 137 -> 126 s; see
        bench/README.md)."""
        more = self._growth()
        if more <= 0:
            return False
        assert self.walk is not None
        for panel in self.walk.more(more, self.pinned):
            self._add(panel)
        return True

    def _few_exact(self, exact: np.ndarray) -> bool:
        """Whether the master has fewer than EXACT panels per type with what every panel of a
        lottery reaching the target has (`exact`, `_exact`), where the target pins some count."""
        return bool(self.pinned[0].size) and exact.sum() < self.EXACT * self.count

    def _exact(self, shares: scipy.sparse.csc_matrix) -> np.ndarray:
        """Per panel of the master (`shares`, `_shares`): whether it has every count the target
        pins, and none or all of the applicants of each type it gives probability 0 or 1."""
        groups, counts = self.pinned
        pinned = self.search.group_counts(shares)[groups]
        types, probabilities = self.settled
        settled = shares[types].toarray()
        return np.asarray(
            np.all(np.abs(pinned - counts[:, None]) < 0.5, axis=0)
            & np.all(np.abs(settled - probabilities[:, None]) < BOUND, axis=0)
        )

    def _growth(self) -> int:
        """The panels `_herd_more` would add next (0: none)."""
        if self.walk is None:
            return 0
        return min(self.walk.done // 2, self.HERD_MOST * self.count - self.walk.done)

    def _fix_next_level(self) -> None:
        """Maximise the smallest probability among the free types; fix the tight ones."""
        free = [i for i in range(self.count) if i not in self.fixed]
        share = np.zeros(self.count)
        share[free] = 1.0
        penalty = np.array([self.fixed.get(i, 0.0) for i in range(self.count)])
        z, y = self._price(share, penalty, stop=np.inf)
        tight = tight_types(free, y)
        level = max(0.0, min(1.0, z))
        for i in tight:
            self.fixed[i] = level

    def _price(
        self, share: np.ndarray, penalty: np.ndarray, stop: float, interior: bool = False
    ) -> tuple[float, np.ndarray]:
        """Column generation on the master until its value reaches `stop` or the MILP proves
        that no panel improves it: (the master's value, its dual weight per type).

        Stabilised by in-out separation: pricing looks at a point between the LP's dual (out)
        and the best dual known to be feasible for all panels (in), which damps the LP's jumps
        from one extreme dual to the next. The proof is made at the LP's own dual."""
        self._new_master(share, penalty, interior)
        inside: tuple[np.ndarray, float] | None = None  # (y, ν) feasible for every panel
        mispriced = False
        priced = False  # whether pricing rounds have begun
        while True:
            if not self.interior and len(self.rows) > 2 * self.count + 100:
                self._prune()  # HiGHS's simplex slows down with many rows; `reach` much less
            # the decomposition's master (a finite stop) has a target its lottery may reach;
            # once pricing rounds add a few panels each, their masters mostly fall short
            settle = np.isfinite(stop) and not priced
            # the share matrix, for the exact panels and `reach` (HiGHS keeps its own rows)
            shares = self._shares() if settle or self.interior else None
            exact = self._exact(shares) if shares is not None and settle else None
            if exact is not None and self._growth() > 0 and self._few_exact(exact):
                self._herd_more()  # the master would fall short: not solved
                continue
            z, y, nu, lam = self._solve_master(stop, shares, exact)
            if z >= stop - TOLERANCE:
                return z, y
            if self._herd_more():  # more herded panels: cheaper than rounds of pricing
                continue
            priced = True
            point, bound = y, nu
            if (
                not mispriced
                and inside is not None
                and inside[1] - float(penalty @ inside[0]) > z + 10 * TOLERANCE
            ):
                point = self.ALPHA * inside[0] + (1 - self.ALPHA) * y
                bound = self.ALPHA * inside[1] + (1 - self.ALPHA) * nu
            weights = point / self.sizes
            # at a point between, the LP's own dual is searched too: its panels move the LP when
            # those of the point between barely do (diverse-500 with households, seed 1: 474
            # master rounds became 63; see bench/README.md)
            targets = [(weights, bound)] + ([(y / self.sizes, nu)] if point is not y else [])
            if self._heuristic(targets, lam):
                mispriced = False
                continue
            relaxed, found = self.model.near_relaxation(list(weights), bound + TOLERANCE)
            if self._add_heavier(found, weights, bound):
                mispriced = False
                continue
            if relaxed > bound + TOLERANCE:  # the relaxation leaves room: the MILP decides
                best = self.model.solve(list(weights))
                assert best is not None
                value = panel_value(best, weights)
                objective = value - float(penalty @ point)  # an upper bound on the master's
                if point is not y or inside is None or objective < inside[1] - penalty @ inside[0]:
                    inside = (point, value)
                if self._add_heavier([best, *self.model.improving_panels()], weights, bound):
                    mispriced = False
                    continue
            if point is y:
                return z, y
            mispriced = True  # the point between was feasible: check the LP's own dual next

    def _add_heavier(self, panels: list[TypePanel], weights: np.ndarray, bound: float) -> bool:
        """Put the panels heavier than `bound` into the master; True when any was new."""
        added = [p for p in panels if panel_value(p, weights) > bound + TOLERANCE and self._add(p)]
        return bool(added)

    def _heuristic(self, targets: list[tuple[np.ndarray, float]], lam: np.ndarray) -> bool:
        """Panels heavier than the bound at any of the (weights, bound) targets, by swaps from
        the panels in use; True when any was added. The last target is searched again at
        randomly perturbed weights: the starts reach other local optima, and the master
        needs far fewer rounds (diverse-500: 132 became 59; see bench/README.md)."""
        started = time.perf_counter()
        self.stats["heuristic"] += 1
        used = [int(j) for j in np.argsort(-lam)[: self.starts] if lam[j] > 1e-12]
        weights, bound = targets[-1]
        noise = 1 + self.NOISE * self.noise.standard_normal(self.count)
        searches = [(w, w, b) for w, b in targets] + [(weights * noise, weights, bound)]
        added = False
        for searched, judged, threshold in searches:
            improved = [self.search.improve(self.panels[j], searched) for j in used]
            added = self._add_heavier(improved, judged, threshold) or added
        self.stats["heuristic_seconds"] += time.perf_counter() - started
        if added:
            self.stats["heuristic_found"] += 1
        return added

    def final_distribution(self) -> tuple[list[TypePanel], list[int]]:
        if self.stats.get("relaxation") != 1.0:
            return final_distribution(self.types, self.panels, self.fixed)
        # the last master reached every target: its panel probabilities are the lottery
        support = np.flatnonzero(self.lottery > 1e-12)
        return lottery_of([self.panels[j] for j in support], self.lottery[support].tolist())
