"""The lottery's instance: the committee's eligible applicants with their profiles and target
groups, the seats and quotas from the mandate, and the instance and distribution as JSON (what a
selection run stores, so that anyone can redo it)."""

from typing import Any

from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.mandate.model import Mandate, neutral_label
from opgaveudvalg.selection.model import (
    Distribution,
    Instance,
    Method,
    Person,
    PersonType,
    Quota,
    TypePanel,
)

OPEN_SEAT = "åben"  # citizen seats not tied to a competence profile: any eligible applicant


def seats(mandate: Mandate) -> dict[str, int]:
    result = {profile.nøgle: profile.pladser for profile in mandate.kompetenceprofiler}
    if mandate.open_seats > 0:
        result[OPEN_SEAT] = mandate.open_seats
    return result


def profile_labels(mandate: Mandate, lang: str = "da") -> dict[str, str]:
    """Each seat's name in documents about the committee: the profile's neutral name
    (`mandate.model.neutral_label`), not the call's "Du er …" sentence."""
    labels = {profile.nøgle: neutral_label(profile) for profile in mandate.kompetenceprofiler}
    labels[OPEN_SEAT] = _open_seat_label(lang)
    return labels


def _open_seat_label(lang: str) -> str:
    return "Åben borgerplads" if lang == "da" else "Open citizen seat"


def quotas(mandate: Mandate) -> tuple[Quota, ...]:
    citizens = mandate.sammensætning.borgere
    return tuple(
        Quota(target.kategori, target.gruppe, *target.seat_bounds(citizens))
        for target in mandate.repræsentationsmål
    )


def build_instance(
    session: Session,
    committee: models.Committee,
    fixed: frozenset[str] = frozenset(),
    excluded: frozenset[str] = frozenset(),
) -> Instance:
    """Every applicant eligible for at least one profile, and, when the mandate has open seats,
    every applicant who chose no profile (a candidate for the open seats only), with their
    target groups."""
    mandate = current_mandate(session, committee)
    eligible = _eligible_profiles(session, committee)
    if mandate.open_seats > 0:
        for applicant_id in _without_profile(session, committee):
            eligible.setdefault(applicant_id, set())
    applicants = session.exec(
        select(models.Applicant).where(col(models.Applicant.id).in_(list(eligible)))
    )
    people = [_person(mandate, applicant, eligible[applicant.id or 0]) for applicant in applicants]
    people.sort(key=lambda p: int(p.id))
    return Instance(tuple(people), seats(mandate), quotas(mandate), fixed, excluded)


def _eligible_profiles(session: Session, committee: models.Committee) -> dict[int, set[str]]:
    """Applicant ID → the profiles the applicant is eligible for (applicants with none left out)."""
    eligible: dict[int, set[str]] = {}
    rows = session.exec(
        select(models.ApplicantProfile)
        .join(models.Applicant)
        .where(models.Applicant.committee_id == committee.id, col(models.ApplicantProfile.eligible))
    )
    for row in rows:
        eligible.setdefault(row.applicant_id, set()).add(row.profile_key)
    return eligible


def _without_profile(session: Session, committee: models.Committee) -> list[int]:
    """Applicants who chose no profile: they applied for the open seats. The intake's row rules
    checked the open seat's conditions (residence in the municipality, the minimum age)."""
    chosen = select(models.ApplicantProfile.applicant_id)
    return [
        applicant_id
        for applicant_id in session.exec(
            select(models.Applicant.id).where(
                models.Applicant.committee_id == committee.id,
                col(models.Applicant.id).not_in(chosen),
            )
        )
        if applicant_id is not None
    ]


def _person(mandate: Mandate, applicant: models.Applicant, profiles: set[str]) -> Person:
    """The applicant as the lottery sees them: ID, target groups, profiles and household."""
    age = mandate.tidsplan.start.year - applicant.birth_year
    groups = frozenset(
        (t.kategori, t.gruppe)
        for t in mandate.repræsentationsmål
        if t.includes(age, applicant.gender, applicant.attributes)
    )
    if mandate.open_seats > 0:
        profiles = profiles | {OPEN_SEAT}
    return Person(str(applicant.id), groups, frozenset(profiles), applicant.household_key)


def instance_to_json(instance: Instance) -> dict[str, Any]:
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


def instance_from_json(data: dict[str, Any]) -> Instance:
    people = tuple(
        Person(
            p["id"],
            frozenset((c, g) for c, g in p["groups"]),
            frozenset(p["profiles"]),
            p["household"],
        )
        for p in data["people"]
    )
    return Instance(
        people,
        dict(data["seats"]),
        tuple(Quota(*q) for q in data["quotas"]),
        frozenset(data["fixed"]),
        frozenset(data["excluded"]),
    )


def distribution_to_json(result: Distribution) -> dict[str, Any]:
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


def distribution_from_json(method: str, data: dict[str, Any]) -> Distribution:
    types = [
        PersonType(
            tuple(t["members"]),
            frozenset((c, g) for c, g in t["groups"]),
            tuple(t["profiles"]),
            t["household"],
            t["fixed"],
        )
        for t in data["types"]
    ]
    panels = [TypePanel(tuple((i, p, c) for i, p, c in panel)) for panel in data["panels"]]
    return Distribution(Method(method), types, panels, [int(w) for w in data["weights"]])
