"""The swap search's inner loops, compiled (numba): from a panel, swap members for heavier
applicants while every rule holds (`ascend`), and the herding walk made of such ascents (`herd`).

Each step of an ascent finds every seat's best swap, makes the best one, then every other seat's
best that still keeps the rules, largest gain first. A seat allows few of the types (diverse-1000:
4 of 525 candidates on average, most seats none), so the types are bit sets in an order
(`arrange`: bit j, the j-th type): a seat's allowed types are its profile's set AND the groups
it must stay in AND NOT the full groups AND the candidates with an applicant left, read one
64-bit word at a time, skipping every word with no candidate heavier than the best found so far.
The best is the same in any order; in weight order few words are read. The herding walk keeps
an order for several panels (REARRANGE): one made a few panels before still has most of the
heavy types in the first words, and sorting and packing the types afresh for every panel cost
as much as the search itself on 3,766 types.

Where the target pins quota counts (`pricing.SwapSearch.pinned`), a lottery reaching it can use
only panels with exactly those counts, and single swaps towards heavier applicants rarely keep
them all. So the walk, once it must grow, swaps each panel to those counts where it can
(`_repair`).
"""

from typing import NamedTuple

import numba
import numpy as np

SWAP_TOLERANCE = 1e-9
ONE = np.uint64(1)
# herded panels searched in one order of the types (`herd`; the walk on 3,766 types with a new
# order for every panel 8.0 s, every 4 panels 6.5 s, every 8-32 5.7-5.8 s)
REARRANGE = 16
# swaps a herded panel may take to reach the pinned counts (`_repair`; 500 applicants, 40
# seats, a walk that must grow: 16.8 s with 5, 2.9 s with 10 or 20)
REPAIR_SWAPS = 10


class Rules(NamedTuple):
    """The valid-panel rules over types, as arrays."""

    groups: np.ndarray  # (types, G) int64: the quota groups each type counts towards, -1 after
    low: np.ndarray  # (Q,) int64: each quota group's least members
    high: np.ndarray  # (Q,) int64: and most
    size: np.ndarray  # (types,) int64: applicants of each type
    household: np.ndarray  # (types,) int64: each type's household, `households` when none
    households: int
    eligible: np.ndarray  # (types, P) bool: the profiles each type may sit on
    fixed: np.ndarray  # (types,) bool: types on every panel


@numba.njit(cache=True)
def herd(
    rules: Rules,
    goal: np.ndarray,
    ring: np.ndarray,
    included: np.ndarray,
    places: np.ndarray,
    done: int,
    panels: int,
    pinned: np.ndarray,
    wanted: np.ndarray,
) -> np.ndarray:
    """(panels, k): the next panels of a walk whose running mean goes towards the probabilities
    `goal`, after `done` panels that included each type `included` times (updated here). Each
    panel is the ascent's best at the shortfall so far, from the heaviest of the last panels
    in `ring` (updated here; the last one is the worst start: its members are the furthest
    ahead; diverse-1000: 74,000 swaps from the last, 54,000 from the heaviest recent), then
    given `wanted` members of each quota group in `pinned` where `_repair` gets there."""
    recent, seats = ring.shape
    walked = np.empty((panels, seats), dtype=np.int64)
    for step in range(done + 1, done + panels + 1):
        weights = (goal * step - included / rules.size) / rules.size
        if (step - done - 1) % REARRANGE == 0:
            order, group_bits, profile_bits = arrange(rules, weights)
        best, heaviest = 0, -np.inf
        for r in range(recent):
            value = 0.0
            for member in ring[r]:
                value += weights[member]
            if value > heaviest:
                best, heaviest = r, value
        members = ring[best].copy()
        _ascend(rules, weights, members, places, 1000, order, group_bits, profile_bits)
        if pinned.size:
            np.random.seed(step)  # numba's own generator: the same walk every time
            repaired = members.copy()
            if _repair(rules, weights, repaired, places, pinned, wanted, order, group_bits,
                       profile_bits):  # fmt: skip
                members = repaired
        for member in members:
            included[member] += 1
        ring[step % recent] = members
        walked[step - done - 1] = members
    return walked


@numba.njit(cache=True)
def ascend(
    rules: Rules, weights: np.ndarray, members: np.ndarray, places: np.ndarray, steps: int
) -> None:
    """Improve the panel `members` (a type per seat; `places`: each seat's profile) in place."""
    order, group_bits, profile_bits = arrange(rules, weights)
    _ascend(rules, weights, members, places, steps, order, group_bits, profile_bits)


@numba.njit(cache=True)
def arrange(rules: Rules, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(the types not on every panel, the candidates at `weights` heaviest first; each quota
    group's and each profile's types as bit sets in that order)."""
    kinds = np.flatnonzero(~rules.fixed)
    heavier = weights[kinds] > 0
    order = np.concatenate((_heaviest_first(weights, kinds[heavier]), kinds[~heavier]))
    group_bits, profile_bits = _bit_sets(rules, order)
    return order, group_bits, profile_bits


@numba.njit(cache=True)
def _ascend(
    rules: Rules,
    weights: np.ndarray,
    members: np.ndarray,
    places: np.ndarray,
    steps: int,
    order: np.ndarray,
    group_bits: np.ndarray,
    profile_bits: np.ndarray,
) -> None:
    """`ascend` with the types in `order` (`arrange`, perhaps at other weights)."""
    if members.size == 0:
        return
    counts, taken, occupied = _tally(rules, members)
    # the candidates with an applicant left to seat, kept up to date below; each word's heaviest
    words = group_bits.shape[1]
    position = np.full(weights.size, -1)
    free = np.zeros(words, dtype=np.uint64)
    heaviest = np.full(words, -np.inf)
    for j in range(order.size):
        kind = order[j]
        position[kind] = j
        if weights[kind] > 0:
            heaviest[j >> 6] = max(heaviest[j >> 6], weights[kind])
            _set_bit(free, j, taken[kind] < rules.size[kind])
    picks = np.empty(members.size, dtype=np.int64)
    gains = np.empty(members.size)
    blocked = np.empty(words, dtype=np.uint64)
    keep = np.empty(rules.groups.shape[1], dtype=np.int64)  # for `_best`
    avoid = np.empty(rules.low.size, dtype=np.int64)
    own = np.zeros(rules.low.size + 1, dtype=np.bool_)  # the member's groups (last: none)
    for _ in range(steps):
        full = np.flatnonzero(counts >= rules.high)  # no one more of these groups
        blocked[:] = 0
        for q in full:
            blocked |= group_bits[q]
        for seat in range(members.size):
            picks[seat] = _best(
                rules, weights, order, heaviest, members[seat], places[seat], counts, full,
                blocked, group_bits, profile_bits, free, occupied, keep, avoid, own,
            )  # fmt: skip
            gains[seat] = -1.0
            if picks[seat] >= 0:
                gains[seat] = weights[order[picks[seat]]] - weights[members[seat]]
        ranked = np.argsort(-gains, kind="mergesort")
        if gains[ranked[0]] <= SWAP_TOLERANCE:
            return
        for seat in ranked:
            if gains[seat] <= SWAP_TOLERANCE:
                break
            out, new = members[seat], order[picks[seat]]
            if _keeps_rules(rules, out, new, counts, taken, occupied):
                _move(rules, counts, occupied, taken, out, -1)
                _move(rules, counts, occupied, taken, new, 1)
                if position[out] >= 0:
                    _set_bit(free, position[out], weights[out] > 0)
                _set_bit(free, position[new], taken[new] < rules.size[new])
                members[seat] = new


@numba.njit(cache=True)
def _heaviest_first(weights: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """`candidates` (of positive weight) heaviest first, ties in their given order: a radix
    sort of the weights' bit patterns, a byte at a time (a positive float's bits order as its
    value), skipping the bytes all share. numba's merge sort took 2.6 times as long on 1,830
    candidates, and grew faster than their number."""
    keys = ~weights[candidates].view(np.uint64)  # heaviest first: the complement ascending
    counts = np.zeros((8, 257), dtype=np.int64)
    for key in keys:
        for byte in range(8):
            counts[byte, ((key >> np.uint64(8 * byte)) & np.uint64(255)) + 1] += 1
    order, spare_keys, spare = candidates.copy(), np.empty_like(keys), np.empty_like(candidates)
    for byte in range(8):
        count = counts[byte]
        if count.max() == keys.size:
            continue
        count[:] = np.cumsum(count)
        for j in range(keys.size):
            digit = (keys[j] >> np.uint64(8 * byte)) & np.uint64(255)
            spare_keys[count[digit]], spare[count[digit]] = keys[j], order[j]
            count[digit] += 1
        keys, spare_keys, order, spare = spare_keys, keys, spare, order
    return order


@numba.njit(cache=True)
def _bit_sets(rules: Rules, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Q, W) and (P, W): each quota group's and each profile's candidates as bit sets."""
    words = (candidates.size + 63) // 64
    group_bits = np.zeros((rules.low.size, words), dtype=np.uint64)
    profile_bits = np.zeros((rules.eligible.shape[1], words), dtype=np.uint64)
    for j in range(candidates.size):
        kind, word, bit = candidates[j], j >> 6, ONE << np.uint64(j & 63)
        for g in range(rules.groups.shape[1]):  # indexed: a row view per candidate cost 2x
            q = rules.groups[kind, g]
            if q < 0:
                break
            group_bits[q, word] |= bit
        for p in range(rules.eligible.shape[1]):
            if rules.eligible[kind, p]:
                profile_bits[p, word] |= bit
    return group_bits, profile_bits


@numba.njit(cache=True, inline="always")  # a call per seat, with 16 arrays, cost 6 %
def _best(
    rules: Rules,
    weights: np.ndarray,
    order: np.ndarray,
    heaviest: np.ndarray,
    member: int,
    place: int,
    counts: np.ndarray,
    full: np.ndarray,
    blocked: np.ndarray,
    group_bits: np.ndarray,
    profile_bits: np.ndarray,
    free: np.ndarray,
    occupied: np.ndarray,
    keep: np.ndarray,
    avoid: np.ndarray,
    own: np.ndarray,
) -> int:
    """The position in `order` of the heaviest type that may replace `member`, if heavier (of
    equals the first type); else -1. `blocked`: the types of the full groups, who may only
    replace one of their own."""
    if rules.fixed[member]:
        return -1
    kept, in_full = 0, False  # keep[:kept]: its groups that one fewer would put below the target
    # every seat of every step: a row view and a search of it for each full group cost a
    # tenth of the walk's time (3,836 types: 192 -> 186 us a panel with this, 175 inlined)
    for g in range(rules.groups.shape[1]):
        q = rules.groups[member, g]
        if q < 0:
            break
        if counts[q] - 1 < rules.low[q]:
            keep[kept] = q
            kept += 1
        in_full |= counts[q] >= rules.high[q]
        own[q] = True
    # avoid[:shut]: the full groups it is not in, when it is in one (else they are `blocked`)
    shut = 0
    if in_full:
        for q in full:
            if not own[q]:
                avoid[shut] = q
                shut += 1
    for g in range(rules.groups.shape[1]):
        own[rules.groups[member, g]] = False
    best, bound = -1, weights[member] + SWAP_TOLERANCE
    for word in range(free.size):
        if heaviest[word] < bound:
            continue
        allowed = profile_bits[place, word] & free[word]
        for g in range(kept):
            allowed &= group_bits[keep[g], word]
        if not allowed:  # mostly: the groups it must stay in leave few (212 -> 192 us a panel)
            continue
        if in_full:
            for g in range(shut):
                allowed &= ~group_bits[avoid[g], word]
        else:
            allowed &= ~blocked[word]
        while allowed:
            lowest = allowed & (~allowed + ONE)
            j = word * 64 + int(np.log2(np.float64(lowest)))
            weight = weights[order[j]]
            if (weight > bound or (weight == bound and best >= 0 and order[j] < order[best])) and (
                _house_free(rules, occupied, rules.household[order[j]], member)
            ):
                best, bound = j, weight
            allowed ^= lowest
    return best


@numba.njit(cache=True, inline="always")
def _keeps_rules(
    rules: Rules, out: int, new: int, counts: np.ndarray, taken: np.ndarray, occupied: np.ndarray
) -> bool:
    """Whether `new` may replace `out` now (after this step's earlier swaps)."""
    if taken[new] >= rules.size[new]:
        return False
    for q in rules.groups[new]:
        if q >= 0 and not _contains(rules.groups[out], q) and counts[q] + 1 > rules.high[q]:
            return False
    for q in rules.groups[out]:
        if q >= 0 and not _contains(rules.groups[new], q) and counts[q] - 1 < rules.low[q]:
            return False
    return _house_free(rules, occupied, rules.household[new], out)


@numba.njit(cache=True, inline="always")
def _contains(groups: np.ndarray, group: int) -> bool:
    for q in groups:  # noqa: SIM110 (a loop compiles; any() over a generator would not inline)
        if q == group:
            return True
    return False


@numba.njit(cache=True, inline="always")
def _house_free(rules: Rules, occupied: np.ndarray, house: int, leaving: int) -> bool:
    """Whether a member of `house` may sit once `leaving` has left: one per household."""
    return bool(
        house == rules.households or occupied[house] == 0 or house == rules.household[leaving]
    )


@numba.njit(cache=True)
def _tally(rules: Rules, members: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(members in each quota group, of each type, in each household) of the panel `members`."""
    counts = np.zeros(rules.low.size, dtype=np.int64)
    taken = np.zeros(rules.size.size, dtype=np.int64)
    occupied = np.zeros(rules.households + 1, dtype=np.int64)
    for member in members:
        _move(rules, counts, occupied, taken, member, 1)
    return counts, taken, occupied


@numba.njit(cache=True, inline="always")
def _move(
    rules: Rules,
    counts: np.ndarray,
    occupied: np.ndarray,
    taken: np.ndarray,
    member: int,
    change: int,
) -> None:
    """Count one of type `member` in (change 1) or out (-1)."""
    for q in rules.groups[member]:
        if q >= 0:
            counts[q] += change
    occupied[rules.household[member]] += change
    taken[member] += change


@numba.njit(cache=True, inline="always")
def _set_bit(bits: np.ndarray, j: int, value: bool) -> None:
    if value:
        bits[j >> 6] |= ONE << np.uint64(j & 63)
    else:
        bits[j >> 6] &= ~(ONE << np.uint64(j & 63))


@numba.njit(cache=True)
def _repair(
    rules: Rules,
    weights: np.ndarray,
    members: np.ndarray,
    places: np.ndarray,
    pinned: np.ndarray,
    wanted: np.ndarray,
    order: np.ndarray,
    group_bits: np.ndarray,
    profile_bits: np.ndarray,
) -> bool:
    """Swap members of the panel `members` (in place) until the quota groups `pinned` have
    `wanted` members each; False when REPAIR_SWAPS swaps do not get there. Each swap keeps the
    rules and brings most pinned groups nearer their count net, the heaviest of those first;
    where none does, a random one that closes a gap and opens another moves it where a swap
    may close it (500 applicants, 40 seats, 26 pinned groups: of 2,000 walked panels 245 had
    the counts, 643 after swaps that close gaps only, 1,024 with the random ones too)."""
    counts, taken, occupied = _tally(rules, members)
    gap = np.zeros(rules.low.size, dtype=np.int64)  # members beyond the wanted count
    is_pinned = np.zeros(rules.low.size, dtype=np.bool_)
    is_pinned[pinned] = True
    for _ in range(REPAIR_SWAPS):
        gap[pinned] = counts[pinned] - wanted
        if not gap.any():
            return True
        seat, new = _repair_swap(rules, weights, members, places, counts, taken, occupied,
                                 gap, is_pinned, order, group_bits, profile_bits)  # fmt: skip
        if seat < 0:
            return False
        _move(rules, counts, occupied, taken, members[seat], -1)
        _move(rules, counts, occupied, taken, new, 1)
        members[seat] = new
    return False


@numba.njit(cache=True)
def _repair_swap(
    rules: Rules,
    weights: np.ndarray,
    members: np.ndarray,
    places: np.ndarray,
    counts: np.ndarray,
    taken: np.ndarray,
    occupied: np.ndarray,
    gap: np.ndarray,
    is_pinned: np.ndarray,
    order: np.ndarray,
    group_bits: np.ndarray,
    profile_bits: np.ndarray,
) -> tuple[int, int]:
    """`_repair`'s next swap: (seat, new type), or (-1, -1) when no swap that closes a gap
    keeps the pinned groups' distance from their counts or shortens it."""
    words = group_bits.shape[1]
    free = np.zeros(words, dtype=np.uint64)
    for j in range(order.size):
        _set_bit(free, j, taken[order[j]] < rules.size[order[j]])
    short = np.zeros(words, dtype=np.uint64)  # the types of the groups below their count
    for group in np.flatnonzero(gap < 0):
        short |= group_bits[group]
    must = np.empty(rules.low.size, dtype=np.int64)  # groups the new member must be in
    avoid = np.empty(rules.low.size, dtype=np.int64)  # and must not be in
    best_seat, best_new, most, heaviest = -1, -1, 0, -np.inf
    level_seat, level_new, level = -1, -1, 0  # a random swap of those that close as many
    for seat in range(members.size):
        out = members[seat]
        if rules.fixed[out]:
            continue
        kept, shut, surplus = 0, 0, False
        for q in range(rules.low.size):
            if _contains(rules.groups[out], q):
                surplus |= gap[q] > 0
                if counts[q] - 1 < rules.low[q]:
                    must[kept] = q
                    kept += 1
            elif counts[q] >= rules.high[q]:
                avoid[shut] = q
                shut += 1
        for word in range(words):
            allowed = profile_bits[places[seat], word] & free[word]
            if not surplus:  # a swap that closes a gap brings in a member of a group short
                allowed &= short[word]
            for g in range(kept):
                allowed &= group_bits[must[g], word]
            for g in range(shut):
                allowed &= ~group_bits[avoid[g], word]
            while allowed:
                lowest = allowed & (~allowed + ONE)
                new = order[word * 64 + int(np.log2(np.float64(lowest)))]
                allowed ^= lowest
                if new == out or not _house_free(rules, occupied, rules.household[new], out):
                    continue
                closed, opened = _gaps(rules, gap, is_pinned, out, new)
                nearer, gain = closed - opened, weights[new] - weights[out]
                if nearer > most or (nearer == most and nearer > 0 and gain > heaviest):
                    best_seat, best_new, most, heaviest = seat, new, nearer, gain
                elif nearer == 0 and closed:
                    level += 1
                    if np.random.random() * level < 1.0:
                        level_seat, level_new = seat, new
    if best_seat < 0:
        return level_seat, level_new
    return best_seat, best_new


@numba.njit(cache=True, inline="always")
def _gaps(
    rules: Rules, gap: np.ndarray, is_pinned: np.ndarray, out: int, new: int
) -> tuple[int, int]:
    """(gaps closed, gaps opened or widened) among the pinned groups when `new` replaces
    `out`."""
    closed, opened = 0, 0
    for q in rules.groups[new]:
        if q >= 0 and is_pinned[q] and not _contains(rules.groups[out], q):
            closed, opened = (closed + 1, opened) if gap[q] < 0 else (closed, opened + 1)
    for q in rules.groups[out]:
        if q >= 0 and is_pinned[q] and not _contains(rules.groups[new], q):
            closed, opened = (closed + 1, opened) if gap[q] > 0 else (closed, opened + 1)
    return closed, opened
