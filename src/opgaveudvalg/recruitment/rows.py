"""The rules one application row must satisfy, and the keys that recognise a person again.

A row is normalised into an `Application`, or gets `RowProblem`s naming the file's column and
the reason in Danish. A value that looks like a CPR number is never kept: the whole row is
refused and the value masked before it is stored in quarantine.
"""

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.mandate.model import Kompetenceprofil, Mandate
from opgaveudvalg.recruitment.columns import CATEGORY_PREFIX
from opgaveudvalg.settings import Settings
from opgaveudvalg.text import text_key

GENDERS = {
    "kvinde": "kvinde",
    "k": "kvinde",
    "female": "kvinde",
    "f": "kvinde",
    "woman": "kvinde",
    "mand": "mand",
    "m": "mand",
    "male": "mand",
    "man": "mand",
    "andet": "andet",
    "other": "andet",
    "nonbinær": "andet",
    "non-binær": "andet",
    "ønsker ikke at oplyse": "ikke oplyst",
    "vil ikke oplyse": "ikke oplyst",
    "prefer not to say": "ikke oplyst",
    "": "ikke oplyst",
}
YES = {"ja", "yes", "true", "1", "x", "j", "y"}
# DDMMYY-SSSS with a valid day and month, the separator optional; digits must not continue.
CPR_LIKE = re.compile(r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}[-\s]?\d{4}(?!\d)")
CPR_REMOVED = "[CPR-lignende tal fjernet]"
OLDEST_AGE = 110


@dataclass(frozen=True)
class IntakeRules:
    """What a valid application must satisfy, from the mandate and the settings."""

    mandate: Mandate
    postcodes: frozenset[str]
    min_age: int

    @property
    def reference_year(self) -> int:
        """Ages are counted in the year the committee starts."""
        return self.mandate.tidsplan.start.year


def intake_rules(session: Session, committee: models.Committee, settings: Settings) -> IntakeRules:
    return IntakeRules(
        current_mandate(session, committee),
        frozenset(settings.postcodes),
        settings.applicant_min_age,
    )


@dataclass
class RowProblem:
    column: str
    reason: str


@dataclass
class Application:
    """One valid row, normalised."""

    email_key: str
    values: dict[str, Any]
    profiles: list[str]
    problems: list[RowProblem] = field(default_factory=list)


# --- keys ------------------------------------------------------------------------------------


def email_key(value: str) -> str:
    return value.strip().casefold()


def household_key(address: str | None, postcode: str) -> str | None:
    """Same address and postcode → same household, however the address was typed."""
    if not address or not address.strip():
        return None
    text = text_key(address).replace(" st th", " stth").replace(" st tv", " sttv")
    return hashlib.sha256(f"{text}|{postcode}".encode()).hexdigest()[:16]


def person_key(name: str, postcode: str) -> str:
    return hashlib.sha256(f"{text_key(name)}|{postcode.strip()}".encode()).hexdigest()[:16]


def profile_lookup(mandate: Mandate) -> dict[str, Kompetenceprofil]:
    """Text key of a profile's key and of its label → the profile."""
    lookup = {}
    for profile in mandate.kompetenceprofiler:
        lookup[text_key(profile.nøgle)] = profile
        lookup[text_key(profile.betegnelse)] = profile
    return lookup


# --- CPR numbers -----------------------------------------------------------------------------


def cpr_problems(raw: dict[str, str]) -> list[RowProblem]:
    return [
        RowProblem(
            header,
            "indeholder noget, der ligner et CPR-nummer; "
            "CPR-numre må ikke indsendes, og værdien er ikke gemt",
        )
        for header, text in raw.items()
        if CPR_LIKE.search(text or "")
    ]


def mask_cpr(raw: dict[str, str]) -> dict[str, str]:
    return {key: CPR_LIKE.sub(CPR_REMOVED, text or "") for key, text in raw.items() if key}


# --- validating a row ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fields:
    """One row by field name: the stripped value and the file's column it came from."""

    by_field: dict[str, tuple[str, str]]

    @classmethod
    def of(cls, raw: dict[str, str], mapping: dict[str, str]) -> "_Fields":
        return cls(
            {name: (header, raw.get(header, "").strip()) for header, name in mapping.items()}
        )

    def value(self, name: str) -> str:
        return self.by_field.get(name, ("", ""))[1]

    def column(self, name: str) -> str:
        return self.by_field.get(name, (name, ""))[0]

    def categories(self) -> dict[str, str]:
        return {
            name.removeprefix(CATEGORY_PREFIX): text
            for name, (_, text) in self.by_field.items()
            if name.startswith(CATEGORY_PREFIX) and text
        }


def _contact_problems(fields: _Fields) -> list[RowProblem]:
    problems = []
    if not fields.value("navn"):
        problems.append(RowProblem(fields.column("navn"), "navn mangler"))
    email = fields.value("email")
    if not email:
        problems.append(RowProblem(fields.column("email"), "e-mail mangler"))
    else:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problems.append(
                RowProblem(fields.column("email"), f"'{email}' er ikke en gyldig e-mailadresse")
            )
    postcode = fields.value("postnummer")
    if not re.fullmatch(r"\d{4}", postcode):
        problems.append(
            RowProblem(fields.column("postnummer"), f"'{postcode}' er ikke et dansk postnummer")
        )
    return problems


def _person_problems(fields: _Fields, rules: IntakeRules) -> list[RowProblem]:
    problems = []
    year = fields.value("fødselsår")
    oldest, youngest = rules.reference_year - OLDEST_AGE, rules.reference_year - rules.min_age
    if not re.fullmatch(r"\d{4}", year) or not oldest <= int(year) <= youngest:
        problems.append(
            RowProblem(
                fields.column("fødselsår"),
                f"fødselsår '{year}' skal være et årstal mellem {oldest} og {youngest}",
            )
        )
    if fields.value("køn").casefold() not in GENDERS:
        problems.append(
            RowProblem(
                fields.column("køn"),
                f"ukendt køn '{fields.value('køn')}' – brug kvinde, "
                "mand, andet eller ønsker ikke at oplyse",
            )
        )
    return problems


def _chosen_profiles(
    fields: _Fields, profiles: dict[str, Kompetenceprofil]
) -> tuple[list[str], list[RowProblem]]:
    """The profile keys the applicant chose, in their order, and any unknown labels."""
    chosen: list[str] = []
    problems = []
    labels = (part.strip() for part in re.split(r"[;\n]", fields.value("profiler")))
    for label in filter(None, labels):
        profile = profiles.get(text_key(label))
        if profile is None:
            problems.append(RowProblem(fields.column("profiler"), f"ukendt profil '{label}'"))
        elif profile.nøgle not in chosen:
            chosen.append(profile.nøgle)
    return chosen, problems


def _residence_problem(
    fields: _Fields,
    chosen: list[str],
    rules: IntakeRules,
    profiles: dict[str, Kompetenceprofil],
) -> RowProblem | None:
    """A non-resident may apply only if one chosen profile is open to non-residents."""
    postcode = fields.value("postnummer")
    if postcode in rules.postcodes or not all(
        profiles[text_key(key)].hårde_kriterier.bopæl_i_kommunen for key in chosen
    ):
        return None
    return RowProblem(
        fields.column("postnummer"),
        f"postnummer {postcode} ligger uden for "
        "kommunen, og de valgte profiler kræver bopæl i kommunen",
    )


def _values(fields: _Fields) -> dict[str, Any]:
    """The applicant's columns from a row without problems."""
    return {
        "name": " ".join(fields.value("navn").split()),
        "email": fields.value("email"),
        "phone": fields.value("telefon") or None,
        "address": fields.value("adresse") or None,
        "postcode": fields.value("postnummer"),
        "birth_year": int(fields.value("fødselsår")),
        "gender": GENDERS[fields.value("køn").casefold()],
        "motivation": fields.value("motivation"),
        "publish_name": fields.value("navn_må_offentliggøres").casefold() in YES,
        "attributes": fields.categories(),
    }


def validate_row(
    raw: dict[str, str],
    mapping: dict[str, str],
    rules: IntakeRules,
    profiles: dict[str, Kompetenceprofil],
) -> Application:
    """Normalise one row; any problem goes to `problems` with the file's column name."""
    problems = cpr_problems(raw)
    if problems:
        return Application("", {}, [], problems)
    fields = _Fields.of(raw, mapping)
    problems = _contact_problems(fields) + _person_problems(fields, rules)
    chosen, unknown = _chosen_profiles(fields, profiles)
    problems += unknown
    if not chosen and not problems:
        problems.append(RowProblem(fields.column("profiler"), "vælg mindst én kompetenceprofil"))
    if not problems and (residence := _residence_problem(fields, chosen, rules, profiles)):
        problems.append(residence)
    key = email_key(fields.value("email"))
    if problems:
        return Application(key, {}, [], problems)
    return Application(key, _values(fields), chosen)
