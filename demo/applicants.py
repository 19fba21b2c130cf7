"""Seeded, realistic Danish applicant pools, as a form-tool export delivers them.

Used by the demo and by benchmarks. Names and streets come from Faker's da_DK data, read once;
every row is then drawn with `random.Random(seed)`, so large pools are fast and the same seed
gives the same rows. Row i never depends on how many rows are asked for: the first rows of a
large pool are the rows of a small one with the same seed (`bad_rows` relies on this).

Rows are keyed by the canonical headers of the column map (the first alias of each field in
config/columns.yaml) plus one column per balance category that applicants answer themselves.
"""

import csv
import json
import random
import re
import unicodedata
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from openpyxl import Workbook
from ruamel.yaml import YAML

from opgaveudvalg.mandate.model import Kompetenceprofil, Mandate
from opgaveudvalg.settings import get_settings

# The application fields this module fills, as named in the column map.
FIELDS = (
    "navn",
    "email",
    "telefon",
    "adresse",
    "postnummer",
    "fødselsår",
    "køn",
    "profiler",
    "motivation",
    "navn_må_offentliggøres",
)
EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "outlook.dk", "mail.dk", "live.dk")
# Postcodes near Gentofte where legitimate non-resident applicants (e.g. a club's coach) live.
OUTSIDE_POSTCODES = ("2800", "2100", "2200", "2400", "2830", "2840", "2000", "2730")
EDUCATION = (
    "Grundskole",
    "Gymnasial uddannelse",
    "Erhvervsuddannelse",
    "Kort videregående",
    "Mellemlang videregående",
    "Lang videregående",
)
# Answer options for categories that are not targets themselves (or have extra options).
OTHER_GROUPS = {"bydel": ("Ordrup og Charlottenlund", "Skovshoved og Klampenborg")}
EMPLOYMENT = ("I arbejde", "Under uddannelse", "Ledig", "Pensionist", "Andet")
MIN_AGE, MAX_AGE = 15, 85

T = TypeVar("T")

_HOUSEHOLD_SHARE = 0.10
_OUTSIDE_SHARE = 0.05
# Relative weight of each age 15–85 among applicants: few teenagers, most 35–75.
_AGE_WEIGHTS = [
    (19, 5),
    (24, 6),
    (34, 10),
    (44, 15),
    (54, 18),
    (64, 18),
    (74, 17),
    (85, 7),
]
_GENDERS = (("kvinde", 52), ("mand", 45), ("andet", 1.5), ("ønsker ikke at oplyse", 1.5))
_MOBILE_PREFIXES = [
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29",
    "30",
    "31",
    "40",
    "41",
    "42",
    "50",
    "51",
    "52",
    "53",
    "60",
    "61",
    "71",
    "81",
    "91",
    "93",
]
_FLOORS = ("st.", "1.", "2.", "3.", "4.")
_SIDES = ("th.", "tv.", "mf.")
_JOBS = (
    "sygeplejerske",
    "ingeniør",
    "lærer",
    "pædagog",
    "tømrer",
    "revisor",
    "arkitekt",
    "it-konsulent",
    "butiksleder",
    "socialrådgiver",
    "elektriker",
    "projektleder",
    "læge",
    "fysioterapeut",
    "kontorassistent",
    "selvstændig erhvervsdrivende",
    "jurist",
    "økonom",
)
_SELF_TEEN = (
    "Jeg er {age} år og går på gymnasiet her i kommunen.",
    "Jeg er {age} år og sidder i elevrådet på min skole.",
    "Jeg går i tiende klasse og har et fritidsjob i weekenden.",
    "Jeg er ung og synes, at vi unge for sjældent bliver spurgt.",
)
_SELF_YOUNG = (
    "Jeg er {age} år og læser på universitetet.",
    "Jeg er i gang med en erhvervsuddannelse og har et job ved siden af.",
    "Jeg er {age} år og har lige fået mit første fuldtidsjob.",
    "Jeg er ung og synes, at vi unge for sjældent bliver spurgt.",
)
_SELF_ADULT = (
    "Jeg arbejder som {job} og bor her med min familie.",
    "Jeg er {job} og har to børn, der går i den lokale skole.",
    "Jeg har boet i kommunen i {years} år.",
    "Til daglig arbejder jeg som {job}.",
    "Jeg er {age} år og arbejder som {job}.",
    "Jeg er frivillig i en lokal forening og kender mange i området.",
)
_SELF_SENIOR = (
    "Jeg er pensioneret {job} og har god tid til at engagere mig.",
    "Jeg har boet i kommunen i {years} år og kender området godt.",
    "Som pensionist er jeg aktiv i flere foreninger.",
    "Jeg er {age} år, har børn og børnebørn i kommunen og følger med i det lokale.",
)
_SELF_OUTSIDE = (
    "Jeg bor ikke selv i kommunen, men jeg arbejder og er aktiv i en forening her.",
    "Jeg bor lige uden for kommunen, men min forening har hjemme her.",
)
_INTEREST_TASK = (
    "Jeg vil gerne være med til at {task}.",
    "Jeg vil især gerne bidrage til at {task}.",
    "Jeg vil gerne hjælpe med at {task}.",
)
_INTEREST_TOPIC = (
    "Jeg interesserer mig meget for {topic} og har mange idéer.",
    "{Topic} betyder meget for mig og min familie.",
    "Jeg håber at kunne bruge mine erfaringer i arbejdet med {topic}.",
    "Det er vigtigt for mig, at arbejdet med {topic} tager udgangspunkt i borgernes hverdag.",
    "Jeg har fulgt debatten om {topic} og vil gerne gøre en forskel.",
)
_CLOSERS = (
    "Jeg er god til at lytte og til at samarbejde med folk, der er uenige med mig.",
    "Jeg har tid til at deltage i alle møderne.",
    "Jeg glæder mig til at høre fra jer.",
    "Jeg har erfaring fra bestyrelsesarbejde og er vant til at arbejde i grupper.",
    "Jeg vil gerne bidrage med et blik for dem, der sjældent selv melder sig.",
    "Tak for muligheden for at være med.",
    "Jeg har ikke prøvet noget lignende før, men jeg er nysgerrig og vil gerne lære.",
    "Mit netværk i lokalområdet vil jeg gerne bruge til at inddrage flere.",
)
_SUBORDINATORS = {"hvordan", "hvilke", "hvor", "hvad", "der", "som", "fordi", "så"}
_PREPOSITIONS = {"til", "på", "om", "med", "for", "at", "af", "i", "og", "ved", "mellem"}
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


# --- column map and categories --------------------------------------------------------------


@lru_cache
def _read_headers(path: Path) -> dict[str, str]:
    aliases = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    missing = [name for name in FIELDS if not aliases.get(name)]
    if missing:
        raise ValueError(f"{path}: the column map has no alias for {', '.join(missing)}")
    return {name: str(aliases[name][0]) for name in FIELDS}


def canonical_headers(column_map: Path | None = None) -> dict[str, str]:
    """Application field → canonical header (the first alias in the column map)."""
    return dict(_read_headers(column_map or get_settings().column_map))


def category_columns(mandate: Mandate) -> list[str]:
    """Balance categories applicants answer in a column of their own: not 'køn', and not a
    category whose targets are all age bands (those come from the birth year)."""
    age_only: dict[str, bool] = {}
    for target in mandate.repræsentationsmål:
        age_only[target.kategori] = age_only.get(target.kategori, True) and bool(target.alder)
    return [
        name
        for name in mandate.balance_categories
        if name.casefold() != "køn" and not age_only.get(name, False)
    ]


def headers(mandate: Mandate, column_map: Path | None = None) -> list[str]:
    """The columns of a generated row, in order: the category columns follow 'køn'."""
    canonical = canonical_headers(column_map)
    result: list[str] = []
    for name in FIELDS:
        result.append(canonical[name])
        if name == "køn":
            result += category_columns(mandate)
    return result


# --- pools read once from Faker -------------------------------------------------------------


@dataclass(frozen=True)
class _Pools:
    female: tuple[str, ...]
    male: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]


@lru_cache
def _pools() -> _Pools:
    # Imported here: Faker is slow to import and only needed once.
    from faker import Faker
    from faker.providers.person.da_DK import Provider as Names

    fake = Faker("da_DK")
    fake.seed_instance(2027)
    streets = sorted({fake.street_name() for _ in range(2500)})
    return _Pools(
        female=tuple(Names.first_names_female),
        male=tuple(Names.first_names_male),
        last=tuple(Names.last_names),
        streets=tuple(streets),
    )


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return re.sub(r"[^a-z]", "", plain.encode("ascii", "ignore").decode().lower())


def _cumulative(weights: Iterable[float]) -> list[float]:
    total, result = 0.0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def _pick(rng: random.Random, items: Sequence[T], cumulative: list[float]) -> T:
    return items[bisect(cumulative, rng.random() * cumulative[-1])]


def _sample(rng: random.Random, items: list[int], weights: list[float], count: int) -> list[int]:
    """`count` different items, drawn by weight without replacement."""
    items, weights, chosen = list(items), list(weights), []
    for _ in range(min(count, len(items))):
        index = bisect(_cumulative(weights), rng.random() * sum(weights))
        index = min(index, len(items) - 1)
        chosen.append(items.pop(index))
        weights.pop(index)
    return chosen


def _topic(mandate: Mandate) -> str:
    match = re.match(
        r"opgaveudvalg(?:et)?\s+(?:for|om|vedrørende)\s+(.+)$", mandate.titel, re.IGNORECASE
    )
    return match.group(1).strip().rstrip(".") if match else "udvalgets arbejde"


def _task_phrase(task: str) -> str | None:
    """A task of the mandate as an 'at …' phrase: cut at its first comma or dash that leaves
    4–16 words and no dangling preposition or clause, else whole if short enough, else None."""
    text = task.strip().rstrip(".")
    cuts = [m.start() for m in re.finditer(r", | – ", text)]
    for end in [*cuts, len(text)]:
        phrase = text[:end]
        words = phrase.split()
        last_clause = re.split(r", | – ", phrase)[-1].split()
        dangling = last_clause[0].casefold() in _SUBORDINATORS and len(last_clause) < 4
        if 4 <= len(words) <= 16 and words[-1].casefold() not in _PREPOSITIONS and not dangling:
            return phrase if phrase[1:2].isupper() else phrase[:1].lower() + phrase[1:]
    return None


# --- the generator --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Category:
    name: str
    kind: str  # "bydel", "uddannelse", "beskæftigelse" or "valg"
    values: tuple[str, ...]
    cumulative: list[float]


class _Generator:
    """Draws one applicant after another; remembers e-mails and addresses already used."""

    def __init__(
        self,
        mandate: Mandate,
        seed: int,
        postcodes: list[str],
        start: date,
        column_map: Path | None,
    ):
        if not postcodes:
            raise ValueError("postcodes must name at least one postcode of the municipality")
        self.rng = random.Random(seed)
        self.pools = _pools()
        self.year = start.year
        self.header = canonical_headers(column_map)
        self.columns = headers(mandate, column_map)
        self.postcodes = list(postcodes)
        self.resident_postcodes = set(postcodes)
        self.profiles = mandate.kompetenceprofiler
        self.no_residence = [
            index
            for index, profile in enumerate(self.profiles)
            if not profile.hårde_kriterier.bopæl_i_kommunen
        ]
        self.outside = [code for code in OUTSIDE_POSTCODES if code not in self.resident_postcodes]
        self.allow_outside = bool(self.outside and self.no_residence)
        self.ages = list(range(MIN_AGE, MAX_AGE + 1))
        self.age_cumulative = _cumulative(
            next(weight for upper, weight in _AGE_WEIGHTS if age <= upper) for age in self.ages
        )
        self.genders = [name for name, _ in _GENDERS]
        self.gender_cumulative = _cumulative(weight for _, weight in _GENDERS)
        self.domain_cumulative = _cumulative((45, 20, 12, 12, 11))
        self.profile_weights: dict[tuple[int, bool], list[float]] = {}
        self.categories = [self._category(mandate, name) for name in category_columns(mandate)]
        self.topic = _topic(mandate)
        self.tasks = [phrase for task in mandate.opgaver if (phrase := _task_phrase(task))]
        self.emails: set[str] = set()
        self.addresses: list[tuple[str, str, str]] = []  # (address, postcode, surname)
        self.occupants: dict[tuple[str, str], set[str]] = {}
        self.ascii: dict[str, str] = {}

    def _category(self, mandate: Mandate, name: str) -> _Category:
        groups = [t.gruppe for t in mandate.repræsentationsmål if t.kategori == name]
        key = name.casefold()
        if key == "uddannelse":
            return _Category(name, "uddannelse", EDUCATION, [])
        if key == "beskæftigelse":
            return _Category(name, "beskæftigelse", EMPLOYMENT, [])
        extras = [g for g in OTHER_GROUPS.get(key, ()) if g not in groups]
        values = (*groups, *extras) if groups or extras else ("Ja", "Nej")
        if not extras and groups:
            values = (*values, "Andet")
        weights = [1 / (1 + 0.35 * index) for index in range(len(values))]
        return _Category(name, "bydel" if key == "bydel" else "valg", values, _cumulative(weights))

    # -- one applicant --

    def row(self) -> dict[str, str]:
        rng = self.rng
        age = _pick(rng, self.ages, self.age_cumulative)
        gender = _pick(rng, self.genders, self.gender_cumulative)
        if self.addresses and rng.random() < _HOUSEHOLD_SHARE:
            address, postcode, surname = rng.choice(self.addresses)
            if rng.random() < 0.35:  # a partner or lodger with another surname
                surname = rng.choice(self.pools.last)
        else:
            outside = self.allow_outside and rng.random() < _OUTSIDE_SHARE
            postcode = rng.choice(self.outside if outside else self.postcodes)
            address = self._new_address(postcode)
            surname = rng.choice(self.pools.last)
            self.addresses.append((address, postcode, surname))
        resident = postcode in self.resident_postcodes
        first, middle, name = self._name(gender, surname, (address, postcode))
        values = {
            "navn": name,
            "email": self._email(first, middle, surname, self.year - age),
            "telefon": self._phone(),
            "adresse": address,
            "postnummer": postcode,
            "fødselsår": str(self.year - age),
            "køn": gender,
            "profiler": self._profiles(age, resident),
            "motivation": self._motivation(age, resident),
            "navn_må_offentliggøres": "Ja" if rng.random() < 0.78 else "Nej",
        }
        row = {self.header[field]: value for field, value in values.items()}
        for category in self.categories:
            row[category.name] = self._answer(category, age, resident)
        return {column: row[column] for column in self.columns}

    def _new_address(self, postcode: str) -> str:
        rng = self.rng
        taken = self.occupants
        while True:
            number = rng.randint(1, 120) if rng.random() < 0.8 else rng.randint(121, 250)
            address = f"{rng.choice(self.pools.streets)} {number}"
            if rng.random() < 0.06:
                address += rng.choice("ABC")
            if rng.random() < 0.35:
                address += f", {rng.choice(_FLOORS)} {rng.choice(_SIDES)}"
            if (address, postcode) not in taken:
                taken[(address, postcode)] = set()
                return address

    def _name(self, gender: str, surname: str, home: tuple[str, str]) -> tuple[str, str, str]:
        rng = self.rng
        pools = self.pools
        if gender == "kvinde" or (gender != "mand" and rng.random() < 0.5):
            firsts = pools.female
        else:
            firsts = pools.male
        living_here = self.occupants[home]
        while True:
            first = rng.choice(firsts)
            middle = rng.choice(pools.last) if rng.random() < 0.25 else ""
            if middle == surname:
                middle = ""
            name = " ".join(filter(None, (first, middle, surname)))
            if name not in living_here:
                living_here.add(name)
                return first, middle, name

    def _plain(self, text: str) -> str:
        if text not in self.ascii:
            self.ascii[text] = _ascii(text)
        return self.ascii[text]

    def _email(self, first: str, middle: str, surname: str, birth_year: int) -> str:
        rng = self.rng
        f, m, s = self._plain(first), self._plain(middle), self._plain(surname)
        yy = f"{birth_year % 100:02d}"
        local = rng.choice(
            (
                f"{f}.{s}",
                f"{f}.{s}",
                f"{f}.{s}",
                f"{f}{s}",
                f"{f[0]}.{s}",
                f"{f}.{m}.{s}" if m else f"{f}.{s}{yy}",
                f"{f}_{s}",
                f"{f[0]}{m[:1]}{s[:2]}{yy}",
                f"{f}{yy}",
                f"{f}.{s}{yy}",
                f"{f}{s}{birth_year}",
                f"{s}.{f}",
            )
        )
        domain = _pick(rng, EMAIL_DOMAINS, self.domain_cumulative)
        email = f"{local}@{domain}"
        while email in self.emails:
            email = f"{local}{rng.randint(2, 999)}@{domain}"
        self.emails.add(email)
        return email

    def _phone(self) -> str:
        rng = self.rng
        draw = rng.random()
        if draw < 0.08:
            return ""
        digits = f"{rng.choice(_MOBILE_PREFIXES)}{rng.randrange(1_000_000):06d}"
        pairs = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
        return pairs if draw < 0.12 else f"+45 {pairs}"

    def _profiles(self, age: int, resident: bool) -> str:
        rng = self.rng
        weights = self.profile_weights.get((age, resident))
        if weights is None:
            weights = [self._profile_weight(p, age, resident) for p in self.profiles]
            self.profile_weights[(age, resident)] = weights
        draw = rng.random()
        count = 1 if draw < 0.55 else 2 if draw < 0.85 else 3
        count = max(1, min(count, sum(weight >= 1 for weight in weights)))  # not misfits by force
        indexes = list(range(len(self.profiles)))
        if resident:
            chosen = _sample(rng, indexes, weights, count)
        else:  # a non-resident applies for a profile open to non-residents
            forced = rng.choice(self.no_residence)
            rest = [i for i in indexes if i != forced]
            chosen = [forced, *_sample(rng, rest, [weights[i] for i in rest], count - 1)]
        return "; ".join(self.profiles[i].betegnelse for i in sorted(chosen))

    @staticmethod
    def _profile_weight(profile: Kompetenceprofil, age: int, resident: bool) -> float:
        weight = 1.0
        band = profile.hårde_kriterier.alder
        if band:
            fits = (band.min is None or age >= band.min) and (band.max is None or age <= band.max)
            weight = 5.0 if fits else 0.04  # some pick a profile they don't qualify for
        if not resident and not profile.hårde_kriterier.bopæl_i_kommunen:
            weight *= 3
        return weight

    def _motivation(self, age: int, resident: bool) -> str:
        rng = self.rng
        about: tuple[str, ...]
        if not resident:
            about = _SELF_OUTSIDE
        elif age < 20:
            about = _SELF_TEEN
        elif age < 25:
            about = _SELF_YOUNG
        elif age < 67:
            about = _SELF_ADULT
        else:
            about = _SELF_SENIOR
        if self.tasks and rng.random() < 0.5:
            interest = rng.choice(_INTEREST_TASK).format(task=rng.choice(self.tasks))
        else:
            topic = self.topic
            interest = rng.choice(_INTEREST_TOPIC).format(
                topic=topic, Topic=topic[:1].upper() + topic[1:]
            )
        draw = rng.random()
        if draw < 0.25:
            return interest
        me = rng.choice(about).format(
            age=age, job=rng.choice(_JOBS), years=rng.randint(2, max(2, age - 18))
        )
        if draw < 0.55:
            return f"{me} {interest}"
        if draw < 0.7:
            return f"{interest} {rng.choice(_CLOSERS)}"
        return f"{me} {interest} {rng.choice(_CLOSERS)}"

    def _answer(self, category: _Category, age: int, resident: bool) -> str:
        rng = self.rng
        if category.kind == "uddannelse":
            if age < 18:
                return EDUCATION[0]
            if age < 22:
                return rng.choice(EDUCATION[:3] + EDUCATION[1:2])
            return _pick(rng, EDUCATION, _EDUCATION_ADULT)
        if category.kind == "beskæftigelse":
            if age < 25:
                return rng.choice(("Under uddannelse", "Under uddannelse", "I arbejde"))
            if age >= 67:
                return rng.choice(("Pensionist", "Pensionist", "Pensionist", "I arbejde"))
            return _pick(rng, EMPLOYMENT, _EMPLOYMENT_ADULT)
        if category.kind == "bydel" and not resident:
            return ""  # lives in no part of the municipality
        return _pick(rng, category.values, category.cumulative)


_EDUCATION_ADULT = _cumulative((10, 11, 24, 7, 26, 22))
_EMPLOYMENT_ADULT = _cumulative((80, 6, 5, 4, 5))


# --- public API -----------------------------------------------------------------------------


def applicant_rows(
    mandate: Mandate,
    count: int,
    seed: int,
    postcodes: list[str],
    start: date,
    *,
    column_map: Path | None = None,
) -> Iterator[dict[str, str]]:
    """`count` valid applications, keyed by the canonical headers plus the category columns.

    Ages are 15–85 in `start`'s year. About 5 % live outside `postcodes` (only if a profile is
    open to non-residents; such applicants always choose one); about 10 % share an address with
    an earlier applicant. E-mails are unique, and no value looks like a CPR number.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    generator = _Generator(mandate, seed, postcodes, start, column_map)
    return (generator.row() for _ in range(count))


def bad_rows(
    mandate: Mandate,
    seed: int,
    postcodes: list[str],
    start: date,
    *,
    column_map: Path | None = None,
) -> list[tuple[dict[str, str], str]]:
    """Ten deliberately bad or tricky rows, each with what is wrong with it.

    The last two are valid and test deduplication against rows 0 and 1 of `applicant_rows`
    with the same seed, so they must come after those rows in a file.
    """
    first, second = applicant_rows(mandate, 2, seed, postcodes, start, column_map=column_map)
    generator = _Generator(mandate, seed + 7_919_000, postcodes, start, column_map)
    h = generator.header

    def person(name: str, email: str, gender: str, **changes: str) -> dict[str, str]:
        row = generator.row()
        row |= {h["navn"]: name, h["email"]: email, h["køn"]: gender}
        row |= {h[field]: value for field, value in changes.items()}
        return row

    update = dict(first)
    local, _, domain = first[h["email"]].partition("@")
    update[h["email"]] = f" {local.title()}@{domain.capitalize()} "
    update[h["motivation"]] = "Jeg har rettet min ansøgning: " + generator.row()[h["motivation"]]
    twin = dict(second)
    names = second[h["navn"]].split()
    twin[h["email"]] = f"{_ascii(names[0])}-{_ascii(names[-1])}@{EMAIL_DOMAINS[4]}"
    twin[h["telefon"]] = ""

    # Hyphenated names and e-mails: the generator never makes them, so no accidental duplicate.
    return [
        (
            person("Jens Hansen", "jens.hansen(at)mail.dk", "mand"),
            "invalid e-mail address",
        ),
        (
            person("Anne-Mette Kjær", "anne-mette.kjaer@gmail.com", "kvinde", postnummer="28200"),
            "postcode 28200 is not a Danish postcode",
        ),
        (
            person("Hans-Christian Berg", "hc-berg@hotmail.com", "mand", fødselsår="1850"),
            "birth year 1850 is impossible",
        ),
        (
            person("Inge-Lise Dam", "inge-lise.dam@mail.dk", "kvinde", fødselsår="firs"),
            "birth year is not a number",
        ),
        (
            person(
                "Karl-Emil Vestergaard",
                "karl-emil.v@outlook.dk",
                "mand",
                profiler="Du har erfaring med kommunal økonomi og budgetlægning",
            ),
            "profile label not in the mandate",
        ),
        (
            person("Mai-Britt Holm", "mai-britt.holm@live.dk", "kvinde", telefon="010190-1234"),
            "CPR-like number in the phone field",
        ),
        (
            person(
                "Per-Ole Lund",
                "per-ole.lund@gmail.com",
                "mand",
                motivation="Jeg vil gerne være med i udvalget, og mit cpr er 0101901234, "
                "hvis I skal bruge det.",
            ),
            "CPR-like number in the motivation",
        ),
        (
            person("Lise-Lotte Bach", "", "kvinde"),
            "e-mail is missing",
        ),
        (
            update,
            "valid: good row 0's e-mail in other case and with spaces, new motivation"
            " – should update row 0, not add an applicant",
        ),
        (
            twin,
            "valid: good row 1's name and address with another e-mail"
            " – should be flagged for review",
        ),
    ]


def demo_pool(
    mandate: Mandate,
    seed: int = 2027,
    count: int = 150,
    postcodes: list[str] | None = None,
    start: date | None = None,
    *,
    column_map: Path | None = None,
) -> Iterator[dict[str, str]]:
    """`count` good rows with the bad rows mixed in at fixed, evenly spread positions."""
    if count < 2:
        raise ValueError("a demo pool needs at least 2 good rows (the dedup rows refer to them)")
    postcodes = postcodes if postcodes is not None else get_settings().postcodes
    start = start or mandate.tidsplan.start
    good = applicant_rows(mandate, count, seed, postcodes, start, column_map=column_map)
    bad = [row for row, _ in bad_rows(mandate, seed, postcodes, start, column_map=column_map)]
    total = count + len(bad)
    positions = {(index + 1) * total // (len(bad) + 1): row for index, row in enumerate(bad)}
    return (positions[i] if i in positions else next(good) for i in range(total))


def write_demo_pool(
    mandate: Mandate,
    path: Path,
    seed: int = 2027,
    count: int = 150,
    postcodes: list[str] | None = None,
    start: date | None = None,
    *,
    column_map: Path | None = None,
) -> int:
    """The demo pool (see `demo_pool`) as a CSV file like a form-tool export; returns rows."""
    rows = demo_pool(mandate, seed, count, postcodes, start, column_map=column_map)
    return write_csv(rows, path)


def write_csv(
    rows: Iterable[dict[str, str]], path: Path, encoding: str = "utf-8-sig", delimiter: str = ";"
) -> int:
    """Rows as CSV with a header from the first row's keys; returns the number of rows."""
    iterator = iter(rows)
    first = next(iterator, None)
    count = 0
    with path.open("w", encoding=encoding, newline="") as stream:
        if first is None:
            return 0
        writer = csv.DictWriter(stream, fieldnames=list(first), delimiter=delimiter)
        writer.writeheader()
        writer.writerow(first)
        count = 1
        for row in iterator:
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(rows: Iterable[dict[str, str]], path: Path) -> int:
    """Rows as an Excel sheet 'Form1' with a header row; returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Form1")
    columns: list[str] | None = None
    count = 0
    for row in rows:
        if columns is None:
            columns = list(row)
            sheet.append(columns)
        sheet.append([row[column] for column in columns])
        count += 1
    workbook.save(path)
    return count


def write_json(rows: Iterable[dict[str, str]], path: Path) -> int:
    """Rows as a JSON array of objects (UTF-8); returns the number of rows."""
    data = list(rows)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(data)
