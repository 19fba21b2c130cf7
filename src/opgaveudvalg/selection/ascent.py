"""The swap search's inner loop, compiled (numba): from a panel, swap members for heavier
applicants while every rule holds.

Each step finds every seat's best swap, makes the best one, then every other seat's best that
still keeps the rules, largest gain first. A seat's allowed candidates are few (diverse-1000: 4
of 525 on average, most seats none), so they are bit sets in weight order (bit j: the j-th
heaviest candidate): a seat's best is the first set bit of the AND of the groups it must keep
with the complement of the full groups it must not add to, read one 64-bit word at a time and
stopped where no candidate is heavier than the member. A step costs about k × B / 64 word
operations instead of k × B checks, and no Python runs between steps.
"""

import numba
import numpy as np

SWAP_TOLERANCE = 1e-9
ONE = np.uint64(1)


@numba.njit(cache=True)
def ascend(
    weights: np.ndarray,  # (types,) float64
    members: np.ndarray,  # (k,) int64, changed in place
    places: np.ndarray,  # (k,) int64, each seat's profile
    member_of: np.ndarray,  # (types, Q) int64 0/1: the quota groups each type counts towards
    low: np.ndarray,  # (Q,) int64
    high: np.ndarray,  # (Q,) int64
    size: np.ndarray,  # (types,) int64: applicants of each type
    household: np.ndarray,  # (types,) int64: the type's household, or H when none
    households: int,  # H
    eligible: np.ndarray,  # (types, P) bool
    fixed: np.ndarray,  # (types,) bool
    steps: int,
) -> None:
    candidates = np.flatnonzero((weights > 0) & ~fixed)
    if candidates.size == 0 or members.size == 0:
        return
    candidates = candidates[np.argsort(-weights[candidates], kind="mergesort")]
    group_bits, profile_bits = _bit_sets(candidates, member_of, eligible)
    counts = np.zeros(low.size, dtype=np.int64)
    taken = np.zeros(weights.size, dtype=np.int64)
    occupied = np.zeros(households + 1, dtype=np.int64)
    for m in members:
        counts += member_of[m]
        taken[m] += 1
        occupied[household[m]] += 1
    picks = np.empty(members.size, dtype=np.int64)
    gains = np.empty(members.size)
    keep = np.empty(low.size, dtype=np.int64)
    blocked = np.empty(group_bits.shape[1], dtype=np.uint64)
    for _ in range(steps):
        full = np.flatnonzero(counts >= high)  # no one more of these groups
        blocked[:] = 0
        for q in full:
            blocked |= group_bits[q]
        for seat in range(members.size):
            picks[seat] = _best(
                seat,
                weights,
                candidates,
                members,
                places,
                member_of,
                low,
                counts,
                full,
                blocked,
                group_bits,
                profile_bits,
                size,
                taken,
                household,
                households,
                occupied,
                fixed,
                keep,
            )
            gains[seat] = -1.0
            if picks[seat] >= 0:
                gains[seat] = weights[candidates[picks[seat]]] - weights[members[seat]]
        order = np.argsort(-gains, kind="mergesort")
        if gains[order[0]] <= SWAP_TOLERANCE:
            return
        for seat in order:
            if gains[seat] <= SWAP_TOLERANCE:
                break
            out, new = members[seat], candidates[picks[seat]]
            if _keeps_rules(
                out, new, member_of, counts, low, high, size, taken, household, households, occupied
            ):
                counts += member_of[new]
                counts -= member_of[out]
                taken[out] -= 1
                taken[new] += 1
                occupied[household[out]] -= 1
                occupied[household[new]] += 1
                members[seat] = new


@numba.njit(cache=True)
def _bit_sets(
    candidates: np.ndarray, member_of: np.ndarray, eligible: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(Q, W) and (P, W): each quota group's and each profile's candidates as bit sets."""
    words = (candidates.size + 63) // 64
    group_bits = np.zeros((member_of.shape[1], words), dtype=np.uint64)
    profile_bits = np.zeros((eligible.shape[1], words), dtype=np.uint64)
    for j in range(candidates.size):
        bit = ONE << np.uint64(j & 63)
        for q in range(member_of.shape[1]):
            if member_of[candidates[j], q]:
                group_bits[q, j >> 6] |= bit
        for p in range(eligible.shape[1]):
            if eligible[candidates[j], p]:
                profile_bits[p, j >> 6] |= bit
    return group_bits, profile_bits


@numba.njit(cache=True)
def _best(
    seat: int,
    weights: np.ndarray,
    candidates: np.ndarray,
    members: np.ndarray,
    places: np.ndarray,
    member_of: np.ndarray,
    low: np.ndarray,
    counts: np.ndarray,
    full: np.ndarray,
    blocked: np.ndarray,
    group_bits: np.ndarray,
    profile_bits: np.ndarray,
    size: np.ndarray,
    taken: np.ndarray,
    household: np.ndarray,
    households: int,
    occupied: np.ndarray,
    fixed: np.ndarray,
    keep: np.ndarray,
) -> int:
    """The position of the seat's heaviest allowed candidate heavier than its member, or -1.
    `blocked`: the candidates of the full groups, which may only replace one of their own."""
    member = members[seat]
    if fixed[member]:
        return -1
    kept = 0  # the groups it must stay in: one fewer would be below the target
    for q in range(low.size):
        if member_of[member, q] and counts[q] - 1 < low[q]:
            keep[kept] = q
            kept += 1
    in_full = False
    for q in full:
        in_full = in_full or member_of[member, q] == 1
    limit = weights[member] + SWAP_TOLERANCE
    for word in range(profile_bits.shape[1]):
        if weights[candidates[word * 64]] <= limit:
            return -1
        allowed = profile_bits[places[seat], word]
        if in_full:
            for q in full:
                if not member_of[member, q]:
                    allowed &= ~group_bits[q, word]
        else:
            allowed &= ~blocked[word]
        for k in range(kept):
            allowed &= group_bits[keep[k], word]
        while allowed:
            lowest = allowed & (~allowed + ONE)
            j = word * 64 + int(np.log2(np.float64(lowest)))
            if weights[candidates[j]] <= limit:
                return -1
            new = candidates[j]
            house = household[new]
            if taken[new] < size[new] and (
                house == households or occupied[house] == 0 or house == household[member]
            ):
                return j
            allowed ^= lowest
    return -1


@numba.njit(cache=True)
def _keeps_rules(
    out: int,
    new: int,
    member_of: np.ndarray,
    counts: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    size: np.ndarray,
    taken: np.ndarray,
    household: np.ndarray,
    households: int,
    occupied: np.ndarray,
) -> bool:
    """Whether `new` may replace `out` now (after this step's earlier swaps)."""
    if taken[new] >= size[new]:
        return False
    for q in range(counts.size):
        after = counts[q] + member_of[new, q] - member_of[out, q]
        if after < low[q] or after > high[q]:
            return False
    house = household[new]
    return bool(house == households or occupied[house] == 0 or house == household[out])
