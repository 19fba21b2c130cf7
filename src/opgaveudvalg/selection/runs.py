"""Selection runs: the lottery's probabilities computed and stored with everything needed to redo
them, the public draw, and verification from the stored inputs. Infeasible targets are explained
in words. The lottery itself is in `lottery`, its instance in `instance`; the appointment and the
members are in the `members` package."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version

from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit, current_mandate, decision_for, latest_mandate
from opgaveudvalg.errors import UserError
from opgaveudvalg.models import CommitteeStatus, SelectionStatus, utcnow
from opgaveudvalg.selection import lottery
from opgaveudvalg.selection.draw import draw
from opgaveudvalg.selection.feasibility import Infeasible, Relaxation, find_panel
from opgaveudvalg.selection.instance import (
    build_instance,
    distribution_from_json,
    distribution_to_json,
    instance_from_json,
    instance_to_json,
    profile_labels,
)
from opgaveudvalg.selection.model import Distribution, Draw, Instance, Method, Quota


def software_version() -> str:
    return f"opgaveudvalg {version('opgaveudvalg')}; highspy {version('highspy')}"


# --- infeasibility in words ------------------------------------------------------------------


def _bound_words(side: str, value: int) -> str:
    return f"mindst {value}" if side == "min" else f"højst {value}"


def _target_words(quota: Quota, seats: int) -> str:
    """'mindst 2', 'højst 1' or 'mindst 2, højst 4': the bounds that bind."""
    parts = [_bound_words("min", quota.min)] if quota.min > 0 else []
    if quota.max < seats:
        parts.append(_bound_words("max", quota.max))
    return ", ".join(parts)


def explain(relaxation: Relaxation, labels: dict[str, str], seats: int) -> list[str]:
    """The reasons no panel exists, and the smallest change of targets that makes one possible."""
    lines = [
        f"Profilen '{labels.get(profile, profile)}' har {seats} pladser, men kun {eligible} egnede ansøgere"
        for profile, seats, eligible in relaxation.short_profiles
    ]
    if relaxation.conflicting:
        targets = "; ".join(
            f"{q.category} {q.group}: {_target_words(q, seats)}" for q in relaxation.conflicting
        )
        lines.append(f"Disse mål kan ikke opfyldes samtidig med de egnede ansøgere: {targets}")
    for change in relaxation.changes:
        old = change.quota.min if change.side == "min" else change.quota.max
        lines.append(
            f"Mindste lempelse: {change.quota.category} {change.quota.group}: "
            f"{_bound_words(change.side, old)} → {change.new}"
        )
    return lines


class SelectionInfeasible(UserError):
    def __init__(self, slug: str, lines: list[str]):
        self.lines = lines
        super().__init__(
            f"Der kan ikke sammensættes et udvalg til '{slug}':\n  " + "\n  ".join(lines)
        )


def check_feasible(
    session: Session,
    committee: models.Committee,
    fixed: frozenset[str] = frozenset(),
    excluded: frozenset[str] = frozenset(),
) -> Instance:
    """The committee's instance; raises SelectionInfeasible, in words, when no panel exists."""
    instance = build_instance(session, committee, fixed, excluded)
    with _in_words(session, committee, instance):
        find_panel(instance)
    return instance


@contextmanager
def _in_words(session: Session, committee: models.Committee, instance: Instance) -> Iterator[None]:
    """Turn the solver's Infeasible into the secretariat's explanation."""
    try:
        yield
    except Infeasible as problem:
        labels = profile_labels(current_mandate(session, committee))
        lines = explain(problem.relaxation, labels, instance.size)
        raise SelectionInfeasible(committee.slug, lines) from None


# --- runs ------------------------------------------------------------------------------------


def compute_selection(
    session: Session,
    committee: models.Committee,
    method: Method = Method.leximin,
    fixed: frozenset[str] = frozenset(),
    excluded: frozenset[str] = frozenset(),
) -> models.SelectionRun:
    """The lottery's probabilities; an earlier run not drawn yet is superseded. Once a panel
    has been drawn in public, it cannot be recomputed."""
    _refuse_unless_computable(session, committee)
    instance = build_instance(session, committee, fixed, excluded)
    unknown = (fixed | excluded) - {person.id for person in instance.people}
    if unknown:
        raise UserError(
            f"Ikke egnede ansøgere til '{committee.slug}': {', '.join(sorted(unknown))}"
        )
    with _in_words(session, committee, instance):
        result = lottery.distribution(instance, method)
    for earlier in _runs(session, committee, SelectionStatus.computed):
        earlier.status = SelectionStatus.superseded
        session.add(earlier)
    run = _stored_run(session, committee, method, instance, result)
    audit(
        session,
        committee.id,
        "flow:selection",
        "selection.computed",
        run_id=run.id,
        method=method.value,
    )
    return run


def open_or_compute(session: Session, committee: models.Committee) -> models.SelectionRun:
    """The newest run still waiting for its appointment (the secretariat may have computed one
    already, e.g. with a re-appointed member fixed), or else a new computation."""
    waiting = open_runs(session, committee)
    return waiting[0] if waiting else compute_selection(session, committee)


def _refuse_unless_computable(session: Session, committee: models.Committee) -> None:
    if committee.status != CommitteeStatus.selecting:
        raise UserError(f"'{committee.slug}' har status {committee.status.value}, ikke selecting")
    drawn = _runs(session, committee, SelectionStatus.drawn)
    if drawn:
        raise UserError(
            f"Udvælgelse {drawn[0].id} for '{committee.slug}' er allerede trukket offentligt"
        )


def _stored_run(
    session: Session,
    committee: models.Committee,
    method: Method,
    instance: Instance,
    result: Distribution,
) -> models.SelectionRun:
    """The run with its inputs, distribution and probabilities, flushed to get its ID."""
    run = models.SelectionRun(
        committee_id=committee.id,  # type: ignore[arg-type]
        mandate_id=latest_mandate(session, committee.id).id,  # type: ignore[arg-type, union-attr]
        method=method.value,
        software_version=software_version(),
        inputs_hash=instance.inputs_hash(),
        inputs=instance_to_json(instance),
        distribution=distribution_to_json(result),
        probabilities=result.probabilities(),
        seconds=round(result.seconds, 3),
    )
    session.add(run)
    session.flush()
    return run


def _runs(
    session: Session, committee: models.Committee, *statuses: SelectionStatus
) -> list[models.SelectionRun]:
    query = select(models.SelectionRun).where(
        models.SelectionRun.committee_id == committee.id,
        col(models.SelectionRun.status).in_(statuses),
    )
    return list(session.exec(query.order_by(col(models.SelectionRun.id).desc())))


def open_runs(session: Session, committee: models.Committee) -> list[models.SelectionRun]:
    """Runs computed or drawn but not yet appointed, newest first."""
    return _runs(session, committee, SelectionStatus.computed, SelectionStatus.drawn)


def newest_open_run(session: Session, committee: models.Committee) -> models.SelectionRun:
    """The run to draw from: the secretariat may have recomputed it (`selection compute`)."""
    runs = open_runs(session, committee)
    if not runs:
        raise UserError(f"'{committee.slug}' har ingen beregnet udvælgelse at trække fra")
    return runs[0]


def awaits_draw(session: Session, run_id: int) -> bool:
    """Whether the run still waits for the number drawn at a public meeting."""
    return get_run(session, run_id).status == SelectionStatus.computed


def appointed_run(session: Session, committee: models.Committee) -> models.SelectionRun:
    """The run whose panel KB appointed: its reserves fill vacated seats."""
    appointed = _runs(session, committee, SelectionStatus.appointed)
    if not appointed:
        raise UserError(f"'{committee.slug}' har ingen udpegning endnu")
    return appointed[0]


def current_run(session: Session, committee: models.Committee) -> models.SelectionRun:
    runs = _runs(
        session,
        committee,
        SelectionStatus.computed,
        SelectionStatus.drawn,
        SelectionStatus.appointed,
    )
    if not runs:
        raise UserError(f"'{committee.slug}' har ingen udvælgelse endnu")
    return runs[0]


def get_run(session: Session, run_id: int) -> models.SelectionRun:
    run = session.get(models.SelectionRun, run_id)
    if run is None:
        raise UserError(f"Ukendt udvælgelseskørsel {run_id}")
    return run


def public_seed(
    session: Session, committee: models.Committee, run_mandate_id: int | None, public_number: int
) -> str:
    """KB's case number for the mandate plus the number drawn at a public meeting."""
    run_mandate = session.get(models.Mandate, run_mandate_id) if run_mandate_id else None
    decision = decision_for(session, run_mandate.id) if run_mandate and run_mandate.id else None
    case = decision.case_number if decision else committee.slug
    return f"{case}/{public_number}"


def _redraw(run: models.SelectionRun) -> Draw:
    instance = instance_from_json(run.inputs)
    result = distribution_from_json(run.method, run.distribution)
    return draw(result, run.seed or "", instance.people)


def draw_panel(
    session: Session, run: models.SelectionRun, public_number: int, actor: str
) -> models.SelectionRun:
    """The public draw. Drawing again with the same number is a no-op; another number is refused."""
    committee = session.get(models.Committee, run.committee_id)
    seed = public_seed(session, committee, run.mandate_id, public_number)  # type: ignore[arg-type]
    if run.status != SelectionStatus.computed:
        if run.seed == seed:
            return run
        raise UserError(f"Udvælgelse {run.id} er allerede trukket med frøet '{run.seed}'")
    run.seed = seed
    drawn = _redraw(run)
    run.panel_index = drawn.panel_index
    run.panel = [{"applicant": s.person, "profile": s.profile} for s in drawn.seats]
    run.reserves = drawn.reserves
    run.status = SelectionStatus.drawn
    run.drawn_at = utcnow()
    session.add(run)
    audit(
        session,
        run.committee_id,
        actor,
        "selection.drawn",
        run_id=run.id,
        seed=seed,
        panel_index=drawn.panel_index,
    )
    return run


@dataclass
class Verification:
    run_id: int
    checks: list[tuple[str, bool]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(passed for _what, passed in self.checks)

    def report(self) -> str:
        lines = [f"{'OK ' if passed else 'FEJL'} {what}" for what, passed in self.checks]
        verdict = "stemmer" if self.ok else "STEMMER IKKE"
        return "\n".join([*lines, f"Udvælgelse {self.run_id}: panelet {verdict}"])


def _applicant_data_check(
    session: Session, run: models.SelectionRun, instance: Instance
) -> tuple[str, bool]:
    """The applicants' data still gives the run's inputs; once deleted on schedule, the hash
    of it kept at the deletion does (the run's own inputs are IDs and groups only)."""
    kept = session.get(models.RetainedFigures, run.committee_id)
    if kept is None:
        committee = session.get(models.Committee, run.committee_id)
        current = build_instance(session, committee, instance.fixed, instance.excluded)  # type: ignore[arg-type]
        return "ansøgerdata uændret siden udvælgelsen", current.inputs_hash() == run.inputs_hash
    day = kept.recorded_at.date().isoformat()
    if run.status != SelectionStatus.appointed:
        return f"ansøgerdata slettet {day}; kun den udpegede udvælgelse blev sammenlignet", True
    return (
        f"ansøgerdata, som de var ved sletningen {day} (hash), gav udvælgelsens input",
        kept.applicant_data_hash == run.inputs_hash,
    )


def verify(session: Session, run_id: int) -> Verification:
    """Recompute the run from its stored inputs: inputs hash, fair probabilities, and the draw."""
    run = get_run(session, run_id)
    result = Verification(run_id)
    instance = instance_from_json(run.inputs)
    result.checks.append(
        ("inputs-hash genberegnet fra de gemte input", instance.inputs_hash() == run.inputs_hash)
    )
    result.checks.append(_applicant_data_check(session, run, instance))
    again = lottery.distribution(instance, Method(run.method)).probabilities()
    same = again.keys() == run.probabilities.keys() and all(
        abs(again[k] - run.probabilities[k]) < 1e-6 for k in again
    )
    result.checks.append((f"sandsynligheder genberegnet ({run.method})", same))
    if run.seed is not None:
        drawn = _redraw(run)
        panel = [{"applicant": s.person, "profile": s.profile} for s in drawn.seats]
        result.checks.append((f"panel gentrukket med frøet '{run.seed}'", panel == run.panel))
    return result


RESERVES_PER_SEAT = 2


def reserve_places(run: models.SelectionRun, members: set[int]) -> dict[int, list[tuple[str, int]]]:
    """Who is told they are a reserve, with their place on each profile's list (every profile has
    its own list): the first RESERVES_PER_SEAT × seats on each list (at least two). Replacement
    still uses the whole list."""
    places: dict[int, list[tuple[str, int]]] = {}
    for profile, ids in run.reserves.items():
        waiting = [int(i) for i in ids if int(i) not in members]
        length = max(2, RESERVES_PER_SEAT * run.inputs["seats"][profile])
        for position, applicant in enumerate(waiting[:length], start=1):
            places.setdefault(applicant, []).append((profile, position))
    return places


def reserve_positions(run: models.SelectionRun, members: set[int]) -> dict[int, int]:
    """Each reserve's best place on any profile's list."""
    return {
        applicant: min(position for _, position in held)
        for applicant, held in reserve_places(run, members).items()
    }
