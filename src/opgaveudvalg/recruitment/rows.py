"""The rules one application row must satisfy, and the keys that recognise a person again.

A row is normalised into an `Application`, or gets `RowProblem`s naming the file's column and
the reason in Danish. A value that looks like a CPR number is never kept: the whole row is
refused and the value masked before it is stored in quarantine. The same goes for control
characters (a NUL byte breaks PostgreSQL and, later, a calendar invitation). A reason never
quotes the applicant's values: the reject report holds no personal data.

An applicant who chooses no competence profile applies for the mandate's open seats (citizen
seats not tied to a profile); that needs residence in the municipality, and a mandate without
open seats needs at least one profile.
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
from opgaveudvalg.recruitment.answers import AnswerMap, load_answer_map
from opgaveudvalg.recruitment.columns import CATEGORY_PREFIX, NAME_PARTS
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
NO = {"nej", "no", "false", "0", "n", ""}
# The optional answer whether the applicant wants to hear what becomes of the committee's
# recommendations (Applicant.wants_updates): yes or no; a missing column or an empty cell is no.
WANTS_UPDATES = "vil_høre_om_resultatet"
# DDMMYY-SSSS with a valid day and month, the separator optional; digits must not continue.
CPR_LIKE = re.compile(r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}[-\s]?\d{4}(?!\d)")
CPR_REMOVED = "[CPR-lignende tal fjernet]"
# Control characters other than tab and line breaks, and lone surrogates (from broken JSON).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_REMOVED = "\ufffd"
OLDEST_AGE = 110


@dataclass(frozen=True)
class IntakeRules:
    """What a valid application must satisfy, from the mandate and the settings."""

    mandate: Mandate
    postcodes: frozenset[str]
    min_age: int
    answers: AnswerMap = AnswerMap()

    @property
    def reference_year(self) -> int:
        """Ages are counted in the year the committee starts."""
        return self.mandate.tidsplan.start.year


def intake_rules(session: Session, committee: models.Committee, settings: Settings) -> IntakeRules:
    return IntakeRules(
        current_mandate(session, committee),
        frozenset(settings.postcodes),
        settings.applicant_min_age,
        load_answer_map(settings.answer_map),
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
    """The row as it may be stored in quarantine: CPR-like numbers and control characters out."""
    return {
        clean(key): CPR_LIKE.sub(CPR_REMOVED, clean(text or "")) for key, text in raw.items() if key
    }


# --- control characters ----------------------------------------------------------------------


def clean(text: str) -> str:
    """`text` with control characters (not tab or line breaks) replaced by U+FFFD."""
    return CONTROL.sub(CONTROL_REMOVED, text)


def control_problems(raw: dict[str, str]) -> list[RowProblem]:
    return [
        RowProblem(
            clean(header),
            "indeholder et ugyldigt tegn (et kontroltegn som NUL); ret cellen og importér igen",
        )
        for header, text in raw.items()
        if CONTROL.search(text or "")
    ]


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
        if name == "navn" and name not in self.by_field:
            return " ".join(self.value(part) for part in NAME_PARTS if self.value(part))
        return self.by_field.get(name, ("", ""))[1]

    def column(self, name: str) -> str:
        if name == "navn" and name not in self.by_field:
            parts = [self.by_field[p][0] for p in NAME_PARTS if p in self.by_field]
            return " + ".join(parts) or name
        return self.by_field.get(name, (name, ""))[0]

    def categories(self) -> dict[str, str]:
        return {
            name.removeprefix(CATEGORY_PREFIX): text
            for name, (_, text) in self.by_field.items()
            if name.startswith(CATEGORY_PREFIX) and text
        }


def raw_person_key(raw: dict[str, str], mapping: dict[str, str]) -> str | None:
    """The person key of a row, rejected or not, when it has a name and a postcode."""
    fields = _Fields.of(raw, mapping)
    name, postcode = fields.value("navn"), fields.value("postnummer")
    return person_key(name, postcode) if name and postcode else None


def _contact_problems(fields: _Fields) -> list[RowProblem]:
    problems = []
    if not fields.value("navn"):
        problems.append(RowProblem(fields.column("navn"), "navn mangler"))
    email = fields.value("email")
    if not email:
        problems.append(RowProblem(fields.column("email"), "e-mail mangler"))
    elif reason := email_problem(email):
        problems.append(RowProblem(fields.column("email"), reason))
    if not re.fullmatch(r"\d{4}", fields.value("postnummer")):
        problems.append(
            RowProblem(fields.column("postnummer"), "er ikke et dansk postnummer (fire cifre)")
        )
    return problems


def email_problem(email: str) -> str | None:
    """What is wrong with an e-mail address, in Danish and without quoting it; None if valid.
    Also used for the addresses in the secretariat's files (e.g. the politicians file)."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        return _email_reason(email, str(exc))
    return None


def _email_reason(email: str, message: str) -> str:
    """What is wrong with an address, in Danish, without quoting it (email_validator's own
    messages may echo parts of it)."""
    if "@" not in email:
        detail = "mangler @"
    elif email.count("@") > 1:
        detail = "har mere end ét @"
    elif "after the @" in message or "domain" in message.casefold():
        detail = "delen efter @ er ikke et gyldigt domæne"
    elif "before the @" in message:
        detail = "delen før @ indeholder ugyldige tegn"
    else:
        detail = "ugyldig form"
    return f"er ikke en gyldig e-mailadresse ({detail})"


def _person_problems(fields: _Fields, rules: IntakeRules) -> list[RowProblem]:
    problems = []
    year = fields.value("fødselsår")
    oldest, youngest = rules.reference_year - OLDEST_AGE, rules.reference_year - rules.min_age
    if not re.fullmatch(r"\d{4}", year) or not oldest <= int(year) <= youngest:
        problems.append(
            RowProblem(
                fields.column("fødselsår"),
                f"fødselsår skal være et årstal mellem {oldest} og {youngest}",
            )
        )
    if fields.value("køn").casefold() not in GENDERS:
        problems.append(
            RowProblem(
                fields.column("køn"),
                "ukendt køn – brug kvinde, mand, andet eller ønsker ikke at oplyse",
            )
        )
    if fields.value(WANTS_UPDATES).casefold() not in YES | NO:
        problems.append(
            RowProblem(
                fields.column(WANTS_UPDATES),
                "svaret på, om ansøgeren vil have besked om udvalgets anbefalinger, skal være "
                "ja eller nej (tomt betyder nej)",
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
    for number, label in enumerate(filter(None, labels), start=1):
        profile = profiles.get(text_key(label))
        if profile is None:
            problems.append(
                RowProblem(
                    fields.column("profiler"),
                    f"profil nr. {number} er ukendt – brug profilens nøgle eller betegnelse "
                    "fra kommissoriet",
                )
            )
        elif profile.nøgle not in chosen:
            chosen.append(profile.nøgle)
    return chosen, problems


def _residence_problem(
    fields: _Fields,
    chosen: list[str],
    rules: IntakeRules,
    profiles: dict[str, Kompetenceprofil],
) -> RowProblem | None:
    """A non-resident may apply only if one chosen profile is open to non-residents; without a
    profile the applicant applies for an open seat, which needs residence."""
    if fields.value("postnummer") in rules.postcodes or not all(
        profiles[text_key(key)].hårde_kriterier.bopæl_i_kommunen for key in chosen
    ):
        return None
    needs = (
        "de valgte profiler kræver bopæl i kommunen"
        if chosen
        else "uden valgt profil søges en åben plads, som kræver bopæl i kommunen"
    )
    return RowProblem(
        fields.column("postnummer"), f"postnummeret ligger uden for kommunen, og {needs}"
    )


def _no_profile_problem(fields: _Fields, rules: IntakeRules) -> RowProblem | None:
    """No profile chosen: fine when the mandate has open seats (any eligible applicant)."""
    if rules.mandate.open_seats > 0:
        return None
    return RowProblem(
        fields.column("profiler"),
        "kommissoriet har ingen åbne pladser; vælg mindst én kompetenceprofil",
    )


def _attributes(fields: _Fields, rules: IntakeRules) -> dict[str, str]:
    """Balance answers as the mandate's group names where they map to one (`answers`),
    otherwise as typed."""
    typed = fields.categories()
    postcode = fields.value("postnummer")
    result = {}
    for category in rules.mandate.balance_categories:
        answer = " ".join(typed.get(category, "").split())
        groups = [t.gruppe for t in rules.mandate.repræsentationsmål if t.kategori == category]
        value = rules.answers.canonical(category, answer, postcode, groups) or answer
        if value:
            result[category] = value
    return result


def _values(fields: _Fields, rules: IntakeRules) -> dict[str, Any]:
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
        "wants_updates": fields.value(WANTS_UPDATES).casefold() in YES,
        "attributes": _attributes(fields, rules),
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
    key = email_key(clean(fields.value("email")))
    problems = control_problems(raw)
    if problems:
        return Application(key, {}, [], problems)
    problems = _contact_problems(fields) + _person_problems(fields, rules)
    chosen, unknown = _chosen_profiles(fields, profiles)
    problems += unknown
    if not chosen and not unknown and (no_profile := _no_profile_problem(fields, rules)):
        problems.append(no_profile)
    if not problems and (residence := _residence_problem(fields, chosen, rules, profiles)):
        problems.append(residence)
    if problems:
        return Application(key, {}, [], problems)
    return Application(key, _values(fields, rules), chosen)
