"""The recruitment's state for the secretariat: applicants per competence profile and per
representation target against the mandate, the open seats and who applied for them, balance
answers that match no group, open rejects and duplicate reviews, and warnings."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from opgaveudvalg import models
from opgaveudvalg.documents import text_table
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.recruitment.answers import AnswerMap
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
    open_seats: int = 0
    without_profile: int = 0  # applicants who chose no profile: candidates for the open seats
    unmatched: list[tuple[str, int]] = field(default_factory=list)  # category, answers

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
        table.append(
            {
                "emne": "åbne pladser (uden bestemt profil)",
                "antal": self.open_seats,
                "bemærkning": f"{self.without_profile} ansøgere har ikke valgt en profil"
                + (" og søger kun de åbne pladser" if self.open_seats else ""),
            }
        )
        table += [
            {
                "emne": f"{g.category}: {g.group}",
                "antal": g.count,
                "bemærkning": f"{g.share * 100:.0f} % af de egnede; mål {g.min_seats}–{g.max_seats} pladser",
            }
            for g in self.groups
        ]
        table += [
            {
                "emne": f"{category}: svar uden gruppe",
                "antal": count,
                "bemærkning": "svaret passer ikke på nogen gruppe; se config/answers.yaml",
            }
            for category, count in self.unmatched
        ]
        table += [
            {
                "emne": "afviste rækker (uløste)",
                "antal": self.open_rejects,
                "bemærkning": "talt pr. ansøger: samme e-mail, ellers samme navn og postnummer, "
                "ellers samme række",
            },
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
    """Rejected rows not yet fixed by a later import, counted per applicant: the same e-mail,
    else the same name and postcode, else the same row; a person rejected in several files
    (or for several columns) counts once."""
    rows = session.exec(
        select(
            models.QuarantinedRow.email_key,
            models.QuarantinedRow.person_key,
            models.QuarantinedRow.raw_hash,
        ).where(
            models.QuarantinedRow.committee_id == committee.id,
            col(models.QuarantinedRow.resolved).is_(False),
        )
    ).all()
    return len({email or person or raw for email, person, raw in rows})


def _unmatched_answers(
    mandate: Mandate, answers: AnswerMap, applicants: Sequence[models.Applicant]
) -> list[tuple[str, int]]:
    """Per category with answer groups: applicants whose answer matched no group name."""
    result = []
    for category in mandate.balance_categories:
        groups = {
            t.gruppe
            for t in mandate.repræsentationsmål
            if t.kategori == category and t.alder is None and category.casefold() != "køn"
        }
        if not groups:
            continue
        known = groups | answers.known_groups(category)
        count = sum(
            1
            for a in applicants
            if a.attributes.get(category) and a.attributes[category] not in known
        )
        if count:
            result.append((category, count))
    return result


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
    without_profile = {a.id for a in applicants if a.id is not None} - {
        c.applicant_id for c in choices
    }
    per_profile, warnings = _per_profile(rules.mandate, choices)
    eligible_applicants = len(eligible_ids)
    if rules.mandate.open_seats > 0:  # the lottery's pool includes the open seats' candidates
        eligible_ids |= without_profile
    pool = [a for a in applicants if a.id in eligible_ids]
    groups = _groups(rules, pool)
    unmatched = _unmatched_answers(rules.mandate, rules.answers, applicants)
    warnings += [g.warning for g in groups if g.warning]
    open_rejects = _open_rejects(session, committee)
    open_reviews = _open_reviews(session, committee)
    if open_rejects:
        warnings.append(
            f"Afviste rækker fra {open_rejects} ansøgere venter på at blive rettet og "
            "importeret igen"
        )
    warnings += [
        f"{count} svar i '{category}' passer ikke på nogen gruppe og tæller ikke med i målene"
        for category, count in unmatched
    ]
    if open_reviews:
        warnings.append(f"{open_reviews} mulige dubletter (samme navn og adresse) skal vurderes")
    return RecruitmentStatus(
        len(applicants),
        eligible_applicants,
        per_profile,
        groups,
        open_rejects,
        open_reviews,
        warnings,
        rules.mandate.open_seats,
        len(without_profile),
        unmatched,
    )
