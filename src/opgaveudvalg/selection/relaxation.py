"""The LEXIMIN of the panel model's LP relaxation: the targets the fast path tries first.

Every lottery over valid panels gives probabilities inside the relaxation (the panel MILP with
fractional members), so when the relaxation's LEXIMIN can be written as a lottery over valid
panels, it is the LEXIMIN of the panels too. On diverse pools it usually can be: the targets
and profiles, not integrality, decide who gets how much. The LP has one column per type and
profile and is solved once per level in milliseconds, so the levels cost no column generation.
"""

import highspy
import numpy as np

from opgaveudvalg.selection.model import tight_types
from opgaveudvalg.selection.panels import PanelModel, quiet_highs


def relaxed_leximin(model: PanelModel) -> tuple[np.ndarray, int]:
    """(probability per type, levels): the LEXIMIN over the relaxation of `model`'s MILP."""
    types = model.types
    count = len(types)
    sizes = np.array([kind.size for kind in types], dtype=float)
    lp = quiet_highs()
    # the primal simplex: a level's optimum stays feasible when its tight types are fixed, so
    # the next level goes on from it (3,766 types: 2.2 -> 1.1 s; diverse-1000 0.19 -> 0.11 s;
    # the same probabilities to 1e-10 on every benchmark instance)
    lp.setOptionValue("simplex_strategy", 4)
    relaxed = model.highs.getLp()
    relaxed.integrality_ = []
    lp.passModel(relaxed)
    lp.changeObjectiveSense(highspy.ObjSense.kMaximize)
    columns = lp.getNumCol()
    lp.changeColsCost(columns, np.arange(columns, dtype=np.int32), np.zeros(columns))
    inf = highspy.kHighsInf
    level = columns  # z, the smallest probability of a free type
    lp.addVar(-inf, inf)
    lp.changeColCost(level, 1.0)
    first = lp.getNumRow()  # row first + t: members of type t - size_t * z >= 0
    for index in range(count):
        cells = model.by_type[index]
        lp.addRow(
            0.0,
            inf,
            len(cells) + 1,
            np.array([*cells, level], dtype=np.int32),
            np.array([1.0] * len(cells) + [-sizes[index]]),
        )
    fixed = {index: 1.0 for index, kind in enumerate(types) if kind.fixed}
    for index in fixed:
        _fix(lp, index, first, 1.0, sizes[index])
    levels = 0
    while len(fixed) < count:
        lp.run()
        if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise ArithmeticError("relaxation: " + lp.modelStatusToString(lp.getModelStatus()))
        levels += 1
        z = max(0.0, min(1.0, lp.getInfo().objective_function_value))
        duals = np.abs(np.array(lp.getSolution().row_dual[first : first + count]))
        free = [i for i in range(count) if i not in fixed]
        for index in tight_types(free, duals):
            fixed[index] = z
            _fix(lp, index, first, z, sizes[index])
    return np.array([fixed[i] for i in range(count)]), levels


def _fix(lp: highspy.Highs, index: int, first: int, probability: float, size: float) -> None:
    """Hold type `index` at `probability`: its own row (PanelModel adds row t for type t first)
    fixes its members, its z row goes."""
    lp.changeRowBounds(index, probability * size, probability * size)
    lp.changeRowBounds(first + index, -highspy.kHighsInf, highspy.kHighsInf)
