"""How close a lottery over given panels comes to target probabilities: the master LP of the
fast path's decomposition (`FastLeximin._decompose`), by a primal-dual interior point method.

    max θ  subject to  Σ_P λ_P a_iP ≥ θ g_i for every type i,  Σ_P λ_P = 1,  λ ≥ 0

where a_iP is type i's share of its members on panel P. It has a row per type and several
panels per type. HiGHS's interior point method (IPX) solves its linear systems iteratively and
took 7.2 s on 961 types and 6,572 panels, its simplex 46 s, PDLP 1.2 s but 15 s on a master
that falls short. Here the normal equations, a dense matrix of a row per type, are factorised
by LAPACK: 1.1 s (see bench/README.md). When rounding errors stop the method short of the
optimum, `reach` says so and the caller solves the LP by HiGHS.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
import scipy.linalg
import scipy.sparse

ITERATIONS = 60  # it converges in 15-25 (up to 2,000 types)
STALLED = 4  # iterations without getting twice as close before it gives up
FEASIBLE = 1e-9  # largest residual of a row or a dual constraint at the optimum
GAP = 1e-9  # relative gap between the objectives at the optimum
NEARLY = 10  # when rounding errors stop it short: the tolerances times this will do (HiGHS's)
STEP = 0.99  # share of the step to the boundary taken
CORRECTORS = 4  # Gondzio's: without them the method stalled on some masters that fall short
REGULARISE = 1e-12


@dataclass
class Reach:
    """The optimum of the LP above and its dual."""

    theta: float
    lottery: np.ndarray  # λ, a probability per panel
    weights: np.ndarray  # the dual weight per type (y)
    best: float  # ν, the largest total weight of a panel at those weights


def reach(
    shares: scipy.sparse.csc_matrix, goal: np.ndarray, short_of: float | None = None
) -> Reach | None:
    """The LP above for `shares` (a_iP: a row per type, a column per panel), or None when the
    method does not converge (numerical trouble: the caller solves it another way).

    With `short_of`, it stops as soon as its dual proves θ < short_of: then `theta` is that
    bound, and the rest only an approximation (a caller that will add panels needs no more).
    A master that falls short took twice the iterations of one that does not, and could stall
    short of the tolerances (seed 2 of Shape(3000, 40, 8) with 4 herded panels per type:
    proven at iteration 12, stalled at 23; HiGHS then took 5.4 s)."""
    types, panels = shares.shape
    # as min Σ μ subject to Σ_P μ_P a_iP - surplus_i = g_i, μ, surplus >= 0, with μ = λ/θ: no
    # column or row touches every type, so the normal equations stay well conditioned (θ's
    # column did not: the method stalled whenever θ < 1)
    matrix = scipy.sparse.hstack([shares, -scipy.sparse.identity(types)], format="csc")
    proven = None if short_of is None else (lambda y: _most(shares, goal, y) < short_of)
    solution = _InteriorPoint(matrix, goal, np.append(np.ones(panels), np.zeros(types))).solve(
        proven
    )
    if solution is None:
        return None
    x, y = solution
    theta = 1.0 / x[:panels].sum()
    if short_of is not None and (bound := _most(shares, goal, y)) < short_of:
        theta = bound  # stopped once proven short
    return Reach(
        theta=theta,
        lottery=np.maximum(x[:panels], 0.0) * theta,
        weights=np.maximum(y, 0.0) * theta,
        best=theta,
    )


def _most(shares: scipy.sparse.csc_matrix, goal: np.ndarray, y: np.ndarray) -> float:
    """An upper bound on θ from any dual weights y: y⁺ scaled down until no panel is heavier
    than 1 is feasible for the dual of min Σ μ, max g·y subject to Σ_i a_iP y_i <= 1, y >= 0,
    so Σ μ >= g·y⁺ / (the heaviest panel at y⁺), and θ = 1 / Σ μ."""
    weights = np.maximum(y, 0.0)
    total = goal @ weights
    return float((shares.T @ weights).max() / total) if total > 0 else np.inf


class _InteriorPoint:
    """min c·x subject to Ax = b, x >= 0, with its dual Aᵀy + z = c, z >= 0: Mehrotra's
    predictor-corrector (1992) from his starting point, with Gondzio's centrality correctors
    (1996), the normal equations A·diag(x/z)·Aᵀ factorised dense (a row per type: LAPACK beats
    sparse factorisations at this size)."""

    def __init__(self, matrix: scipy.sparse.csc_matrix, b: np.ndarray, c: np.ndarray):
        matrix.sort_indices()
        self.matrix, self.transposed, self.b, self.c = matrix, matrix.T.tocsc(), b, c
        # A's rows, each entry holding where it sits in A's columns (`_upper_product`)
        places = np.arange(matrix.nnz)
        self.places = scipy.sparse.csc_matrix((places, matrix.indices, matrix.indptr)).tocsr()
        self.places.sort_indices()
        self.normal = np.zeros((len(b), len(b)))

    def solve(
        self, enough: Callable[[np.ndarray], bool] | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(x, y) at the optimum, or earlier once `enough(y)`; None when neither is reached."""
        best: tuple[float, np.ndarray, np.ndarray] = (np.inf, self.c, self.b)
        stalled = 0
        try:
            x, y, z = self._start()
            for _ in range(ITERATIONS):
                primal = self.b - self.matrix @ x
                dual = self.c - self.transposed @ y - z
                distance = self._distance(x, y, primal, dual)
                if distance < 1 or (enough is not None and enough(y)):
                    return x, y
                # near the optimum rounding errors can win: then it stops getting closer
                stalled = 0 if distance < 0.5 * best[0] else stalled + 1
                best = min(best, (distance, x, y), key=lambda point: point[0])
                if stalled == STALLED:
                    break
                x, y, z = self._step(x, y, z, primal, dual)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            pass
        distance, x, y = best
        return (x, y) if distance < NEARLY else None

    def _start(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        solve = self._normal_solver(np.ones(len(self.c)))
        x = self.transposed @ solve(self.b)
        y = solve(self.matrix @ self.c)
        z = self.c - self.transposed @ y
        x += max(-1.5 * x.min(), 0.0)
        z += max(-1.5 * z.min(), 0.0)
        product = x @ z
        return x + 0.5 * product / z.sum(), y, z + 0.5 * product / x.sum()

    def _distance(
        self, x: np.ndarray, y: np.ndarray, primal: np.ndarray, dual: np.ndarray
    ) -> float:
        """How far from optimal, in tolerances: below 1 is optimal."""
        gap = abs(self.c @ x - self.b @ y) / (1 + abs(self.c @ x))
        return float(max(np.abs(primal).max() / FEASIBLE, np.abs(dual).max() / FEASIBLE, gap / GAP))

    def _step(
        self, x: np.ndarray, y: np.ndarray, z: np.ndarray, primal: np.ndarray, dual: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scale = x / z
        solve = self._normal_solver(scale)

        def direction(
            complement: np.ndarray, primal: np.ndarray, dual: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            right = primal - self.matrix @ ((complement - x * dual) / z)
            dy = solve(right)
            # one step of iterative refinement: the factor is of a regularised, rounded matrix,
            # and without it the residuals stalled at 1e-8 (961 types)
            again = right - self.matrix @ (scale * (self.transposed @ dy))
            dy += solve(again)
            dz = dual - self.transposed @ dy
            return (complement - x * dz) / z, dy, dz

        dx, dy, dz = direction(-x * z, primal, dual)  # the affine-scaling predictor
        mu = x @ z / len(x)
        predicted = (x + _room(x, dx) * dx) @ (z + _room(z, dz) * dz) / len(x)
        target = (predicted / mu) ** 3 * mu
        dx, dy, dz = direction(-x * z + target - dx * dz, primal, dual)
        zero = np.zeros_like(primal), np.zeros_like(dual)
        for _ in range(CORRECTORS):  # Gondzio's centrality correctors
            shortest = min(_room(x, dx), _room(z, dz))
            longer = min(1.0, 1.5 * shortest + 0.1)
            products = (x + longer * dx) * (z + longer * dz)
            wanted = np.clip(products, 0.1 * target, 10 * target) - products
            cx, cy, cz = direction(np.maximum(wanted, -10 * target), *zero)
            if min(_room(x, dx + cx), _room(z, dz + cz)) < 1.01 * shortest:
                break
            dx, dy, dz = dx + cx, dy + cy, dz + cz
        primal_step, dual_step = STEP * _room(x, dx), STEP * _room(z, dz)
        return x + primal_step * dx, y + dual_step * dy, z + dual_step * dz

    def _normal_solver(self, scale: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        """Solving A·diag(scale)·Aᵀ v = r, regularised by a hair to stay positive definite."""
        normal = self.normal  # reused: a fresh array per iteration cost more than the product
        columns, rows = self.matrix, self.places
        _upper_product(columns.indptr, columns.indices, columns.data, rows.indptr, rows.indices,
                       rows.data, scale, normal)  # fmt: skip
        normal[np.diag_indices_from(normal)] += REGULARISE * max(1.0, normal.diagonal().max())
        # the upper triangle in rows is the lower one in columns: factorised in place by LAPACK,
        # where `cho_factor` first copied the matrix into column order (3,836 types: 250 ms a
        # factorisation with the copy, 136 ms without)
        factor, failed = scipy.linalg.lapack.dpotrf(normal.T, lower=1, overwrite_a=1, clean=0)
        if failed:
            raise np.linalg.LinAlgError(f"the normal matrix is not positive definite ({failed})")
        return lambda right: scipy.linalg.lapack.dpotrs(factor, right, lower=1)[0]


@numba.njit(cache=True)
def _upper_product(
    starts: np.ndarray,
    rows: np.ndarray,
    values: np.ndarray,
    row_starts: np.ndarray,
    row_columns: np.ndarray,
    places: np.ndarray,
    scale: np.ndarray,
    out: np.ndarray,
) -> None:
    """The upper triangle of A·diag(scale)·Aᵀ into `out`, a row at a time: A in compressed
    columns with sorted rows (`starts`, `rows`, `values`), its rows' columns (`row_starts`,
    `row_columns`) and where each of those entries sits among the columns' (`places`). Only
    the upper triangle is read by the Cholesky factorisation. Row by row, each row's sums stay
    in cache: adding each panel's products wherever they fell took 3 times as long on 3,766
    types (and scipy's sparse product 4 times as long as that on diverse-2000)."""
    for row in range(len(row_starts) - 1):
        sums = out[row]
        sums[row:] = 0.0
        for entry in range(row_starts[row], row_starts[row + 1]):
            column, place = row_columns[entry], places[entry]
            weighted = scale[column] * values[place]
            for other in range(place, starts[column + 1]):
                sums[rows[other]] += weighted * values[other]


def _room(values: np.ndarray, step: np.ndarray) -> float:
    """The longest step (at most 1) along `step` that keeps `values` non-negative."""
    falling = step < 0
    if not falling.any():
        return 1.0
    return float(min(1.0, (-values[falling] / step[falling]).min()))
