"""The fair lottery on its own: valid panels, exact LEXIMIN on the public instances, explanations
of infeasible targets, and a draw anyone can redo."""

import os
import random
import subprocess
import sys
from itertools import product

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse

from bench.diverse import Shape, diverse_instance
from bench.instances import committee_instance, instance_path, load_instance
from opgaveudvalg.selection import interior, leximin
from opgaveudvalg.selection.ascent import _ascend, arrange, ascend
from opgaveudvalg.selection.ascent import _heaviest_first as heaviest_first
from opgaveudvalg.selection.draw import draw
from opgaveudvalg.selection.entropy import spread
from opgaveudvalg.selection.feasibility import Infeasible, explain_infeasibility, find_panel
from opgaveudvalg.selection.interior import reach
from opgaveudvalg.selection.leximin import FastLeximin
from opgaveudvalg.selection.lottery import distribution
from opgaveudvalg.selection.model import (
    Distribution,
    Instance,
    Method,
    Person,
    PersonType,
    Quota,
    Seat,
    TypePanel,
    panel_is_valid,
    person_types,
)
from opgaveudvalg.selection.panels import PanelModel
from opgaveudvalg.selection.pricing import Herding, SwapSearch, panel_value
from opgaveudvalg.selection.relaxation import relaxed_leximin


def assert_every_panel_valid(instance: Instance, method: Method) -> dict[str, float]:
    result = distribution(instance, method, samples=100)
    by_type = result.types
    for panel in result.panels:
        seats = [
            Seat(member, profile)
            for index, profile, count in panel.seats
            for member in by_type[index].members[:count]
        ]
        assert panel_is_valid(instance, seats) == []
    probabilities = result.probabilities()
    assert sum(probabilities.values()) == pytest.approx(instance.size, abs=1e-6)
    assert sum(result.weights) == 10**12
    return probabilities


def test_leximin_gives_everyone_ten_percent_on_example_small_20() -> None:
    instance = load_instance(instance_path("example_small_20"))
    probabilities = assert_every_panel_valid(instance, Method.leximin)
    assert len(probabilities) == 200
    assert min(probabilities.values()) == pytest.approx(0.10, abs=1e-9)
    assert max(probabilities.values()) == pytest.approx(0.10, abs=1e-9)


def test_quotas_hold_on_every_panel_of_the_four_category_fixture() -> None:
    instance = load_instance(instance_path("sortition-algorithms-fixture_22"))
    leximin = assert_every_panel_valid(instance, Method.leximin)
    maximin = assert_every_panel_valid(instance, Method.maximin)
    # LEXIMIN's smallest probability is MAXIMIN's optimum; above it LEXIMIN raises the rest
    assert min(leximin.values()) == pytest.approx(min(maximin.values()), abs=1e-7)
    assert leximin_at_least(sorted(leximin.values()), sorted(maximin.values()))


def leximin_at_least(ours: list[float], other: list[float]) -> bool:
    """Sorted probability vectors compared from the smallest up, with solver tolerance."""
    for a, b in zip(ours, other, strict=True):
        if abs(a - b) > 1e-7:
            return a > b
    return True


@pytest.mark.slow
def test_committee_profiles_seats_and_households_hold_on_every_panel() -> None:
    instance = committee_instance(applicants=60, seed=3)
    found = {method: assert_every_panel_valid(instance, method) for method in Method}
    for probabilities in found.values():
        assert set(probabilities) == {p.id for p in instance.people}
    assert min(found[Method.leximin].values()) > min(found[Method.uniform].values())


def test_household_members_are_never_on_the_same_panel() -> None:
    # Four people, two seats, no targets: without the rule the pair would often sit together
    people = (
        Person("a", frozenset(), frozenset({"p"}), household="h1"),
        Person("b", frozenset(), frozenset({"p"}), household="h1"),
        Person("c", frozenset(), frozenset({"p"}), household="h2"),
        Person("d", frozenset(), frozenset({"p"})),
    )
    instance = Instance(people, {"p": 2}, ())
    result = distribution(instance)
    for panel in result.panels:
        members = {result.types[i].members[0] for i, _p, c in panel.seats if c}
        assert not {"a", "b"} <= members
    probabilities = result.probabilities()
    assert probabilities["a"] + probabilities["b"] <= 1 + 1e-9
    # LEXIMIN: the pair shares at most one seat (a half each), leaving c and d a half each
    assert probabilities["a"] == pytest.approx(probabilities["b"])
    assert min(probabilities.values()) == pytest.approx(0.5, abs=1e-7)


def test_fixed_members_always_sit_and_excluded_never() -> None:
    instance = committee_instance(applicants=60, seed=5)
    fixed = instance.people[0].id
    excluded = instance.people[1].id
    constrained = Instance(
        instance.people, instance.seats, instance.quotas, frozenset({fixed}), frozenset({excluded})
    )
    probabilities = distribution(constrained).probabilities()
    assert probabilities[fixed] == pytest.approx(1.0)
    assert excluded not in probabilities


def test_infeasible_targets_are_explained_with_the_smallest_relaxation() -> None:
    # 10 seats; only one applicant aged 18–29 but the mandate asks for two
    people = tuple(
        Person(
            f"p{i}",
            frozenset(
                {("køn", "kvinde" if i % 2 else "mand")}
                | ({("alder", "18-29")} if i == 0 else set())
            ),
            frozenset({"åben"}),
        )
        for i in range(30)
    )
    quotas = (
        Quota("alder", "18-29", 2, 10),
        Quota("køn", "kvinde", 4, 6),
        Quota("køn", "mand", 4, 6),
    )
    instance = Instance(people, {"åben": 10}, quotas)
    with pytest.raises(Infeasible):
        distribution(instance)
    relaxation = explain_infeasibility(instance)
    assert relaxation.conflicting == [quotas[0]]
    [change] = relaxation.changes
    assert (change.quota, change.side, change.new) == (quotas[0], "min", 1)


def test_conflicting_targets_name_both_sides() -> None:
    # Women must be ≥ 6 of 10, and the young ≥ 5 — but every young applicant is a man
    people = tuple(
        Person(f"w{i}", frozenset({("køn", "kvinde")}), frozenset({"åben"})) for i in range(10)
    ) + tuple(
        Person(f"m{i}", frozenset({("køn", "mand"), ("alder", "ung")}), frozenset({"åben"}))
        for i in range(10)
    )
    quotas = (
        Quota("køn", "kvinde", 6, 10),
        Quota("alder", "ung", 5, 10),
        Quota("køn", "mand", 0, 10),
    )
    relaxation = explain_infeasibility(Instance(people, {"åben": 10}, quotas))
    assert relaxation.conflicting == [quotas[0], quotas[1]]
    assert (
        sum(
            abs(c.new - (c.quota.min if c.side == "min" else c.quota.max))
            for c in relaxation.changes
        )
        == 1
    )


def test_short_profile_is_explained_before_targets() -> None:
    people = (
        Person("a", frozenset(), frozenset({"ung"})),
        Person("b", frozenset(), frozenset({"voksen"})),
    )
    relaxation = explain_infeasibility(Instance(people, {"ung": 2, "voksen": 1}, ()))
    assert relaxation.short_profiles == [("ung", 2, 1)]


def test_interchangeable_applicants_form_one_type() -> None:
    instance = load_instance(instance_path("example_large_200"))
    types = person_types(instance)
    assert sum(t.size for t in types) == 2000
    assert len(types) <= 4  # two categories with two values each


def test_draw_is_reproducible_and_depends_on_the_seed() -> None:
    instance = committee_instance(applicants=80, seed=7)
    result = distribution(instance)
    first = draw(result, "00.01.00-A00-1-27/4711", instance.people)
    again = draw(result, "00.01.00-A00-1-27/4711", instance.people)
    assert first == again
    assert panel_is_valid(instance, first.seats) == []
    others = {
        tuple(sorted(s.person for s in draw(result, f"seed/{n}", instance.people).seats))
        for n in range(20)
    }
    assert len(others) > 1
    chosen = {s.person for s in first.seats}
    for profile, reserves in first.reserves.items():
        assert not chosen & set(reserves)
        assert all(
            profile in next(p for p in instance.people if p.id == r).profiles for r in reserves
        )


DRAW_SCRIPT = """
from bench.instances import committee_instance
from opgaveudvalg.selection.draw import draw
from opgaveudvalg.selection.lottery import distribution
instance = committee_instance(applicants=80, seed=7)
result = distribution(instance)
print(sorted((s.person, s.profile) for s in draw(result, "sag/42", instance.people).seats))
"""


def test_the_draw_is_the_same_in_processes_with_different_hash_seeds() -> None:
    script = DRAW_SCRIPT
    outputs = set()
    for hash_seed in ("0", "1", "4242"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize("seats,women", list(product([4, 6], [1, 3])))
def test_probabilities_never_exceed_one_and_cover_each_profile(seats: int, women: int) -> None:
    people = tuple(
        Person(f"p{i}", frozenset({("køn", "kvinde" if i < women else "mand")}), frozenset({"a"}))
        for i in range(12)
    )
    instance = Instance(
        people, {"a": seats}, (Quota("køn", "kvinde", min(women, seats // 2), seats),)
    )
    probabilities = distribution(instance).probabilities()
    assert all(0 <= p <= 1 + 1e-9 for p in probabilities.values())
    wanted = min(women, seats // 2)
    # women get what the target forces, or the common share if that is more
    expected = max(wanted / women, seats / 12)
    assert all(probabilities[f"p{i}"] == pytest.approx(expected, abs=1e-7) for i in range(women))


# --- the fast LEXIMIN path against the plain (reference) one ---------------------------------


def random_instance(seed: int) -> Instance:
    """A small diverse pool: most applicants their own type, sometimes profiles and pairs."""
    shape = Shape(
        n=random.Random(seed).randint(14, 40),
        k=random.Random(seed + 1).randint(3, 7),
        categories=random.Random(seed + 2).randint(2, 4),
        profiles=seed % 3 == 0,
        households=seed % 4 == 1,
        seed=seed,
    )
    return diverse_instance(shape)


def concrete_seats(panel: TypePanel, types: list[PersonType]) -> list[Seat]:
    """Members of each type in order, a type's seats on several profiles going to different
    members."""
    taken: dict[int, int] = {}
    seats = []
    for index, profile, count in panel.seats:
        start = taken.get(index, 0)
        seats += [Seat(m, profile) for m in types[index].members[start : start + count]]
        taken[index] = start + count
    return seats


def fast_without_herding(instance: Instance) -> Distribution:
    """The fast path with no panels walked towards the target first, so that the pricing
    (swap search, MILP near the relaxation, full MILP) has to find them all."""
    types = person_types(instance)
    fast = FastLeximin(PanelModel(instance, types), types)
    fast.herd = 0
    fast.run()
    panels, weights = fast.final_distribution()
    return Distribution(Method.leximin, types, panels, weights, stats=fast.stats)


@pytest.mark.parametrize("seed", range(30))
def test_fast_and_plain_leximin_give_the_same_probabilities(seed: int) -> None:
    instance = random_instance(seed)
    reference = distribution(instance, plain=True).probabilities()
    for fast in (distribution(instance), fast_without_herding(instance)):
        ours = fast.probabilities()
        assert ours.keys() == reference.keys()
        assert all(abs(ours[p] - reference[p]) < 1e-6 for p in ours), seed
        assert fast.stats["levels"] >= 1
        for panel in fast.panels:
            assert panel_is_valid(instance, concrete_seats(panel, fast.types)) == []


def test_relaxation_gives_the_levels_a_target_forces() -> None:
    # 4 seats, at least 2 women among 4 women and 8 men: women 1/2 each, men the rest, 1/4
    people = tuple(
        Person(f"p{i:02d}", frozenset({("køn", "kvinde" if i < 4 else "mand")}), frozenset({"s"}))
        for i in range(12)
    )
    instance = Instance(people, {"s": 4}, (Quota("køn", "kvinde", 2, 4),))
    types = person_types(instance)
    target, levels = relaxed_leximin(PanelModel(instance, types))
    women = [i for i, kind in enumerate(types) if ("køn", "kvinde") in kind.groups]
    assert target[women] == pytest.approx([0.5])
    assert np.delete(target, women) == pytest.approx([0.25])
    assert levels == 2
    result = distribution(instance)
    assert result.stats["relaxation"] == 1.0
    assert result.type_probabilities() == pytest.approx(target, abs=1e-9)


def test_leximin_solves_level_by_level_when_no_lottery_reaches_the_relaxation() -> None:
    # profiles make the relaxation's LEXIMIN unreachable here; the levels give the LEXIMIN
    instance = random_instance(3)
    fast = distribution(instance)
    assert fast.stats["relaxation"] == 0.0
    reference = distribution(instance, plain=True).probabilities()
    assert all(abs(p - reference[i]) < 1e-6 for i, p in fast.probabilities().items())


def test_swap_search_only_makes_valid_panels_and_never_loses_weight() -> None:
    instance = diverse_instance(Shape(60, 8, 4, profiles=True, households=True, seed=3))
    types = person_types(instance)
    search = SwapSearch(instance, types)
    start = find_panel(instance)
    rng = np.random.default_rng(1)
    for _ in range(20):
        weights = rng.exponential(size=len(types))
        better = search.improve(start, weights)
        assert panel_value(better, weights) >= panel_value(start, weights) - 1e-12
        assert panel_is_valid(instance, concrete_seats(better, types)) == []
        start = better


def test_swap_search_ends_where_no_single_swap_gains() -> None:
    # checked by brute force: every member for every heavier type on the same profile seat
    instance = diverse_instance(Shape(60, 8, 4, profiles=True, households=True, seed=4))
    types = person_types(instance)
    search = SwapSearch(instance, types)
    rng = np.random.default_rng(3)
    for _ in range(10):
        weights = rng.exponential(size=len(types))
        best = search.improve(find_panel(instance), weights)
        for (out, profile, _count), new in product(best.seats, range(len(types))):
            if weights[new] <= weights[out] + 1e-9 or types[new].fixed:
                continue
            seats = dict(((i, p), c) for i, p, c in best.seats)
            seats[(out, profile)] -= 1
            seats[(new, profile)] = seats.get((new, profile), 0) + 1
            swapped = TypePanel(tuple((i, p, c) for (i, p), c in sorted(seats.items()) if c))
            members = concrete_seats(swapped, types)
            assert len(members) < instance.size or panel_is_valid(instance, members) != []


def test_swap_search_makes_the_same_swaps_in_types_arranged_at_other_weights() -> None:
    # the herding walk searches with the types in an order made several panels before
    instance = diverse_instance(Shape(300, 20, 6, profiles=True, households=True, seed=2))
    types = person_types(instance)
    search = SwapSearch(instance, types)
    rng = np.random.default_rng(8)
    for _ in range(20):
        weights, stale = rng.normal(size=(2, len(types)))
        members, places = search.seats_of(find_panel(instance))
        again = members.copy()
        ascend(search.rules, weights, members, places, 1000)
        _ascend(search.rules, weights, again, places, 1000, *arrange(search.rules, stale))
        assert again.tolist() == members.tolist()


def test_swap_search_finds_the_one_better_applicant() -> None:
    # two groups, quota 1–1 on "a": the best panel swaps the light b for the heavy b
    people = tuple(
        Person(f"p{i}", frozenset({("g", "a" if i < 2 else "b")}), frozenset({"s"}))
        for i in range(5)
    )
    instance = Instance(people, {"s": 2}, (Quota("g", "a", 1, 1), Quota("g", "b", 1, 1)))
    types = person_types(instance)
    search = SwapSearch(instance, types)
    heavy = next(i for i, t in enumerate(types) if ("g", "b") in t.groups)
    weights = np.zeros(len(types))
    weights[heavy] = 1.0
    better = search.improve(find_panel(instance), weights)
    assert panel_value(better, weights) == pytest.approx(1.0)


def test_swap_search_fills_every_seat_with_the_heaviest_applicants_when_quotas_allow() -> None:
    # every seat's best swap is the same heaviest applicant at first: each step may seat it
    # once only, and the ascent must still end on the heaviest four
    people = tuple(
        Person(f"p{i}", frozenset({("g", "a" if i % 2 else "b"), ("id", str(i))}), frozenset({"s"}))
        for i in range(12)
    )
    instance = Instance(people, {"s": 4}, (Quota("g", "a", 0, 4), Quota("g", "b", 0, 4)))
    types = person_types(instance)
    assert len(types) == len(people)
    search = SwapSearch(instance, types)
    rng = np.random.default_rng(5)
    for _ in range(10):
        weights = rng.exponential(size=len(types))
        better = search.improve(find_panel(instance), weights)
        assert sorted(better.counts(len(types)).nonzero()[0]) == sorted(np.argsort(-weights)[:4])
        assert panel_is_valid(instance, concrete_seats(better, types)) == []


def test_candidates_are_ordered_heaviest_first_with_ties_in_their_given_order() -> None:
    rng = np.random.default_rng(11)
    for size in (1, 2, 63, 64, 65, 700, 3000):
        # weights across magnitudes, rounded so that many tie
        weights = np.round(rng.exponential(size=size) * 10.0 ** rng.integers(-4, 4, size), 5)
        candidates = np.flatnonzero(weights > 0)
        expected = candidates[np.argsort(-weights[candidates], kind="stable")]
        assert heaviest_first(weights, candidates).tolist() == expected.tolist()


def test_pricing_near_the_relaxation_bounds_the_milp_and_finds_valid_panels() -> None:
    instance = diverse_instance(Shape(60, 8, 4, profiles=True, households=True, seed=3))
    types = person_types(instance)
    model, fresh = PanelModel(instance, types), PanelModel(instance, types)
    rng = np.random.default_rng(2)
    optimal = 0
    for _ in range(20):
        weights = list(rng.exponential(size=len(types)))
        best = fresh.solve(weights)
        assert best is not None
        optimum = panel_value(best, np.array(weights))
        bound, found = model.near_relaxation(weights, 0.0)
        assert bound >= optimum - 1e-9
        assert found, "a panel among the assignments the relaxation uses"
        values = [panel_value(panel, np.array(weights)) for panel in found]
        assert max(values) <= optimum + 1e-9
        optimal += max(values) >= optimum - 1e-9
        for panel in found:
            assert panel_is_valid(instance, concrete_seats(panel, types)) == []
        assert model.near_relaxation(weights, bound + 1.0) == (bound, [])  # no room: no MILP
        again = model.solve(weights)  # the shut-out assignments are open again
        assert again is not None and panel_value(again, np.array(weights)) == pytest.approx(optimum)
    assert optimal >= 10, optimal


def test_fast_leximin_with_households_prices_near_the_relaxation_and_is_exact() -> None:
    instance = diverse_instance(Shape(100, 10, 5, profiles=True, households=True, seed=2))
    fast = fast_without_herding(instance)
    assert fast.stats["guided"] >= 1
    reference = distribution(instance, plain=True).type_probabilities()
    assert fast.type_probabilities() == pytest.approx(reference, abs=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_the_interior_point_method_finds_the_lp_optimum_highs_finds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    types, panels = 30, 90
    shares = scipy.sparse.random(types, panels, density=0.2, rng=rng, format="csc")
    # even seeds: a goal some lottery reaches (θ >= 1); odd: one out of reach
    reachable = shares @ rng.dirichlet(np.ones(panels))
    goal = reachable if seed % 2 == 0 else rng.uniform(0.0, 0.3, types)
    found = reach(shares, goal)
    assert found is not None
    highs = scipy.optimize.linprog(
        c=np.append(np.zeros(panels), -1.0),  # max θ
        A_ub=scipy.sparse.hstack([-shares, goal[:, None]]),  # θ·g_i <= Σ λ_P a_iP
        b_ub=np.zeros(types),
        A_eq=np.append(np.ones(panels), 0.0)[None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * panels + [(None, None)],
        method="highs",
    )
    assert found.theta == pytest.approx(-highs.fun, abs=1e-8)
    assert (found.theta >= 1 - 1e-8) == (seed % 2 == 0)
    assert found.lottery.sum() == pytest.approx(1.0, abs=1e-9)
    assert (shares @ found.lottery - found.theta * goal).min() >= -1e-8
    # the dual: weights with goal·y = 1 under which no panel outweighs `best` (= θ)
    assert goal @ found.weights == pytest.approx(1.0, abs=1e-8)
    assert (shares.T @ found.weights).max() <= found.best + 1e-8
    assert found.best == pytest.approx(found.theta, abs=1e-8)


@pytest.mark.parametrize("seed", range(6))
def test_the_interior_point_method_stops_once_its_dual_proves_the_goal_out_of_reach(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    types, panels = 30, 90
    shares = scipy.sparse.random(types, panels, density=0.2, rng=rng, format="csc")
    reachable = seed % 2 == 0
    goal = shares @ rng.dirichlet(np.ones(panels)) if reachable else rng.uniform(0.0, 0.3, types)
    steps = []
    step = interior._InteriorPoint._step
    monkeypatch.setattr(
        interior._InteriorPoint, "_step", lambda self, *a: steps.append(1) or step(self, *a)
    )
    optimum = reach(shares, goal)
    assert optimum is not None
    to_optimum = len(steps)
    steps.clear()
    proven = reach(shares, goal, short_of=1.0)
    assert proven is not None
    if reachable:  # never proven short: the same optimum
        assert proven.theta == pytest.approx(optimum.theta, abs=1e-12)
        assert len(steps) == to_optimum
    else:  # an upper bound on θ below 1, found sooner
        assert optimum.theta - 1e-9 <= proven.theta < 1.0
        assert len(steps) < to_optimum


def herded_master(shape: Shape, herd: int) -> tuple[FastLeximin, np.ndarray]:
    """The decomposition's first master over `herd` herded panels per type, and its goal."""
    instance = diverse_instance(shape)
    types = person_types(instance)
    fast = FastLeximin(PanelModel(instance, types), types)
    fast.herd = herd
    target, _levels = relaxed_leximin(fast.model)
    fast._pin(target, np.ones(len(types), dtype=bool))
    fast._herd(target)
    fast._new_master(target, np.zeros(len(types)), interior=True)
    return fast, target


def test_the_lottery_of_most_entropy_gives_every_type_its_goal_on_the_exact_panels() -> None:
    fast, goal = herded_master(Shape(1000, 40, 8), herd=8)  # as `_few_exact` has it grow
    shares = fast._shares()
    exact = fast._exact(shares)
    assert 0 < exact.sum() < exact.size  # some herded panels miss a pinned count
    found = spread(shares[:, exact], goal, fast.sizes)
    assert found is not None
    theta, lottery = found
    assert theta >= 1 - 1e-9
    assert lottery.min() > 0 and lottery.sum() == pytest.approx(1.0, abs=1e-12)
    assert shares[:, exact] @ lottery == pytest.approx(goal, rel=1e-8)
    optimum = reach(shares, goal)  # the LP over every panel of the master agrees
    assert optimum is not None and optimum.theta == pytest.approx(1.0, abs=1e-8)


def test_the_lottery_of_most_entropy_proves_a_goal_out_of_reach() -> None:
    # 2 herded panels per type: the first master falls short (`test_the_walk_grows...`)
    fast, goal = herded_master(Shape(600, 40, 6, seed=3), herd=2)
    shares = fast._shares()
    exact = fast._exact(shares)
    for panels in (shares[:, exact], shares):
        optimum = reach(panels, goal)
        assert optimum is not None and optimum.theta < 1 - 1e-6
        found = spread(panels, goal, fast.sizes)
        assert found is not None
        bound, lottery = found
        assert optimum.theta - 1e-9 <= bound < 1 - 1e-9  # an upper bound on the LP's θ
        assert lottery.sum() == pytest.approx(1.0, abs=1e-12)


def test_pruning_the_master_keeps_its_basis_and_its_value() -> None:
    instance = diverse_instance(Shape(100, 10, 5, profiles=True, households=True, seed=1))
    types = person_types(instance)
    fast = FastLeximin(PanelModel(instance, types), types)
    target, _levels = relaxed_leximin(fast.model)
    fast._herd(target)
    fast._new_master(target, np.zeros(len(types)), interior=False)
    value = fast._solve_master(np.inf, fast._shares())[0]  # not reached: crossed over to a basis
    fast.round += fast.AGE + 1  # every panel unused for longer than it may stay
    before = len(fast.rows)
    fast._prune()
    assert 0 < len(fast.rows) < before  # the binding rows stay, the others go
    assert fast.in_master == set(fast.rows)
    assert fast._solve_master(np.inf, fast._shares())[0] == pytest.approx(value, abs=1e-9)
    assert fast.lp is not None and fast.lp.getInfo().simplex_iteration_count == 0


def test_the_fast_path_gives_the_same_lottery_every_time() -> None:
    instance = diverse_instance(Shape(100, 10, 5, seed=2))
    for solve in (distribution, fast_without_herding):
        first, second = solve(instance), solve(instance)
        assert (first.panels, first.weights) == (second.panels, second.weights)
    assert first.stats["heuristic"] >= 1  # the perturbed swap search ran


def test_herded_panels_let_the_first_master_reach_the_target() -> None:
    instance = diverse_instance(Shape(300, 10, 6))
    herded, priced = distribution(instance), fast_without_herding(instance)
    assert herded.stats["relaxation"] == priced.stats["relaxation"] == 1.0
    assert herded.stats["lp"] == herded.stats["spread"] == 1 and herded.stats["heuristic"] == 0
    assert priced.stats["lp"] > 1
    assert herded.type_probabilities() == pytest.approx(priced.type_probabilities(), abs=1e-7)


def walk_setting(
    shape: Shape,
) -> tuple[Instance, list[PersonType], SwapSearch, TypePanel, np.ndarray]:
    """A draw's instance, types, swap search, first panel and relaxation target: what a
    herding walk needs."""
    instance = diverse_instance(shape)
    types = person_types(instance)
    model = PanelModel(instance, types)
    goal, _levels = relaxed_leximin(model)
    start = model.any_panel
    assert start is not None
    return instance, types, SwapSearch(instance, types), start, goal


def test_a_herding_walk_goes_on_where_it_stopped() -> None:
    instance, _types, search, start, goal = walk_setting(Shape(200, 20, 5))
    whole = Herding(search, start, goal, 50).more(300)
    walk = Herding(search, start, goal, 50)
    assert walk.more(100) + walk.more(200) == whole
    assert walk.done == 300 and walk.included.sum() == 300 * instance.size


def test_the_walk_grows_while_the_first_master_falls_short_of_the_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 94 types: the 2 herded panels per type leave the first master short of the target, and
    # column generation from there took 27 pricing rounds
    instance = diverse_instance(Shape(600, 40, 6, seed=3))
    monkeypatch.setattr(FastLeximin, "EXACT", 0.0)  # the first master is solved whatever
    fast = distribution(instance)
    types = len(fast.types)
    assert fast.stats["relaxation"] == 1.0 and fast.stats["heuristic"] == 0
    assert fast.stats["lp"] == 2 and fast.stats["herded"] == 3 * types  # half as long again
    reference = distribution(instance, plain=True).type_probabilities()
    assert fast.type_probabilities() == pytest.approx(reference, abs=1e-6)


def test_the_walk_grows_before_a_master_with_few_panels_of_the_pinned_counts() -> None:
    # the same draw: 0.94 distinct herded panels per type have the pinned counts, under EXACT
    instance = diverse_instance(Shape(600, 40, 6, seed=3))
    fast = distribution(instance)
    assert fast.stats["relaxation"] == 1.0 and fast.stats["heuristic"] == 0
    assert fast.stats["lp"] == 1 and fast.stats["herded"] == 3 * len(fast.types)
    reference = distribution(instance, plain=True).type_probabilities()
    assert fast.type_probabilities() == pytest.approx(reference, abs=1e-6)


@pytest.mark.parametrize(
    "shape", [Shape(300, 20, 8), Shape(200, 20, 6, profiles=True, households=True)]
)
def test_a_walk_swapped_to_the_pinned_counts_has_them_on_most_of_its_valid_panels(
    shape: Shape,
) -> None:
    instance, types, search, start, target = walk_setting(shape)
    groups, counts = pinned = search.pinned(target)
    assert groups.size
    sizes = np.array([kind.size for kind in types])[:, None]

    def with_pinned_counts(panels: list[TypePanel]) -> int:
        shares = np.array([panel.counts(len(types)) for panel in panels]).T / sizes
        seated = search.group_counts(scipy.sparse.csc_matrix(shares))[groups]
        return int(np.all(np.abs(seated - counts[:, None]) < 0.5, axis=0).sum())

    plain = Herding(search, start, target, 50).more(300)
    repaired = Herding(search, start, target, 50).more(300, pinned)
    assert with_pinned_counts(repaired) > max(150, 2 * with_pinned_counts(plain))
    for panel in repaired:
        assert panel_is_valid(instance, concrete_seats(panel, types)) == []
    assert Herding(search, start, target, 50).more(300, pinned) == repaired  # every time


def test_a_walk_swapped_to_the_pinned_counts_lets_the_master_reach_the_target() -> None:
    # 496 types, 26 pinned counts: 592 of the 13,888 panels of a walk of single swaps had
    # them, and 312 pricing rounds followed (62 s)
    instance = diverse_instance(Shape(500, 40, 8, seed=2))
    lottery = distribution(instance)
    assert lottery.stats["relaxation"] == 1.0 and lottery.stats["heuristic"] == 0
    assert lottery.stats["lp"] <= 3
    target, _levels = relaxed_leximin(PanelModel(instance, lottery.types))
    assert lottery.type_probabilities() == pytest.approx(target, abs=1e-6)


def test_every_panel_of_a_lottery_reaching_the_target_has_the_pinned_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instance = diverse_instance(Shape(600, 40, 6, seed=3))
    types = person_types(instance)
    target, _levels = relaxed_leximin(PanelModel(instance, types))
    groups, counts = SwapSearch(instance, types).pinned(target)
    assert 0 < groups.size < len(instance.quotas)
    sizes = np.array([kind.size for kind in types])
    # the LP's lottery, over every panel of the master (the entropy's is over the exact ones)
    monkeypatch.setattr(leximin, "spread", lambda shares, goal, sizes: None)
    lottery = distribution(instance)
    assert lottery.stats["relaxation"] == 1.0 and lottery.stats["spread"] == 0
    keys = [instance.quotas[q].key for q in groups]
    whole = [i for i, p in enumerate(target) if p == pytest.approx(1.0, abs=1e-9)]
    assert whole  # types that are on every panel of the lottery with all their applicants
    other = 0  # the weight of panels without those counts: rounding dust of the master
    for panel, weight in zip(lottery.panels, lottery.weights, strict=True):
        seated = [
            sum(n for i, _profile, n in panel.seats if key in types[i].groups) for key in keys
        ]
        members = panel.counts(len(types))
        other += weight * (seated != counts.tolist() or any(members[whole] < sizes[whole]))
    assert other < 1e-8 * sum(lottery.weights)
