"""Fast heuristic pricing for the column generation: local search on the dual weights.

Given a weight per type, look for a valid panel heavier than a threshold by improving a known
panel one swap at a time (one member out, another applicant of a heavier type in, on the same
profile seat), keeping every target, profile and household rule. It finds improving panels in
milliseconds; it cannot prove that none exists, which is left to the MILP (`PanelModel.solve`).
"""

from collections import Counter

import numpy as np

from opgaveudvalg.selection.ascent import ascend
from opgaveudvalg.selection.model import Instance, PersonType, TypePanel


class SwapSearch:
    """The valid-panel rules as arrays, for checking every one-for-one swap at once."""

    def __init__(self, instance: Instance, types: list[PersonType]):
        self.types = types
        self.profiles = list(instance.seats)
        profile_index = {p: j for j, p in enumerate(self.profiles)}
        quota_index = {q.key: j for j, q in enumerate(instance.quotas)}
        count = len(types)
        self.member_of = np.zeros((count, len(instance.quotas)), dtype=np.int64)  # 0/1
        self.eligible = np.zeros((count, len(self.profiles)), dtype=bool)
        for index, kind in enumerate(types):
            for key in kind.groups:
                if key in quota_index:
                    self.member_of[index, quota_index[key]] = 1
            for profile in kind.profiles:
                self.eligible[index, profile_index[profile]] = True
        self.low = np.array([q.min for q in instance.quotas], dtype=np.int64)
        self.high = np.array([q.max for q in instance.quotas], dtype=np.int64)
        self.size = np.array([kind.size for kind in types], dtype=np.int64)
        households = sorted({kind.household for kind in types if kind.household})
        house = {h: j for j, h in enumerate(households)}
        self.households = len(households)  # the household of a type without one
        self.household = np.array(
            [house.get(kind.household or "", self.households) for kind in types], dtype=np.int64
        )
        self.fixed = np.array([kind.fixed for kind in types], dtype=bool)
        self.profile_index = profile_index

    def seats_of(self, panel: TypePanel) -> tuple[np.ndarray, np.ndarray]:
        """The panel as (type, profile index) per seat."""
        counts = [count for _index, _profile, count in panel.seats]
        members = np.repeat([index for index, _profile, _count in panel.seats], counts)
        places = [self.profile_index[profile] for _index, profile, _count in panel.seats]
        return members.astype(np.int64), np.repeat(places, counts).astype(np.int64)

    def panel_of(self, members: np.ndarray, places: np.ndarray) -> TypePanel:
        counted = Counter(zip(members.tolist(), places.tolist(), strict=True))
        return TypePanel(
            tuple((index, self.profiles[place], n) for (index, place), n in sorted(counted.items()))
        )

    def improve(self, panel: TypePanel, weights: np.ndarray, steps: int = 1000) -> TypePanel:
        """Ascent over one-for-one swaps from `panel` (`ascent.ascend`); the panel it reaches."""
        members, places = self.seats_of(panel)
        ascend(
            np.asarray(weights, dtype=float),
            members,
            places,
            self.member_of,
            self.low,
            self.high,
            self.size,
            self.household,
            self.households,
            self.eligible,
            self.fixed,
            steps,
        )
        return self.panel_of(members, places)


def panel_value(panel: TypePanel, weights: np.ndarray) -> float:
    return float(sum(weights[index] * count for index, _profile, count in panel.seats))
