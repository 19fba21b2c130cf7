"""The mandate (kommissorium): its YAML format, validation with file/line/field errors.

Field names are the Danish words the secretariat writes in the YAML file, so an error's
field path is exactly what the user sees in the file.
"""

import hashlib
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from opgaveudvalg.errors import UserError
from opgaveudvalg.text import text_key

Lang = Literal["da", "en"]
FieldPath = tuple[str | int, ...]


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
    nøgle: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)
    betegnelse: str = Field(min_length=1)
    beskrivelse: str | None = None
    pladser: int = Field(ge=1)
    hårde_kriterier: HårdeKriterier = HårdeKriterier()
    bløde_kriterier: list[str] = []


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


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class MandateInvalid(UserError):
    """A mandate file with one or more problems; str() lists them one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


_WHOLE_NUMBER = ("skal være et helt tal", "must be a whole number")
_NUMBER = ("skal være et tal", "must be a number")
_DATE = ("skal være en dato som 2025-02-26", "must be a date like 2025-02-26")
_YES_NO = ("skal være true eller false", "must be true or false")
_SECTION = ("skal være en sektion med underfelter", "must be a section with sub-fields")
_PYDANTIC_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("feltet mangler", "field is missing"),
    "extra_forbidden": ("ukendt felt – tjek stavningen", "unknown field – check the spelling"),
    "int_parsing": _WHOLE_NUMBER,
    "int_type": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_type": _DATE,
    "bool_parsing": _YES_NO,
    "bool_type": _YES_NO,
    "model_type": _SECTION,
    "model_attributes_type": _SECTION,
    "string_type": ("skal være tekst", "must be text"),
    "string_too_short": ("må ikke være tom", "must not be empty"),
    "string_too_long": (
        "er for lang (højst {max_length} tegn)",
        "is too long (at most {max_length})",
    ),
    "string_pattern_mismatch": (
        "må kun indeholde små bogstaver a–z, tal og bindestreg",
        "may only contain lower-case letters a–z, digits and hyphens",
    ),
    "greater_than_equal": ("skal være mindst {ge}", "must be at least {ge}"),
    "greater_than": ("skal være større end {gt}", "must be greater than {gt}"),
    "less_than_equal": ("må højst være {le}", "must be at most {le}"),
    "list_type": ("skal være en liste (linjer med '- ')", "must be a list (lines with '- ')"),
    "too_short": ("skal have mindst {min_length} punkt(er)", "needs at least {min_length} item(s)"),
    "value_error": ("ugyldig værdi: {error}", "invalid value: {error}"),
}


def _pick(lang: Lang, da: str, en: str) -> str:
    return da if lang == "da" else en


def _translate(error: Any, lang: Lang) -> str:
    texts = _PYDANTIC_MESSAGES.get(error["type"])
    if texts is None:
        return str(error["msg"])
    return _pick(lang, *texts).format(**error.get("ctx", {}))


def format_path(path: FieldPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _line_of(node: Any, path: FieldPath) -> int:
    """1-based line of the deepest part of `path` present in the ruamel document."""
    line = 0
    for part in path:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            line = lc.item(part)[0]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            line = lc.key(part)[0]
        else:
            break
        node = node[part]
    return line + 1


def _plain(node: Any) -> Any:
    """ruamel's round-trip containers and scalars as plain Python values."""
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None or isinstance(node, date):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _read_yaml(path: Path, lang: Lang) -> Any:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(
            _pick(
                lang,
                f"{name}: kan ikke læses ({exc.strerror})",
                f"{name}: cannot be read ({exc.strerror})",
            )
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise MandateInvalid(
            [
                Problem(
                    name,
                    line,
                    "",
                    _pick(
                        lang,
                        f"filen er ikke gemt som UTF-8 (byte 0x{raw[exc.start]:02X}) – gem den som UTF-8",
                        f"the file is not saved as UTF-8 (byte 0x{raw[exc.start]:02X}) – save it as UTF-8",
                    ),
                )
            ]
        ) from None
    for number, line_text in enumerate(text.splitlines(), start=1):
        indent = line_text[: len(line_text) - len(line_text.lstrip())]
        if "\t" in indent:
            raise MandateInvalid(
                [
                    Problem(
                        name,
                        number,
                        "",
                        _pick(
                            lang,
                            "tabulator i indrykningen – YAML skal indrykkes med mellemrum",
                            "tab in the indentation – YAML must be indented with spaces",
                        ),
                    )
                ]
            )
    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        detail = exc.problem or exc.context or ""
        raise MandateInvalid(
            [
                Problem(
                    name,
                    line,
                    "",
                    _pick(
                        lang,
                        f"YAML-fejl: {detail} – tjek indrykning, koloner og anførselstegn",
                        f"YAML error: {detail} – check indentation, colons and quotes",
                    ),
                )
            ]
        ) from None
    if not isinstance(document, dict):
        raise MandateInvalid(
            [
                Problem(
                    name,
                    1,
                    "",
                    _pick(
                        lang,
                        "filen skal indeholde felter som 'titel:' og 'baggrund:'",
                        "the file must contain fields such as 'titel:' and 'baggrund:'",
                    ),
                )
            ]
        )
    return document


def _cross_field_problems(mandate: Mandate, lang: Lang) -> list[tuple[FieldPath, str]]:
    """Rules that involve more than one field, each with the path it is reported at."""
    problems: list[tuple[FieldPath, str]] = []
    seats = mandate.sammensætning.borgere

    if mandate.profile_seats > seats:
        problems.append(
            (
                ("kompetenceprofiler",),
                _pick(
                    lang,
                    f"profilerne har i alt {mandate.profile_seats} pladser, men udvalget har kun "
                    f"{seats} borgerpladser (sammensætning.borgere)",
                    f"the profiles have {mandate.profile_seats} seats in all, but the committee has only "
                    f"{seats} citizen seats (sammensætning.borgere)",
                ),
            )
        )
    for field in ("nøgle", "betegnelse"):
        seen: set[str] = set()
        for index, profile in enumerate(mandate.kompetenceprofiler):
            value = getattr(profile, field)
            if value.casefold() in seen:
                problems.append(
                    (
                        ("kompetenceprofiler", index, field),
                        _pick(
                            lang,
                            f"'{value}' er brugt af en anden profil – hver profil skal være unik",
                            f"'{value}' is used by another profile – each profile must be unique",
                        ),
                    )
                )
            seen.add(value.casefold())
    for index, profile in enumerate(mandate.kompetenceprofiler):
        age = profile.hårde_kriterier.alder
        if age and age.min is not None and age.max is not None and age.min > age.max:
            problems.append(
                (
                    ("kompetenceprofiler", index, "hårde_kriterier", "alder"),
                    _pick(
                        lang,
                        f"min ({age.min}) er større end max ({age.max})",
                        f"min ({age.min}) is greater than max ({age.max})",
                    ),
                )
            )

    plan = mandate.tidsplan
    if plan.aflevering <= plan.start:
        problems.append(
            (
                ("tidsplan", "aflevering"),
                _pick(
                    lang,
                    f"afleveringen ({plan.aflevering}) skal ligge efter start ({plan.start})",
                    f"the handover ({plan.aflevering}) must come after the start ({plan.start})",
                ),
            )
        )
    deadline = mandate.rekruttering.ansøgningsfrist
    if deadline >= plan.start:
        problems.append(
            (
                ("rekruttering", "ansøgningsfrist"),
                _pick(
                    lang,
                    f"ansøgningsfristen ({deadline}) skal ligge før start ({plan.start})",
                    f"the application deadline ({deadline}) must come before the start ({plan.start})",
                ),
            )
        )
    milestones = plan.milepæle if plan.start < plan.aflevering else []  # else one error suffices
    for index, milestone in enumerate(milestones):
        if not plan.start <= milestone.dato <= plan.aflevering:
            problems.append(
                (
                    ("tidsplan", "milepæle", index, "dato"),
                    _pick(
                        lang,
                        f"{milestone.dato} ligger uden for perioden {plan.start}–{plan.aflevering}",
                        f"{milestone.dato} lies outside the period {plan.start}–{plan.aflevering}",
                    ),
                )
            )

    problems += _target_problems(mandate.repræsentationsmål, seats, lang)
    return problems


def _target_problems(
    targets: list[Repræsentationsmål], seats: int, lang: Lang
) -> list[tuple[FieldPath, str]]:
    problems: list[tuple[FieldPath, str]] = []
    keys = Counter((t.kategori.casefold(), t.gruppe.casefold()) for t in targets)
    minimum_by_category: dict[str, tuple[int, int]] = {}
    for index, target in enumerate(targets):
        path: FieldPath = ("repræsentationsmål", index)
        if all(
            bound is None
            for bound in (
                target.min_antal,
                target.max_antal,
                target.min_procent,
                target.max_procent,
            )
        ):
            problems.append(
                (
                    path,
                    _pick(
                        lang,
                        "angiv mindst én grænse: min_antal, max_antal, min_procent eller max_procent",
                        "give at least one bound: min_antal, max_antal, min_procent or max_procent",
                    ),
                )
            )
            continue
        if keys[(target.kategori.casefold(), target.gruppe.casefold())] > 1:
            problems.append(
                (
                    path,
                    _pick(
                        lang,
                        f"gruppen '{target.gruppe}' i '{target.kategori}' har mere end ét mål",
                        f"the group '{target.gruppe}' in '{target.kategori}' has more than one target",
                    ),
                )
            )
        low, high = target.seat_bounds(seats)
        if low > high:
            problems.append(
                (
                    path,
                    _pick(
                        lang,
                        f"kan ikke opfyldes: '{target.gruppe}' skal have mindst {low} og højst {high} "
                        f"af {seats} borgerpladser",
                        f"cannot be met: '{target.gruppe}' needs at least {low} and at most {high} "
                        f"of {seats} citizen seats",
                    ),
                )
            )
        category = target.kategori.casefold()
        total, first = minimum_by_category.get(category, (0, index))
        minimum_by_category[category] = (total + low, first)
    for category, (total, first) in minimum_by_category.items():
        if total > seats:
            problems.append(
                (
                    ("repræsentationsmål", first, "kategori"),
                    _pick(
                        lang,
                        f"målene for kategorien '{category}' kræver mindst {total} pladser, "
                        f"men der er kun {seats} borgerpladser",
                        f"the targets for the category '{category}' need at least {total} seats, "
                        f"but there are only {seats} citizen seats",
                    ),
                )
            )
    return problems


def load_mandate(path: Path, lang: Lang = "da") -> Mandate:
    """Read and validate a mandate file; raises MandateInvalid listing every problem found."""
    document = _read_yaml(path, lang)
    name = str(path)
    try:
        mandate = Mandate.model_validate(_plain(document))
    except ValidationError as exc:
        raise MandateInvalid(
            [
                Problem(
                    name,
                    _line_of(document, error["loc"]),
                    format_path(error["loc"]),
                    _translate(error, lang),
                )
                for error in exc.errors()
            ]
        ) from None
    problems = [
        Problem(name, _line_of(document, field_path), format_path(field_path), message)
        for field_path, message in _cross_field_problems(mandate, lang)
    ]
    if mandate.slug != path.stem:
        problems.append(
            Problem(
                name,
                _line_of(document, ("slug",)),
                "slug",
                _pick(
                    lang,
                    f"skal være det samme som filnavnet ('{path.stem}')",
                    f"must equal the file name ('{path.stem}')",
                ),
            )
        )
    if problems:
        raise MandateInvalid(problems)
    return mandate


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
