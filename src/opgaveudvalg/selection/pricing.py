"""Fast heuristic pricing for the column generation: local search on the dual weights.

Given a weight per type, look for a valid panel heavier than a threshold by improving a known
panel one swap at a time (one member out, another applicant of a heavier type in, on the same
profile seat), keeping every target, profile and household rule. It finds improving panels in
milliseconds; it cannot prove that none exists, which is left to the MILP (`PanelModel.solve`).
"""

from collections import Counter

import numpy as np

from opgaveudvalg.selection.model import Instance, PersonType, TypePanel

SWAP_TOLERANCE = 1e-9


class SwapSearch:
    """The valid-panel rules as arrays, for checking every one-for-one swap at once."""

    def __init__(self, instance: Instance, types: list[PersonType]):
        self.types = types
        self.profiles = list(instance.seats)
        profile_index = {p: j for j, p in enumerate(self.profiles)}
        quota_index = {q.key: j for j, q in enumerate(instance.quotas)}
        count = len(types)
        self.groups = np.zeros((count, len(instance.quotas)))
        self.eligible = np.zeros((count, len(self.profiles)), dtype=bool)
        for index, kind in enumerate(types):
            for key in kind.groups:
                if key in quota_index:
                    self.groups[index, quota_index[key]] = 1.0
            for profile in kind.profiles:
                self.eligible[index, profile_index[profile]] = True
        self.low = np.array([q.min for q in instance.quotas], dtype=float)
        self.high = np.array([q.max for q in instance.quotas], dtype=float)
        self.size = np.array([kind.size for kind in types])
        households = sorted({kind.household for kind in types if kind.household})
        house = {h: j for j, h in enumerate(households)}
        self.household = np.array(
            [house[kind.household] if kind.household else -1 for kind in types]
        )
        self.fixed = np.array([kind.fixed for kind in types], dtype=bool)
        self.profile_index = profile_index

    def seats_of(self, panel: TypePanel) -> list[tuple[int, int]]:
        """The panel as one (type, profile index) per seat."""
        return [
            (index, self.profile_index[profile])
            for index, profile, count in panel.seats
            for _ in range(count)
        ]

    def panel_of(self, seats: list[tuple[int, int]]) -> TypePanel:
        counted = Counter((index, self.profiles[profile]) for index, profile in seats)
        return TypePanel(
            tuple(
                (index, profile, counted[(index, profile)])
                for index, profile in sorted(
                    counted, key=lambda s: (s[0], self.profile_index[s[1]])
                )
            )
        )

    def improve(self, panel: TypePanel, weights: np.ndarray, steps: int = 1000) -> TypePanel:
        """Steepest ascent over one-for-one swaps from `panel`; the best panel it reaches."""
        seats = self.seats_of(panel)
        if not seats:
            return panel
        candidates = np.flatnonzero((weights > 0) & ~self.fixed)
        if candidates.size == 0:
            return panel
        # heaviest first: a seat's best swap is then its first allowed candidate
        candidates = candidates[np.argsort(-weights[candidates], kind="stable")]
        # (Q, B) in float32: the 0/1 counts stay exact and the products below are faster
        groups_in_t = np.ascontiguousarray(self.groups[candidates].T, dtype=np.float32)
        eligible_in = self.eligible[candidates]  # (B, P)
        house_in = self.household[candidates]
        has_house = house_in >= 0
        weights_in = weights[candidates]
        room = self.size[candidates]
        members = np.array([s[0] for s in seats])
        places = np.array([s[1] for s in seats])
        allowed = eligible_in[:, places].T & ~self.fixed[members][:, None]  # (k, B)
        member_groups = self.groups[members]  # (k, Q)
        counts = member_groups.sum(axis=0)  # (Q,)
        taken = np.bincount(members, minlength=len(self.types))
        occupied = np.zeros(len(self.types) + 1, dtype=np.int64)  # per household, -1 last
        np.add.at(occupied, self.household[members], 1)
        seat_index = np.arange(len(members))
        for _ in range(steps):
            ok = allowed & (taken[candidates] < room)[None, :]
            # only quotas at (or past) a bound can stop a swap; the counts are whole numbers
            bound = np.flatnonzero((counts <= self.low) | (counts >= self.high))
            if bound.size:
                without = counts[bound][None, :] - member_groups[:, bound]  # (k, T)
                need = (without < self.low[bound]).astype(np.float32)  # b must count here
                full = (without >= self.high[bound]).astype(np.float32)  # b must not count
                groups_bound = groups_in_t[bound]  # (T, B)
                ok &= need @ groups_bound >= need.sum(axis=1, keepdims=True)
                ok &= full @ groups_bound < 0.5
            busy = has_house & (occupied[house_in] > 0)
            if busy.any():
                leaving = self.household[members]
                # a household is free for b if no one of it sits, or the one leaving is it
                ok &= ~(busy[None, :] & (leaving[:, None] != house_in[None, :]))
            picks = ok.argmax(axis=1)
            gain = np.where(ok[seat_index, picks], weights_in[picks] - weights[members], -1.0)
            seat = int(np.argmax(gain))
            if gain[seat] <= SWAP_TOLERANCE:
                break
            pick = picks[seat]
            out, new = int(members[seat]), int(candidates[pick])
            counts += self.groups[new] - self.groups[out]
            member_groups[seat] = self.groups[new]
            taken[out] -= 1
            taken[new] += 1
            occupied[self.household[out]] -= 1
            occupied[self.household[new]] += 1
            members[seat] = new
            allowed[seat] = eligible_in[:, places[seat]] & ~self.fixed[new]
            seats[int(seat)] = (new, int(places[seat]))
        return self.panel_of(seats)


def panel_value(panel: TypePanel, weights: np.ndarray) -> float:
    return float(sum(weights[index] * count for index, _profile, count in panel.seats))
