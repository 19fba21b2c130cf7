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
        self.groups = np.zeros((count, len(instance.quotas)))  # (types, Q)
        self.eligible = np.zeros((count, len(self.profiles)), dtype=bool)
        for index, kind in enumerate(types):
            for key in kind.groups:
                if key in quota_index:
                    self.groups[index, quota_index[key]] = 1.0
            for profile in kind.profiles:
                self.eligible[index, profile_index[profile]] = True
        # (Q, types) in float32: the 0/1 counts stay exact and the products are faster
        self.groups_t = np.ascontiguousarray(self.groups.T, dtype=np.float32)
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
        """Ascent over one-for-one swaps from `panel`; the best panel it reaches. Each step
        finds every seat's best swap at once, makes the best one and then the others that still
        keep the rules, largest gain first (diverse-1000: 1.3x faster than one swap per step)."""
        members, places = self.seats_of(panel)
        candidates = np.flatnonzero((weights > 0) & ~self.fixed)
        if members.size == 0 or candidates.size == 0:
            return panel
        # heaviest first: a seat's best swap is then its first allowed candidate
        candidates = candidates[np.argsort(-weights[candidates], kind="stable")]
        walk = _Walk(self, members, places, candidates)
        for _ in range(steps):
            ok = walk.allowed_swaps()
            picks = ok.argmax(axis=1)
            allowed = ok[walk.seat_index, picks]
            gain = np.where(allowed, weights[candidates[picks]] - weights[walk.members], -1.0)
            order = np.argsort(-gain, kind="stable")
            order = order[gain[order] > SWAP_TOLERANCE]
            if order.size == 0:
                break
            for seat in order:
                walk.swap_if_allowed(int(seat), int(candidates[picks[seat]]))
        return self.panel_of(walk.members, places)


class _Walk:
    """A panel during `SwapSearch.improve`: its members per seat and what they count towards."""

    def __init__(
        self, search: SwapSearch, members: np.ndarray, places: np.ndarray, candidates: np.ndarray
    ):
        self.search = search
        self.candidates = candidates
        self.groups_in_t = search.groups_t[:, candidates]  # (Q, B)
        self.eligible_in = search.eligible[candidates]  # (B, P)
        self.house_in = search.household[candidates]
        self.has_house = self.house_in >= 0
        self.room = search.size[candidates]
        self.members = members
        self.places = places
        self.seat_index = np.arange(len(members))
        # (k, B): the candidates each seat's profile and member allow, before the quotas
        self.eligible = self.eligible_in[:, self.places].T & ~search.fixed[self.members][:, None]
        self.member_groups = search.groups[self.members]  # (k, Q)
        self.counts = self.member_groups.sum(axis=0)  # (Q,)
        self.taken = np.bincount(self.members, minlength=len(search.types))
        self.occupied = np.zeros(len(search.types) + 1, dtype=np.int64)  # per household, -1 last
        np.add.at(self.occupied, search.household[self.members], 1)

    def allowed_swaps(self) -> np.ndarray:
        """(k, B): which candidate may take which seat, every rule kept."""
        search = self.search
        ok: np.ndarray = self.eligible & (self.taken[self.candidates] < self.room)[None, :]
        # only quotas at (or past) a bound can stop a swap; the counts are whole numbers
        bound = np.flatnonzero((self.counts <= search.low) | (self.counts >= search.high))
        if bound.size:
            without = self.counts[bound][None, :] - self.member_groups[:, bound]  # (k, T)
            need = (without < search.low[bound]).astype(np.float32)  # b must count here
            full = (without >= search.high[bound]).astype(np.float32)  # b must not count
            # one product: a group b must not count in outweighs all those it must
            score = (need - (bound.size + 1) * full) @ self.groups_in_t[bound]
            ok &= score >= need.sum(axis=1, keepdims=True)
        busy = self.has_house & (self.occupied[self.house_in] > 0)
        if busy.any():
            leaving = search.household[self.members]
            # a household is free for b if no one of it sits, or the one leaving is it
            ok &= ~(busy[None, :] & (leaving[:, None] != self.house_in[None, :]))
        return ok

    def swap_if_allowed(self, seat: int, new: int) -> None:
        """Put `new` on `seat` if every rule still allows it after this step's swaps so far."""
        search = self.search
        out = int(self.members[seat])
        after = self.counts + search.groups[new] - search.groups[out]
        house = search.household[new]
        if (
            self.taken[new] >= search.size[new]
            or (after < search.low).any()
            or (after > search.high).any()
            or (house >= 0 and self.occupied[house] > 0 and house != search.household[out])
        ):
            return
        self.counts = after
        self.member_groups[seat] = search.groups[new]
        self.taken[out] -= 1
        self.taken[new] += 1
        self.occupied[search.household[out]] -= 1
        self.occupied[house] += 1
        self.members[seat] = new
        self.eligible[seat] = self.eligible_in[:, self.places[seat]] & ~search.fixed[new]


def panel_value(panel: TypePanel, weights: np.ndarray) -> float:
    return float(sum(weights[index] * count for index, _profile, count in panel.seats))
