"""Selection of the citizen members: the fair lottery over the eligible applicants, the public
draw, verification, the council's appointment and later replacements.

The lottery itself is in `sortition`; this module turns the committee's applicants and mandate
into an instance, stores each run with everything needed to redo it, and keeps the members.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.committee import audit, current_mandate, decision_for, latest_mandate, transition
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.models import CommitteeStatus, MemberRole, SelectionStatus, utcnow
from opgaveudvalg.selection import lottery as sortition

OPEN_SEAT = "åben"  # citizen seats not tied to a competence profile: any eligible applicant


def software_version() -> str:
    return f"opgaveudvalg {version('opgaveudvalg')}; highspy {version('highspy')}"


# --- the instance ----------------------------------------------------------------------------


def seats(mandate: Mandate) -> dict[str, int]:
    result = {profile.nøgle: profile.pladser for profile in mandate.kompetenceprofiler}
    if mandate.open_seats > 0:
        result[OPEN_SEAT] = mandate.open_seats
    return result


def profile_labels(mandate: Mandate, lang: str = "da") -> dict[str, str]:
    labels = {profile.nøgle: profile.betegnelse for profile in mandate.kompetenceprofiler}
    labels[OPEN_SEAT] = "Åben borgerplads" if lang == "da" else "Open citizen seat"
    return labels


def quotas(mandate: Mandate) -> tuple[sortition.Quota, ...]:
    citizens = mandate.sammensætning.borgere
    return tuple(
        sortition.Quota(target.kategori, target.gruppe, *target.seat_bounds(citizens))
        for target in mandate.repræsentationsmål
    )


def build_instance(
    session: Session,
    committee: models.Committee,
    fixed: frozenset[str] = frozenset(),
    excluded: frozenset[str] = frozenset(),
) -> sortition.Instance:
    """Every applicant eligible for at least one profile, with their target groups."""
    mandate = current_mandate(session, committee)
    year = mandate.tidsplan.start.year
    eligible: dict[int, set[str]] = {}
    rows = session.exec(
        select(models.ApplicantProfile)
        .join(models.Applicant)
        .where(models.Applicant.committee_id == committee.id, col(models.ApplicantProfile.eligible))
    )
    for row in rows:
        eligible.setdefault(row.applicant_id, set()).add(row.profile_key)
    applicants = session.exec(
        select(models.Applicant).where(col(models.Applicant.id).in_(list(eligible)))
    )
    people = []
    for applicant in applicants:
        profiles = eligible[applicant.id]  # type: ignore[index]
        if mandate.open_seats > 0:
            profiles = profiles | {OPEN_SEAT}
        groups = frozenset(
            (t.kategori, t.gruppe)
            for t in mandate.repræsentationsmål
            if t.includes(year - applicant.birth_year, applicant.gender, applicant.attributes)
        )
        people.append(
            sortition.Person(
                str(applicant.id), groups, frozenset(profiles), applicant.household_key
            )
        )
    people.sort(key=lambda p: int(p.id))
    return sortition.Instance(tuple(people), seats(mandate), quotas(mandate), fixed, excluded)


def instance_to_json(instance: sortition.Instance) -> dict[str, Any]:
    return {
        "people": [
            {
                "id": p.id,
                "groups": sorted(p.groups),
                "profiles": sorted(p.profiles),
                "household": p.household,
            }
            for p in instance.people
        ],
        "seats": instance.seats,
        "quotas": [[q.category, q.group, q.min, q.max] for q in instance.quotas],
        "fixed": sorted(instance.fixed),
        "excluded": sorted(instance.excluded),
    }


def instance_from_json(data: dict[str, Any]) -> sortition.Instance:
    people = tuple(
        sortition.Person(
            p["id"],
            frozenset((c, g) for c, g in p["groups"]),
            frozenset(p["profiles"]),
            p["household"],
        )
        for p in data["people"]
    )
    return sortition.Instance(
        people,
        dict(data["seats"]),
        tuple(sortition.Quota(*q) for q in data["quotas"]),
        frozenset(data["fixed"]),
        frozenset(data["excluded"]),
    )


def distribution_to_json(result: sortition.Distribution) -> dict[str, Any]:
    return {
        "types": [
            {
                "members": list(t.members),
                "groups": sorted(t.groups),
                "profiles": list(t.profiles),
                "household": t.household,
                "fixed": t.fixed,
            }
            for t in result.types
        ],
        "panels": [[list(seat) for seat in panel.seats] for panel in result.panels],
        "weights": [str(w) for w in result.weights],  # exact integers, as text for any JSON reader
    }


def distribution_from_json(method: str, data: dict[str, Any]) -> sortition.Distribution:
    types = [
        sortition.PersonType(
            tuple(t["members"]),
            frozenset((c, g) for c, g in t["groups"]),
            tuple(t["profiles"]),
            t["household"],
            t["fixed"],
        )
        for t in data["types"]
    ]
    panels = [
        sortition.TypePanel(tuple((i, p, c) for i, p, c in panel)) for panel in data["panels"]
    ]
    return sortition.Distribution(
        sortition.Method(method), types, panels, [int(w) for w in data["weights"]]
    )


# --- infeasibility in words ------------------------------------------------------------------


def _bound_words(side: str, value: int) -> str:
    return f"mindst {value}" if side == "min" else f"højst {value}"


def _target_words(quota: sortition.Quota, seats: int) -> str:
    """'mindst 2', 'højst 1' or 'mindst 2, højst 4': the bounds that bind."""
    parts = [_bound_words("min", quota.min)] if quota.min > 0 else []
    if quota.max < seats:
        parts.append(_bound_words("max", quota.max))
    return ", ".join(parts)


def explain(relaxation: sortition.Relaxation, labels: dict[str, str], seats: int) -> list[str]:
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
) -> sortition.Instance:
    """The committee's instance; raises SelectionInfeasible, in words, when no panel exists."""
    instance = build_instance(session, committee, fixed, excluded)
    with _in_words(session, committee, instance):
        sortition.find_panel(instance)
    return instance


@contextmanager
def _in_words(
    session: Session, committee: models.Committee, instance: sortition.Instance
) -> Iterator[None]:
    """Turn the solver's Infeasible into the secretariat's explanation."""
    try:
        yield
    except sortition.Infeasible as problem:
        labels = profile_labels(current_mandate(session, committee))
        lines = explain(problem.relaxation, labels, instance.size)
        raise SelectionInfeasible(committee.slug, lines) from None


# --- runs ------------------------------------------------------------------------------------


def compute_selection(
    session: Session,
    committee: models.Committee,
    method: sortition.Method = sortition.Method.leximin,
    fixed: frozenset[str] = frozenset(),
    excluded: frozenset[str] = frozenset(),
) -> models.SelectionRun:
    """The lottery's probabilities; an earlier run not drawn yet is superseded. Once a panel
    has been drawn in public, it cannot be recomputed."""
    if committee.status != CommitteeStatus.selecting:
        raise UserError(f"'{committee.slug}' har status {committee.status.value}, ikke selecting")
    drawn = _runs(session, committee, SelectionStatus.drawn)
    if drawn:
        raise UserError(
            f"Udvælgelse {drawn[0].id} for '{committee.slug}' er allerede trukket offentligt"
        )
    instance = build_instance(session, committee, fixed, excluded)
    unknown = (fixed | excluded) - {person.id for person in instance.people}
    if unknown:
        raise UserError(
            f"Ikke egnede ansøgere til '{committee.slug}': {', '.join(sorted(unknown))}"
        )
    with _in_words(session, committee, instance):
        result = sortition.distribution(instance, method)
    for earlier in _runs(session, committee, SelectionStatus.computed):
        earlier.status = SelectionStatus.superseded
        session.add(earlier)
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
    audit(
        session,
        committee.id,
        "flow:selection",
        "selection.computed",
        run_id=run.id,
        method=method.value,
    )
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


def _redraw(run: models.SelectionRun) -> sortition.Draw:
    instance = instance_from_json(run.inputs)
    result = distribution_from_json(run.method, run.distribution)
    return sortition.draw(result, run.seed or "", instance.people)


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


def verify(session: Session, run_id: int) -> Verification:
    """Recompute the run from its stored inputs: inputs hash, fair probabilities, and the draw."""
    run = get_run(session, run_id)
    result = Verification(run_id)
    instance = instance_from_json(run.inputs)
    result.checks.append(
        ("inputs-hash genberegnet fra de gemte input", instance.inputs_hash() == run.inputs_hash)
    )
    committee = session.get(models.Committee, run.committee_id)
    current = build_instance(session, committee, instance.fixed, instance.excluded)  # type: ignore[arg-type]
    result.checks.append(
        ("ansøgerdata uændret siden udvælgelsen", current.inputs_hash() == run.inputs_hash)
    )
    again = sortition.distribution(instance, sortition.Method(run.method)).probabilities()
    same = again.keys() == run.probabilities.keys() and all(
        abs(again[k] - run.probabilities[k]) < 1e-6 for k in again
    )
    result.checks.append((f"sandsynligheder genberegnet ({run.method})", same))
    if run.seed is not None:
        drawn = _redraw(run)
        panel = [{"applicant": s.person, "profile": s.profile} for s in drawn.seats]
        result.checks.append((f"panel gentrukket med frøet '{run.seed}'", panel == run.panel))
    return result


# --- appointment and members -----------------------------------------------------------------


@dataclass(frozen=True)
class Amendment:
    remove: int
    add: int


@dataclass(frozen=True)
class Politician:
    name: str
    party: str
    role: MemberRole = MemberRole.member


ROLES = {
    "formand": MemberRole.chair,
    "næstformand": MemberRole.vice_chair,
    "medlem": MemberRole.member,
}


def politicians_path(committees_dir: Path, slug: str) -> Path:
    return committees_dir / "politikere" / f"{slug}.yaml"


def load_politicians(path: Path) -> list[Politician]:
    """The council members KB appoints: `- {navn: …, parti: …, rolle: formand|næstformand|medlem}`."""
    if not path.exists():
        return []
    rows = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or []
    if not isinstance(rows, list):
        raise UserError(f"{path}: skal være en liste af politikere (navn, parti, rolle)")
    politicians = []
    for number, row in enumerate(rows, start=1):
        where = f"{path}: politiker nr. {number}"
        if not isinstance(row, dict) or not row.get("navn") or not row.get("parti"):
            raise UserError(f"{where}: 'navn' og 'parti' skal udfyldes")
        role = ROLES.get(str(row.get("rolle", "medlem")))
        if role is None:
            raise UserError(f"{where}: rolle skal være {', '.join(ROLES)}")
        politicians.append(Politician(str(row["navn"]), str(row["parti"]), role))
    chairs = [p for p in politicians if p.role == MemberRole.chair]
    if len(chairs) > 1:
        raise UserError(f"{path}: der kan kun være én formand")
    return politicians


def record_appointment(
    session: Session,
    committee: models.Committee,
    meeting_date: date,
    agenda_item: int,
    amendments: list[Amendment],
    politicians: list[Politician],
    flow_run_id: str | None,
    actor: str,
) -> models.Appointment:
    """KB's appointment of the drawn panel (with its amendments): members from the start date."""
    if flow_run_id:
        done = session.exec(
            select(models.Appointment).where(models.Appointment.flow_run_id == flow_run_id)
        ).first()
        if done:
            return done
    run = current_run(session, committee)
    if run.status != SelectionStatus.drawn:
        raise UserError(f"Udvælgelse {run.id} for '{committee.slug}' er ikke trukket endnu")
    panel = _amended(run, amendments)
    start = current_mandate(session, committee).tidsplan.start
    assert committee.id is not None
    for seat in panel:
        session.add(
            models.Membership(
                committee_id=committee.id,
                applicant_id=int(seat["applicant"]),
                profile_key=seat["profile"],
                start_date=start,
            )
        )
    for politician in politicians:
        session.add(
            models.Membership(
                committee_id=committee.id,
                politician_name=politician.name,
                on_behalf_of=politician.party,
                role=politician.role,
                start_date=start,
            )
        )
    run.status = SelectionStatus.appointed
    session.add(run)
    appointment = models.Appointment(
        committee_id=committee.id,  # type: ignore[arg-type]
        selection_run_id=run.id,  # type: ignore[arg-type]
        meeting_date=meeting_date,
        agenda_item=agenda_item,
        amendments=[{"remove": str(a.remove), "add": str(a.add)} for a in amendments],
        flow_run_id=flow_run_id,
    )
    session.add(appointment)
    problems = sortition.panel_is_valid(instance_from_json(run.inputs), _seats(panel))
    transition(session, committee, CommitteeStatus.appointed, actor, "; ".join(problems) or None)
    audit(
        session,
        committee.id,
        actor,
        "members.appointed",
        run_id=run.id,
        citizens=len(panel),
        politicians=len(politicians),
        target_problems=problems,
    )
    return appointment


def _seats(panel: list[dict[str, str]]) -> list[sortition.Seat]:
    return [sortition.Seat(s["applicant"], s["profile"]) for s in panel]


def _amended(run: models.SelectionRun, amendments: list[Amendment]) -> list[dict[str, str]]:
    """KB may appoint another applicant in a proposed member's place, on the same profile."""
    panel = [dict(seat) for seat in run.panel]
    eligible = {p["id"]: set(p["profiles"]) for p in run.inputs["people"]}
    for change in amendments:
        seat = next((s for s in panel if s["applicant"] == str(change.remove)), None)
        if seat is None:
            raise UserError(f"Ansøger {change.remove} er ikke indstillet og kan ikke udskiftes")
        if seat["profile"] not in eligible.get(str(change.add), set()):
            raise UserError(f"Ansøger {change.add} er ikke egnet til profilen '{seat['profile']}'")
        if any(s["applicant"] == str(change.add) for s in panel):
            raise UserError(f"Ansøger {change.add} er allerede indstillet")
        seat["applicant"] = str(change.add)
    return panel


def members(
    session: Session, committee: models.Committee, active_on: date | None = None
) -> list[models.Membership]:
    query = select(models.Membership).where(models.Membership.committee_id == committee.id)
    rows = list(session.exec(query.order_by(col(models.Membership.id))))
    return [m for m in rows if active_on is None or _holds_seat(m, active_on)]


def _holds_seat(membership: models.Membership, day: date) -> bool:
    """Not ended by `day`; a seat given up before the committee started was never held."""
    end = membership.end_date
    return end is None or (end > day and end > membership.start_date)


def replace_member(
    session: Session,
    committee: models.Committee,
    applicant_id: int,
    today: date,
    reason: str,
    actor: str,
) -> models.Membership:
    """Fill a vacated citizen seat with the first reserve who keeps the profile, the targets
    and the household rule; the change is in the audit log."""
    active = [m for m in members(session, committee) if m.applicant_id and m.end_date is None]
    leaving = next((m for m in active if m.applicant_id == applicant_id), None)
    if leaving is None:
        raise UserError(f"Ansøger {applicant_id} er ikke medlem af '{committee.slug}'")
    run = _runs(session, committee, SelectionStatus.appointed)[0]
    instance = instance_from_json(run.inputs)
    staying = [
        sortition.Seat(str(m.applicant_id), m.profile_key or "") for m in active if m is not leaving
    ]
    ever = {str(m.applicant_id) for m in members(session, committee)}
    for candidate in run.reserves.get(leaving.profile_key or "", []):
        if candidate in ever:
            continue
        trial = [*staying, sortition.Seat(candidate, leaving.profile_key or "")]
        if not sortition.panel_is_valid(instance, trial):
            return _swap(session, committee, leaving, int(candidate), today, reason, actor)
    raise UserError(
        f"Ingen reserve til profilen '{leaving.profile_key}' kan træde ind uden at bryde "
        "repræsentationsmålene eller husstandsreglen – overvej at lempe et mål i kommissoriet"
    )


def _swap(
    session: Session,
    committee: models.Committee,
    leaving: models.Membership,
    candidate: int,
    today: date,
    reason: str,
    actor: str,
) -> models.Membership:
    effective = max(today, leaving.start_date)  # a seat given up before the start changes then
    leaving.end_date = effective
    leaving.end_reason = reason
    session.add(leaving)
    successor = models.Membership(
        committee_id=committee.id,  # type: ignore[arg-type]
        applicant_id=candidate,
        profile_key=leaving.profile_key,
        start_date=effective,
    )
    session.add(successor)
    audit(
        session,
        committee.id,
        actor,
        "members.replaced",
        reason,
        left=leaving.applicant_id,
        joined=candidate,
        profile=leaving.profile_key,
    )
    return successor
