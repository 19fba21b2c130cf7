"""The recruitment's state for the secretariat: applicants per competence profile and per
representation target against the mandate, open rejects and duplicate reviews, and warnings."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.documents import text_table
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.recruitment.rows import IntakeRules, intake_rules
from opgaveudvalg.settings import Settings


@dataclass(frozen=True)
class GroupCount:
    category: str
    group: str
    count: int
    share: float
    min_seats: int
    max_seats: int
    warning: str | None


@dataclass(frozen=True)
class RecruitmentStatus:
    applicants: int
    eligible_applicants: int
    per_profile: list[tuple[str, str, int, int]]  # key, label, applied, eligible
    groups: list[GroupCount]
    open_rejects: int
    open_reviews: int
    warnings: list[str]

    def report(self) -> str:
        """The status as plain text for the terminal."""
        rows = [(r["emne"], r["antal"], r["bemærkning"]) for r in self.rows()]
        lines = text_table(("", "antal", ""), rows)
        lines += ["", "Advarsler:" if self.warnings else "Ingen advarsler."]
        return "\n".join(lines + [f"  - {warning}" for warning in self.warnings])

    def rows(self) -> list[dict[str, object]]:
        """The aggregates as table rows (no names) for the CLI and the Prefect artifact."""
        table: list[dict[str, object]] = [
            {"emne": "ansøgere i alt", "antal": self.applicants, "bemærkning": ""},
            {
                "emne": "ansøgere med mindst én opfyldt profil",
                "antal": self.eligible_applicants,
                "bemærkning": "",
            },
        ]
        table += [
            {
                "emne": f"profil {key}",
                "antal": eligible,
                "bemærkning": f"{applied} har valgt profilen, {eligible} opfylder kravene",
            }
            for key, _, applied, eligible in self.per_profile
        ]
        table += [
            {
                "emne": f"{g.category}: {g.group}",
                "antal": g.count,
                "bemærkning": f"{g.share * 100:.0f} % af de egnede; mål {g.min_seats}–{g.max_seats} pladser",
            }
            for g in self.groups
        ]
        table += [
            {"emne": "afviste rækker (uløste)", "antal": self.open_rejects, "bemærkning": ""},
            {
                "emne": "mulige dubletter til vurdering",
                "antal": self.open_reviews,
                "bemærkning": "",
            },
        ]
        return table


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _per_profile(
    mandate: Mandate, choices: Sequence[models.ApplicantProfile]
) -> tuple[list[tuple[str, str, int, int]], list[str]]:
    """(key, label, applied, eligible) per profile, and a warning for each profile short of
    eligible applicants."""
    counts: list[tuple[str, str, int, int]] = []
    warnings: list[str] = []
    for profile in mandate.kompetenceprofiler:
        picked = [c for c in choices if c.profile_key == profile.nøgle]
        ok = sum(c.eligible for c in picked)
        counts.append((profile.nøgle, profile.betegnelse, len(picked), ok))
        if ok == 0:
            warnings.append(f"Ingen egnede ansøgere til profilen '{profile.nøgle}'")
        elif ok < profile.pladser:
            warnings.append(
                f"Kun {ok} egnede ansøgere til profilen '{profile.nøgle}', "
                f"som har {profile.pladser} pladser"
            )
    return counts, warnings


def _groups(rules: IntakeRules, pool: list[models.Applicant]) -> list[GroupCount]:
    """Each representation target's count in the eligible pool, with a warning if short."""
    mandate = rules.mandate
    groups = []
    for target in mandate.repræsentationsmål:
        low, high = target.seat_bounds(mandate.sammensætning.borgere)
        count = sum(
            target.includes(rules.reference_year - a.birth_year, a.gender, a.attributes)
            for a in pool
        )
        share = count / len(pool) if pool else 0.0
        warning = None
        wanted = target.min_procent  # a share of the seats: compare with the share of the pool
        if count < low:
            warning = (
                f"{_sentence(target.gruppe)} ({target.kategori}): kun {count} egnede "
                f"ansøgere – målet kræver mindst {low}"
            )
        elif wanted and share * 100 < wanted:
            warning = (
                f"{_sentence(target.gruppe)} ({target.kategori}) udgør {share * 100:.0f} % af de "
                f"egnede ansøgere – målet er mindst {wanted:.0f} %"
            )
        groups.append(GroupCount(target.kategori, target.gruppe, count, share, low, high, warning))
    return groups


def _open_rejects(session: Session, committee: models.Committee) -> int:
    """Rejected rows not yet fixed by a later import, each row counted once."""
    return len(
        session.exec(
            select(models.QuarantinedRow.raw_hash)
            .where(
                models.QuarantinedRow.committee_id == committee.id,
                col(models.QuarantinedRow.resolved).is_(False),
            )
            .distinct()
        ).all()
    )


def _open_reviews(session: Session, committee: models.Committee) -> int:
    return len(
        session.exec(
            select(models.DuplicateReview.id).where(
                models.DuplicateReview.committee_id == committee.id,
                col(models.DuplicateReview.resolved).is_(False),
            )
        ).all()
    )


def recruitment_status(
    session: Session, committee: models.Committee, settings: Settings
) -> RecruitmentStatus:
    """Applicants per profile and per balance group against the mandate's targets, with warnings."""
    rules = intake_rules(session, committee, settings)
    applicants = session.exec(
        select(models.Applicant).where(models.Applicant.committee_id == committee.id)
    ).all()
    choices = session.exec(
        select(models.ApplicantProfile)
        .join(models.Applicant)
        .where(models.Applicant.committee_id == committee.id)
    ).all()
    eligible_ids = {c.applicant_id for c in choices if c.eligible}
    per_profile, warnings = _per_profile(rules.mandate, choices)
    pool = [a for a in applicants if a.id in eligible_ids]
    groups = _groups(rules, pool)
    warnings += [g.warning for g in groups if g.warning]
    open_rejects = _open_rejects(session, committee)
    open_reviews = _open_reviews(session, committee)
    if open_rejects:
        warnings.append(
            f"{open_rejects} afviste rækker venter på at blive rettet og importeret igen"
        )
    if open_reviews:
        warnings.append(f"{open_reviews} mulige dubletter (samme navn og adresse) skal vurderes")
    return RecruitmentStatus(
        len(applicants), len(pool), per_profile, groups, open_rejects, open_reviews, warnings
    )
