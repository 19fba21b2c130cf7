"""Fair selection of a panel: who may sit on it (a MILP) and how likely each applicant is to be
drawn (LEXIMIN, MAXIMIN or a uniform-greedy lottery), solved with HiGHS.

Pure computation: no database, no Prefect. The data types are in `model`, the explanation of
an infeasible instance in `feasibility`, the verifiable draw in `draw`; this module computes the
lottery. LEXIMIN takes the fast path (`leximin.FastLeximin`: the LP relaxation's LEXIMIN written
as a lottery over panels when it is one, else column generation per level) unless `plain=True`
asks for the reference path (`PlainLeximin`).
"""

import random
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from opgaveudvalg.selection.feasibility import (
    Infeasible,
    explain_infeasibility,
)
from opgaveudvalg.selection.model import (
    Distribution,
    Instance,
    Method,
    PersonType,
    TypePanel,
    integer_weights,
    person_types,
)
from opgaveudvalg.selection.panels import PanelModel

if TYPE_CHECKING:
    from opgaveudvalg.selection.leximin import FastLeximin


def distribution(
    instance: Instance, method: Method = Method.leximin, samples: int = 1000, plain: bool = False
) -> Distribution:
    """The panels and their probabilities under `method`. LEXIMIN is exact either way; `plain`
    takes the reference column generation (one MILP per pricing round). MAXIMIN always takes
    the reference path, so stored MAXIMIN runs (not unique above the minimum) re-verify."""
    # the solvers load numba and scipy (0.2 s): only when a lottery is computed, not in every
    # command and flow run that imports this module
    from opgaveudvalg.selection.leximin import PlainLeximin

    started = time.perf_counter()
    types = person_types(instance)
    model = PanelModel(instance, types)
    if model.any_panel is None:
        raise Infeasible(explain_infeasibility(instance))
    stats: dict[str, float] = {}
    if method == Method.uniform:
        panels, weights = _uniform(model, types, samples)
        columns = samples
    elif method == Method.leximin and not plain and (fast := _fast(model, types)) is not None:
        panels, weights = fast.final_distribution()
        columns = len(fast.panels)
        stats = dict(fast.stats)
    else:
        solver = PlainLeximin(model, types)
        solver.run(stop_after_first=method == Method.maximin)
        panels, weights = solver.final_distribution()
        columns = len(solver.panels)
        stats = dict(solver.stats)
    seconds = time.perf_counter() - started
    return Distribution(method, types, panels, weights, seconds, columns, stats)


def _fast(model: PanelModel, types: list[PersonType]) -> "FastLeximin | None":
    """The fast path, or None when its master LP fails numerically (the plain path then)."""
    from opgaveudvalg.selection.leximin import FastLeximin

    try:
        fast = FastLeximin(model, types)
        fast.run()
    except ArithmeticError:
        return None
    return fast


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
    return panels, integer_weights([counted[p] for p in panels])


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
