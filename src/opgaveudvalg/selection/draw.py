"""The verifiable draw: only SHA-256 of the public seed, so anyone can redo it in any language."""

import hashlib
from collections.abc import Iterable, Sequence

from opgaveudvalg.selection.model import Distribution, Draw, Person, Seat

# --- the verifiable draw ---------------------------------------------------------------------


def _digest(seed: str, label: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}|{label}".encode()).digest(), "big")


def lottery_order(seed: str, ids: Iterable[str]) -> list[str]:
    """IDs in the order of SHA-256(seed|id): anyone can recompute it, in any language."""
    return sorted(ids, key=lambda person: (_digest(seed, person), person))


def draw(result: Distribution, seed: str, people: Sequence[Person]) -> Draw:
    """Pick a panel with its stored probability, then its members within each type, and order
    the rest as reserves — all from SHA-256 of the public seed, so the draw can be re-done."""
    ticket = _digest(seed, "panel") % sum(result.weights)
    index = 0
    while ticket >= result.weights[index]:
        ticket -= result.weights[index]
        index += 1
    panel = result.panels[index]
    seats: list[Seat] = []
    for type_index, kind in enumerate(result.types):
        order = lottery_order(seed, kind.members)
        for _i, profile, count in (s for s in panel.seats if s[0] == type_index):
            seats.extend(Seat(person, profile) for person in order[:count])
            order = order[count:]
    chosen = {seat.person for seat in seats}
    return Draw(index, seats, reserves(seed, people, chosen, result))


def reserves(
    seed: str, people: Sequence[Person], chosen: set[str], result: Distribution
) -> dict[str, list[str]]:
    """Per profile, the eligible applicants not chosen, in lottery order."""
    pool = {member for kind in result.types for member in kind.members} - chosen
    ordered = lottery_order(seed, pool)
    by_id = {p.id: p for p in people}
    profiles = {profile for kind in result.types for profile in kind.profiles}
    return {
        profile: [i for i in ordered if profile in by_id[i].profiles]
        for profile in sorted(profiles)
    }
