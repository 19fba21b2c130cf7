"""Fast heuristic pricing for the column generation: local search on the dual weights.

Given a weight per type, look for a valid panel heavier than a threshold by improving a known
panel one swap at a time (one member out, another applicant of a heavier type in, on the same
profile seat), keeping every target, profile and household rule (compiled: `ascent`). It finds
improving panels in well under a millisecond; it cannot prove that none exists, which is left to
the MILP (`PanelModel.solve`).
"""

from collections import Counter

import numpy as np
import scipy.sparse

from opgaveudvalg.selection.ascent import Rules, ascend, herd
from opgaveudvalg.selection.model import Instance, PersonType, TypePanel

BOUND = 1e-7  # how near one of its bounds a group's expected count is at it (`pinned`)
UNPINNED = (np.zeros(0, dtype=np.int64), np.zeros(0))  # no quota group's count pinned


class SwapSearch:
    """Local search over valid panels (`ascent`), with the rules as arrays."""

    def __init__(self, instance: Instance, types: list[PersonType]):
        self.profiles = list(instance.seats)
        self.profile_index = {p: j for j, p in enumerate(self.profiles)}
        quota_index = {q.key: j for j, q in enumerate(instance.quotas)}
        groups = [
            sorted(quota_index[key] for key in kind.groups if key in quota_index) for kind in types
        ]
        widest = max((len(g) for g in groups), default=0)
        eligible = np.zeros((len(types), len(self.profiles)), dtype=bool)
        for index, kind in enumerate(types):
            for profile in kind.profiles:
                eligible[index, self.profile_index[profile]] = True
        households = sorted({kind.household for kind in types if kind.household})
        house = {h: j for j, h in enumerate(households)}
        self.rules = Rules(
            groups=np.array([g + [-1] * (widest - len(g)) for g in groups], dtype=np.int64).reshape(
                len(types), widest
            ),
            low=np.array([q.min for q in instance.quotas], dtype=np.int64),
            high=np.array([q.max for q in instance.quotas], dtype=np.int64),
            size=np.array([kind.size for kind in types], dtype=np.int64),
            household=np.array(
                [house.get(kind.household or "", len(households)) for kind in types], dtype=np.int64
            ),
            households=len(households),
            eligible=eligible,
            fixed=np.array([kind.fixed for kind in types], dtype=bool),
        )
        # (quota groups, types): each type's applicants in each group (`group_counts`)
        member = self.rules.groups >= 0
        kinds = np.repeat(np.arange(len(types)), member.sum(axis=1))
        self.members_in_groups = scipy.sparse.csr_matrix(
            (self.rules.size[kinds] * 1.0, (self.rules.groups[member], kinds)),
            shape=(len(instance.quotas), len(types)),
        )

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

    def pinned(self, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the quota groups whose expected count at `probabilities` is one of their bounds,
        that count): every panel of a lottery with these probabilities has exactly it."""
        rules = self.rules
        expected = self.group_counts(scipy.sparse.csc_matrix(probabilities[:, None])).ravel()
        at_bound = (np.abs(expected - rules.low) < BOUND) | (np.abs(expected - rules.high) < BOUND)
        groups = np.flatnonzero(at_bound & (rules.low < rules.high))
        return groups, np.rint(expected[groups])

    def group_counts(self, shares: scipy.sparse.csc_matrix) -> np.ndarray:
        """(quota groups, panels): each panel's members in each group, from each type's share
        of its applicants on it (a row per type, a column per panel)."""
        return np.asarray((self.members_in_groups @ shares).todense())

    def improve(self, panel: TypePanel, weights: np.ndarray, steps: int = 1000) -> TypePanel:
        """Ascent over one-for-one swaps from `panel` (`ascent.ascend`); the panel it reaches."""
        members, places = self.seats_of(panel)
        ascend(self.rules, np.asarray(weights, dtype=float), members, places, steps)
        return self.panel_of(members, places)


class Herding:
    """A herding walk from `start` towards the probabilities `goal` (`ascent.herd`) that goes
    on where it stopped: its ring of recent panels and how often each type was included are
    kept between calls of `more`."""

    def __init__(self, search: SwapSearch, start: TypePanel, goal: np.ndarray, recent: int):
        members, self.places = search.seats_of(start)
        self.search, self.goal = search, np.asarray(goal, dtype=float)
        self.ring = np.tile(members, (recent, 1))
        self.included = np.zeros(self.goal.size)
        self.done = 0  # panels walked so far

    def more(
        self, panels: int, pinned: tuple[np.ndarray, np.ndarray] = UNPINNED
    ) -> list[TypePanel]:
        """The walk's next `panels` panels, in order, each swapped to the `pinned` counts (quota
        groups, their counts; `pinned`) where a few swaps get there (`ascent.herd`)."""
        groups, counts = (array.astype(np.int64) for array in pinned)
        walked = herd(self.search.rules, self.goal, self.ring, self.included, self.places,
                      self.done, panels, groups, counts)  # fmt: skip
        self.done += panels
        return [self.search.panel_of(row, self.places) for row in walked]


def panel_value(panel: TypePanel, weights: np.ndarray) -> float:
    return float(sum(weights[index] * count for index, _profile, count in panel.seats))
