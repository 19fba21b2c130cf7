"""How close a lottery over given panels comes to target probabilities: the fast path's first
master LP, by a primal-dual interior point method on the normal equations (Mehrotra 1992).

    max θ  subject to  Σ_P λ_P a_iP ≥ θ g_i for every type i,  Σ_P λ_P = 1,  λ ≥ 0

where a_iP is type i's share of its members on panel P. The LP has a row per type and a column
per panel, and there are several panels per type. HiGHS's interior point method (IPX) solves
its linear systems iteratively and took 7.4 s on 961 types and 6,572 panels. The normal
equations here are one dense matrix of a row per type, factorised by LAPACK, so the same LP takes
1.9 s (see bench/README.md). HiGHS then crosses the solution over to a basis when more
column generation follows (`FastLeximin`).
"""

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse

ITERATIONS = 100
FEASIBLE = 1e-9
GAP = 1e-10
STEP = 0.99  # share of the step to the boundary taken


@dataclass
class Reach:
    """The optimum of the LP above and its dual."""

    theta: float
    lottery: np.ndarray  # λ, a probability per panel
    weights: np.ndarray  # the dual weight per type (y)
    best: float  # ν, the largest total weight of a panel at those weights
    surplus: np.ndarray  # Σ_P λ_P a_iP - θ g_i per type


def reach(shares: scipy.sparse.csc_matrix, goal: np.ndarray) -> Reach | None:
    """The LP above for `shares` (a_iP: a row per type, a column per panel), or None when the
    method does not converge (numerical trouble: the caller solves it another way)."""
    types, panels = shares.shape
    # standard form min c·x, A x = b, x >= 0 over x = (λ, θ, surplus per type)
    b = np.zeros(types + 1)
    b[types] = 1.0
    c = np.zeros(panels + 1 + types)
    c[panels] = -1.0
    method = _InteriorPoint(_constraints(shares, -goal[:, None]), b, c, dense=panels)
    solution = method.solve()
    if solution is None:
        return None
    x, y = solution
    return Reach(
        theta=float(x[panels]),
        lottery=np.maximum(x[:panels], 0.0),
        weights=np.maximum(y[:types], 0.0),
        best=float(-y[types]),
        surplus=np.maximum(x[panels + 1 :], 0.0),
    )


def _constraints(shares: scipy.sparse.csc_matrix, theta: np.ndarray) -> scipy.sparse.csc_matrix:
    """A: a row per type (its share on the panels, `theta`, minus its surplus), then Σ λ."""
    types, panels = shares.shape
    return scipy.sparse.vstack(
        [
            scipy.sparse.hstack([shares, theta, -scipy.sparse.identity(types)], format="csc"),
            scipy.sparse.hstack(
                [np.ones((1, panels)), scipy.sparse.csc_matrix((1, 1 + types))], format="csc"
            ),
        ],
        format="csc",
    )


class _InteriorPoint:
    """min c·x subject to Ax = b, x >= 0, with its dual Aᵀy + z = c, z >= 0: Mehrotra's
    predictor-corrector from his starting point, the normal equations A·diag(x/z)·Aᵀ factorised
    dense (a row per type: LAPACK beats sparse factorisations at this size)."""

    def __init__(self, matrix: scipy.sparse.csc_matrix, b: np.ndarray, c: np.ndarray, dense: int):
        self.matrix, self.transposed, self.b, self.c = matrix, matrix.T.tocsc(), b, c
        # column `dense` (θ) has an entry in every row: its part of the normal equations is an
        # outer product; through the sparse product it cost as much as all other columns
        self.column = matrix[:, [dense]].toarray().ravel()
        self.dense = dense
        self.sparse = matrix.copy()  # A without that column
        self.sparse.data[matrix.indptr[dense] : matrix.indptr[dense + 1]] = 0.0
        self.sparse.eliminate_zeros()

    def solve(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(x, y) at the optimum, or None when it is not reached."""
        try:
            x, y, z = self._start()
            for _ in range(ITERATIONS):
                primal = self.b - self.matrix @ x
                dual = self.c - self.transposed @ y - z
                if self._optimal(x, y, primal, dual):
                    return x, y
                x, y, z = self._step(x, y, z, primal, dual)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            return None
        return None

    def _start(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        factor = self._factor(np.ones(len(self.c)))
        x = self.transposed @ scipy.linalg.cho_solve(factor, self.b)
        y = scipy.linalg.cho_solve(factor, self.matrix @ self.c)
        z = self.c - self.transposed @ y
        x += max(-1.5 * x.min(), 0.0)
        z += max(-1.5 * z.min(), 0.0)
        product = x @ z
        return x + 0.5 * product / z.sum(), y, z + 0.5 * product / x.sum()

    def _optimal(self, x: np.ndarray, y: np.ndarray, primal: np.ndarray, dual: np.ndarray) -> bool:
        gap = abs(self.c @ x - self.b @ y)
        return bool(
            np.abs(primal).max() < FEASIBLE
            and np.abs(dual).max() < FEASIBLE
            and gap < GAP * (1 + abs(self.c @ x))
        )

    def _step(
        self, x: np.ndarray, y: np.ndarray, z: np.ndarray, primal: np.ndarray, dual: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scale = x / z
        factor = self._factor(scale)

        def direction(complement: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            right = primal - self.matrix @ ((complement - x * dual) / z)
            dy = scipy.linalg.cho_solve(factor, right)
            # one step of iterative refinement: the factor is of a regularised, rounded matrix,
            # and without it the residuals stalled at 1e-8 (961 types)
            again = right - self.matrix @ (scale * (self.transposed @ dy))
            dy += scipy.linalg.cho_solve(factor, again)
            dz = dual - self.transposed @ dy
            return (complement - x * dz) / z, dy, dz

        dx, dy, dz = direction(-x * z)  # the affine-scaling predictor
        mu = x @ z / len(x)
        predicted = (x + _room(x, dx) * dx) @ (z + _room(z, dz) * dz) / len(x)
        dx, dy, dz = direction(-x * z + (predicted / mu) ** 3 * mu - dx * dz)
        primal_step, dual_step = STEP * _room(x, dx), STEP * _room(z, dz)
        return x + primal_step * dx, y + dual_step * dy, z + dual_step * dz

    def _factor(self, scale: np.ndarray) -> tuple[np.ndarray, bool]:
        """Cholesky of A·diag(scale)·Aᵀ, regularised by a hair to stay positive definite."""
        root = self.sparse @ scipy.sparse.diags(np.sqrt(scale))
        normal = (root @ root.T).toarray()
        normal += scale[self.dense] * np.outer(self.column, self.column)
        normal[np.diag_indices_from(normal)] += 1e-12 * max(1.0, normal.diagonal().max())
        return scipy.linalg.cho_factor(normal, check_finite=False)  # type: ignore[no-any-return]


def _room(values: np.ndarray, step: np.ndarray) -> float:
    """The longest step (at most 1) along `step` that keeps `values` non-negative."""
    falling = step < 0
    if not falling.any():
        return 1.0
    return float(min(1.0, (-values[falling] / step[falling]).min()))
