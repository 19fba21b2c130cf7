"""Why no panel is possible: profiles short of applicants, a smallest conflicting set of targets
(deletion filter) and the least total change of targets that makes a panel possible."""

from collections.abc import Sequence
from dataclasses import dataclass

from opgaveudvalg.selection.model import Instance, PersonType, Quota, TypePanel, person_types
from opgaveudvalg.selection.panels import PanelModel


class Infeasible(Exception):
    """No panel meets the seats, targets and household rule; `relaxation` says what would."""

    def __init__(self, relaxation: "Relaxation"):
        super().__init__(relaxation)
        self.relaxation = relaxation


# --- explaining infeasibility -----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    quota: Quota
    side: str  # "min" or "max"
    new: int


@dataclass
class Relaxation:
    short_profiles: list[tuple[str, int, int]]  # (profile, seats, eligible applicants)
    conflicting: list[Quota]  # a smallest set of targets that cannot all hold together
    changes: list[Change]  # the least total change of targets that makes a panel possible


def explain_infeasibility(instance: Instance) -> Relaxation:
    types = person_types(instance)
    short = _short_profiles(instance, types)
    if short:
        return Relaxation(short, [], [])
    model = PanelModel(instance, types, elastic=True)
    if model.solve([0.0] * len(types), minimise_slack=True) is None:
        return Relaxation(_all_short(instance, types), [], [])
    values = model.last_values
    changes = []
    for (number, side), column in sorted(model.slack.items()):
        amount = round(values[column])
        if amount:
            quota = instance.quotas[number]
            new = quota.min - amount if side == "min" else quota.max + amount
            changes.append(Change(quota, side, new))
    return Relaxation([], _conflicting_targets(instance), changes)


def _short_profiles(instance: Instance, types: list[PersonType]) -> list[tuple[str, int, int]]:
    short = []
    for profile, seats in instance.seats.items():
        eligible = sum(kind.size for kind in types if profile in kind.profiles)
        if eligible < seats:
            short.append((profile, seats, eligible))
    return short


def _all_short(instance: Instance, types: list[PersonType]) -> list[tuple[str, int, int]]:
    """Seats can't be filled even without targets: report every profile with its pool."""
    return [
        (profile, seats, sum(k.size for k in types if profile in k.profiles))
        for profile, seats in instance.seats.items()
    ]


def _feasible(instance: Instance, quotas: Sequence[Quota]) -> bool:
    trial = Instance(
        instance.people, instance.seats, tuple(quotas), instance.fixed, instance.excluded
    )
    types = person_types(trial)
    return PanelModel(trial, types).any_panel is not None


def _conflicting_targets(instance: Instance) -> list[Quota]:
    """Deletion filter: drop each target that is not needed for the conflict."""
    kept = list(instance.quotas)
    for quota in list(instance.quotas):
        trial = [q for q in kept if q != quota]
        if not _feasible(instance, trial):
            kept = trial
    return kept


def find_panel(instance: Instance) -> TypePanel:
    """Any valid panel; raises Infeasible with the smallest relaxation when there is none."""
    types = person_types(instance)
    panel = PanelModel(instance, types).any_panel
    if panel is None:
        raise Infeasible(explain_infeasibility(instance))
    return panel
