"""The lottery of the decomposition's master (`FastLeximin._decompose`) without solving its LP:
among the lotteries over the given panels that give every type exactly its goal, the one of
most entropy, from its dual

    min_y  log Σ_P exp(a_P·y) - g·y,   with λ_P proportional to exp(a_P·y)

(a_iP: type i's share of its members on panel P; g: the goal; the I-projection of the uniform
lottery, Csiszár 1975). Its gradient is Σ_P λ_P a_P - g, so at its minimum the lottery gives
exactly the goal. Newton's method solves it with conjugate gradients: a product with the
Hessian is two sparse products, where the interior point method (`interior.reach`) factorises
a dense matrix of a row per type at every step (3,836 types and 15,345 panels: 0.17 s against
4.7 s; see bench/README.md).

When the goal is out of reach the minimum lies at infinity, and on the way the dual proves
the goal out of reach (see `spread`): enough for a caller that will add panels. One that
prices needs the LP's dual, from `interior.reach`.
"""

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
import scipy.special

ITERATIONS = 40  # Newton steps: 5-8 on masters that reach the goal, up to 25 to prove one short
# Once the shortfall is below NEAR it must fall tenfold in every STALLED steps. Where it does
# not, some of the panels can have no probability in a lottery that reaches the goal, for a
# reason the pinned counts do not show: the dual's minimum lies at infinity, Newton's method
# closes in slowly if at all, and the interior point method is faster (300 applicants at 30
# seats: 10⁻⁶ short after 40 steps, 0.31 s, where `reach` took 0.02 s).
NEAR = 1e-2
STALLED = 3
ENOUGH = 1e-9  # relative shortfall of a type accepted (what `interior.reach` achieves)
CG_TOLERANCE = 1e-3  # of a Newton step's conjugate gradients (an inexact Newton method)
CG_STEPS = 200
SLOPE = 1e-4  # Armijo's: the decrease a step must make, as a share of the predicted one
ROUNDING = 1e-13  # relative change in the dual's value too small to tell from rounding
FLOOR = 1e-10  # the Hessian's diagonal is kept above this share of its largest entry


def spread(
    shares: scipy.sparse.csc_matrix, goal: np.ndarray, sizes: np.ndarray
) -> tuple[float, np.ndarray] | None:
    """(θ, λ): a lottery over the columns of `shares` (a row per type, whose applicants number
    `sizes`) that gives every type at least θ ≥ 1 - ENOUGH times its goal. Or, once the dual
    proves that no lottery over them gives more than θ < 1 - ENOUGH times the goal: that bound
    and the lottery so far. None when Newton's method does neither.

    The proof: every panel has as many members as the goal asks for, so the dual's y shifted
    by a multiple of the sizes until it is non-negative weighs every panel's members as y
    does, give or take the same amount, and no panel may then be lighter than the goal (as
    in `interior.reach`). On masters short by 10⁻⁵-10⁻³ it was proven after 4-25 steps."""
    if not shares.shape[1]:
        return None
    rows = goal > 0  # a type without a goal (a fixed one) asks nothing of the lottery
    matrix = shares[rows].tocsc()
    transposed = matrix.T.tocsr()
    squares = matrix.multiply(matrix).tocsc()
    goal, sizes = goal[rows], sizes[rows]
    members = transposed @ sizes
    y = np.zeros(goal.size)
    shortfalls: list[float] = []
    for _ in range(ITERATIONS):
        exponents = transposed @ y
        lottery = scipy.special.softmax(exponents)
        reached = matrix @ lottery
        theta = float((reached / goal).min())
        if theta >= 1 - ENOUGH:
            return theta, lottery
        shift = max(0.0, float((-y / sizes).max()))
        weight = goal @ y + shift * (goal @ sizes)
        if weight > 0 and (bound := (exponents + shift * members).max() / weight) < 1 - ENOUGH:
            return float(bound), lottery
        shortfalls.append(1 - theta)
        if NEAR > shortfalls[-1] > 0.1 * shortfalls[max(0, len(shortfalls) - 1 - STALLED)]:
            return None
        step = _newton_step(matrix, transposed, squares, lottery, reached, reached - goal)
        if step is None:
            return None
        moved = _line_search(transposed, goal, y, step, (reached - goal) @ step)
        if moved is None:
            return None
        y = moved
    return None


def _newton_step(
    matrix: scipy.sparse.csc_matrix,
    transposed: scipy.sparse.csr_matrix,
    squares: scipy.sparse.csc_matrix,
    lottery: np.ndarray,
    reached: np.ndarray,
    gradient: np.ndarray,
) -> np.ndarray | None:
    """The Newton step: the Hessian, Σ_P λ_P a_P a_Pᵀ - (Σ_P λ_P a_P)(…)ᵀ, is singular (every
    panel's members weigh the same, and so do those of each pinned quota group), so it is
    regularised by a hair; preconditioned by its diagonal. None when it is 0."""
    diagonal = squares @ lottery - reached**2
    if diagonal.max() <= 0:
        return None  # the panels all give the same: no lottery over them gives anything else
    floor = FLOOR * diagonal.max()
    diagonal = np.maximum(diagonal, floor)

    def hessian(vector: np.ndarray) -> np.ndarray:
        product = matrix @ (lottery * (transposed @ vector))
        return np.asarray(product - reached * (reached @ vector) + floor * vector)

    shape = (gradient.size, gradient.size)
    step, _ = scipy.sparse.linalg.cg(
        scipy.sparse.linalg.LinearOperator(shape, matvec=hessian),
        -gradient,
        rtol=CG_TOLERANCE,
        maxiter=CG_STEPS,
        M=scipy.sparse.linalg.LinearOperator(shape, matvec=lambda r: r / diagonal),
    )
    return np.asarray(step)


def _line_search(
    transposed: scipy.sparse.csr_matrix,
    goal: np.ndarray,
    y: np.ndarray,
    step: np.ndarray,
    slope: float,
) -> np.ndarray | None:
    """y moved along `step` far enough to lower the dual's value (Armijo's backtracking);
    None when no step of at least 2⁻³⁰ does."""

    def value(point: np.ndarray) -> float:
        return float(scipy.special.logsumexp(transposed @ point) - goal @ point)

    now = value(y)
    length = 1.0
    while length > 2.0**-30:
        moved = y + length * step
        if value(moved) <= now + SLOPE * length * slope + ROUNDING * abs(now):
            return moved
        length /= 2
    return None
