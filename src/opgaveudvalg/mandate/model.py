"""The mandate (kommissorium): its YAML format, validation with file/line/field errors.

Field names are the Danish words the secretariat writes in the YAML file, so an error's
field path is exactly what the user sees in the file.
"""

import hashlib
import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field

from opgaveudvalg.text import text_key


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Økonomi(_Section):
    beløb_kr: int | None = Field(default=None, ge=0)
    beskrivelse: str = Field(min_length=1)


class Rammer(_Section):
    økonomi: Økonomi
    love_og_politikker: list[str] = []
    ikke_til_forhandling: list[str] = []
    øvrige: list[str] = []


class Interessent(_Section):
    organisation: str = Field(min_length=1)
    pladser: int = Field(ge=1)


class Sammensætning(_Section):
    borgere: int = Field(default=10, ge=1, le=100)
    politikere: int = Field(default=5, ge=0, le=31)
    formand: str = Field(min_length=1)
    næstformand: str | None = None
    øvrige_interessenter: list[Interessent] = []


class Aldersinterval(_Section):
    min: int | None = Field(default=None, ge=0, le=120)
    max: int | None = Field(default=None, ge=0, le=120)


class HårdeKriterier(_Section):
    alder: Aldersinterval | None = None
    bopæl_i_kommunen: bool = True


class Kompetenceprofil(_Section):
    """`betegnelse` and `beskrivelse` speak to the applicant ("Du er …") as the call does; the
    optional neutral forms are what the kommissorium, which KB approves, says of the seat."""

    nøgle: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)
    betegnelse: str = Field(min_length=1)
    betegnelse_neutral: str | None = Field(default=None, min_length=1)
    beskrivelse: str | None = None
    beskrivelse_neutral: str | None = Field(default=None, min_length=1)
    pladser: int = Field(ge=1)
    hårde_kriterier: HårdeKriterier = HårdeKriterier()
    bløde_kriterier: list[str] = []


_SECOND_PERSON = re.compile(r"\b(du|dig|din|dit|dine)\b", re.IGNORECASE)
_NEUTRAL_PRONOUN = {"du": "vedkommende", "dig": "vedkommende"}


def speaks_to_applicant(text: str) -> bool:
    """Whether the text addresses the applicant in the second person ("Du er …", "din …")."""
    return _SECOND_PERSON.search(text) is not None


def neutral_label(profile: Kompetenceprofil) -> str:
    """The profile's name in a document about the seat rather than to the applicant: its
    `betegnelse_neutral`, else its `betegnelse` when that is not written to "du", else that
    sentence turned into the third person ("Du er ung …" → "Borger, der er ung …")."""
    if profile.betegnelse_neutral:
        return profile.betegnelse_neutral
    label = profile.betegnelse
    if not speaks_to_applicant(label):
        return label
    rest = re.sub(r"^du\s+", "", label, flags=re.IGNORECASE)
    prefix = "Borger, der " if rest != label else ""
    return prefix + _SECOND_PERSON.sub(
        lambda m: _NEUTRAL_PRONOUN.get(m[1].lower(), "vedkommendes"), rest
    )


class Repræsentationsmål(_Section):
    """A balance target for one group of a category, as counts or percentages of citizen seats.

    Who belongs to the group: by age at the committee's start when `alder` is given; by gender
    for the category 'køn'; otherwise by the applicant's answer in the column named `kategori`.
    """

    kategori: str = Field(min_length=1)
    gruppe: str = Field(min_length=1)
    alder: Aldersinterval | None = None
    min_antal: int | None = Field(default=None, ge=0)
    max_antal: int | None = Field(default=None, ge=0)
    min_procent: float | None = Field(default=None, ge=0, le=100)
    max_procent: float | None = Field(default=None, ge=0, le=100)

    def seat_bounds(self, seats: int) -> tuple[int, int]:
        """The least and most seats the group may hold among `seats` citizen seats."""
        low = max(
            self.min_antal or 0,
            math.ceil(round(seats * self.min_procent / 100, 9)) if self.min_procent else 0,
        )
        highs = [seats]
        if self.max_antal is not None:
            highs.append(self.max_antal)
        if self.max_procent is not None:
            highs.append(math.floor(round(seats * self.max_procent / 100, 9)))
        return low, min(highs)

    def includes(self, age: int, gender: str, answers: Mapping[str, str]) -> bool:
        """Whether a person of this age (at the start), gender and answers is in the group."""
        if self.alder is not None:
            return (self.alder.min is None or age >= self.alder.min) and (
                self.alder.max is None or age <= self.alder.max
            )
        if self.kategori.casefold() == "køn":
            return gender.casefold() == self.gruppe.casefold()
        return text_key(answers.get(self.kategori, "")) == text_key(self.gruppe)


class Arbejdsform(_Section):
    beskrivelse: str = Field(min_length=1)
    arbejdsgrupper: list[str] = []
    dialogmøder: list[str] = []


class Milepæl(_Section):
    dato: date
    beskrivelse: str = Field(min_length=1)


class Tidsplan(_Section):
    start: date
    antal_møder: int = Field(ge=1, le=60)
    mødelængde_timer: float = Field(gt=0, le=12)
    aflevering: date
    milepæle: list[Milepæl] = []

    @property
    def months(self) -> int:
        """Whole months from start to handover, rounded to the nearest month."""
        return round((self.aflevering - self.start).days / 30.44)


class Rekruttering(_Section):
    """The public call: deadline, how to apply, and extra balance questions in the form."""

    ansøgningsfrist: date
    ansøgning: str = Field(min_length=1)
    spørgsmål: list[str] = []


class Kontaktperson(_Section):
    navn: str = Field(min_length=1)
    titel: str = Field(min_length=1)
    email: EmailStr
    telefon: Annotated[str, BeforeValidator(str)] | None = None  # 39986124 is a phone number, too


class Organisering(_Section):
    fagudvalg: str = Field(min_length=1)
    sekretariat: str = Field(min_length=1)
    facilitatorer: list[str] = []
    kontaktperson: Kontaktperson


class Mandate(_Section):
    """A complete kommissorium with the 11 sections of DOMAIN.md."""

    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)
    titel: str = Field(min_length=1)
    baggrund: str = Field(min_length=1)
    formål: str = Field(min_length=1)
    opgaver: list[str] = Field(min_length=1)
    rammer: Rammer
    leverance: str = Field(min_length=1)
    sammensætning: Sammensætning
    kompetenceprofiler: list[Kompetenceprofil] = Field(min_length=1)
    repræsentationsmål: list[Repræsentationsmål] = []
    arbejdsform: Arbejdsform
    tidsplan: Tidsplan
    organisering: Organisering
    aflevering: str = Field(min_length=1)
    rekruttering: Rekruttering

    @property
    def balance_categories(self) -> list[str]:
        """The categories applicants are asked about, in the order the mandate names them."""
        names = [target.kategori for target in self.repræsentationsmål]
        return list(dict.fromkeys([*names, *self.rekruttering.spørgsmål]))

    @property
    def profile_seats(self) -> int:
        return sum(profile.pladser for profile in self.kompetenceprofiler)

    @property
    def open_seats(self) -> int:
        """Citizen seats not tied to a competence profile."""
        return self.sammensætning.borgere - self.profile_seats

    def content_hash(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def summary_rows(mandate: Mandate) -> list[dict[str, object]]:
    """The mandate's aggregates (no names, no contact details) for dashboards and artifacts."""
    plan = mandate.tidsplan
    return [
        {"nøgletal": "borgerpladser", "værdi": mandate.sammensætning.borgere},
        {"nøgletal": "politikerpladser", "værdi": mandate.sammensætning.politikere},
        {"nøgletal": "kompetenceprofiler", "værdi": len(mandate.kompetenceprofiler)},
        {"nøgletal": "profilpladser", "værdi": mandate.profile_seats},
        {"nøgletal": "åbne pladser", "værdi": mandate.open_seats},
        {"nøgletal": "repræsentationsmål", "værdi": len(mandate.repræsentationsmål)},
        {"nøgletal": "møder", "værdi": plan.antal_møder},
        {"nøgletal": "mødelængde (timer)", "værdi": plan.mødelængde_timer},
        {"nøgletal": "start", "værdi": plan.start.isoformat()},
        {"nøgletal": "aflevering", "værdi": plan.aflevering.isoformat()},
        {"nøgletal": "varighed (måneder)", "værdi": plan.months},
        {"nøgletal": "økonomisk ramme (kr.)", "værdi": mandate.rammer.økonomi.beløb_kr or "–"},
    ]
