"""Draws one demo applicant after another from one seeded `random.Random`.

The generator remembers the e-mails and addresses it has used: e-mails stay unique, some
applicants share a home with an earlier one, and no two people at one address share a name.
"""

import random
from datetime import date
from pathlib import Path

from demo.answers import answer, category_for
from demo.columns import canonical_headers, category_columns, headers
from demo.motivation import motivation, task_phrase, topic
from demo.pools import ascii_letters, cumulative, faker_pools, pick, sample
from demo.vocabulary import (
    AGE_WEIGHTS,
    EMAIL_DOMAIN_WEIGHTS,
    EMAIL_DOMAINS,
    FLOORS,
    GENDERS,
    HOUSEHOLD_SHARE,
    MAX_AGE,
    MIN_AGE,
    MOBILE_PREFIXES,
    OUTSIDE_POSTCODES,
    OUTSIDE_SHARE,
    SIDES,
    UPDATES_SHARE,
)
from opgaveudvalg.mandate.model import Kompetenceprofil, Mandate


class ApplicantGenerator:
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
        # Its own stream, so the answer leaves every other value of a seed's rows as it was.
        self.updates_rng = random.Random(f"{seed}:vil_høre_om_resultatet")
        self.pools = faker_pools()
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
        self.age_cumulative = cumulative(
            next(weight for upper, weight in AGE_WEIGHTS if age <= upper) for age in self.ages
        )
        self.genders = [name for name, _ in GENDERS]
        self.gender_cumulative = cumulative(weight for _, weight in GENDERS)
        self.domain_cumulative = cumulative(EMAIL_DOMAIN_WEIGHTS)
        self.profile_weights: dict[tuple[int, bool], list[float]] = {}
        self.categories = [category_for(mandate, name) for name in category_columns(mandate)]
        self.topic = topic(mandate)
        self.tasks = [phrase for task in mandate.opgaver if (phrase := task_phrase(task))]
        self.emails: set[str] = set()
        self.addresses: list[tuple[str, str, str]] = []  # (address, postcode, surname)
        self.occupants: dict[tuple[str, str], set[str]] = {}
        self.ascii: dict[str, str] = {}

    def row(self) -> dict[str, str]:
        """The next applicant, keyed by the columns of `headers`, in their order."""
        rng = self.rng
        age = pick(rng, self.ages, self.age_cumulative)
        gender = pick(rng, self.genders, self.gender_cumulative)
        address, postcode, surname = self._home()
        resident = postcode in self.resident_postcodes
        first, middle, name = self._name(gender, surname, (address, postcode))
        values = {
            "navn": name,
            "email": self._email(first, middle, surname, self.year - age),
            "telefon": _phone(rng),
            "adresse": address,
            "postnummer": postcode,
            "fødselsår": str(self.year - age),
            "køn": gender,
            "profiler": self._profiles(age, resident),
            "motivation": motivation(rng, age, resident, self.topic, self.tasks),
            "navn_må_offentliggøres": "Ja" if rng.random() < 0.78 else "Nej",
            "vil_høre_om_resultatet": "Ja" if self.updates_rng.random() < UPDATES_SHARE else "Nej",
        }
        row = {self.header[field]: value for field, value in values.items()}
        for category in self.categories:
            row[category.name] = answer(rng, category, age, resident)
        return {column: row[column] for column in self.columns}

    def _home(self) -> tuple[str, str, str]:
        """(address, postcode, surname): an earlier applicant's home, or a new one."""
        rng = self.rng
        if self.addresses and rng.random() < HOUSEHOLD_SHARE:
            address, postcode, surname = rng.choice(self.addresses)
            if rng.random() < 0.35:  # a partner or lodger with another surname
                surname = rng.choice(self.pools.last)
            return address, postcode, surname
        outside = self.allow_outside and rng.random() < OUTSIDE_SHARE
        postcode = rng.choice(self.outside if outside else self.postcodes)
        address = self._new_address(postcode)
        surname = rng.choice(self.pools.last)
        self.addresses.append((address, postcode, surname))
        return address, postcode, surname

    def _new_address(self, postcode: str) -> str:
        rng = self.rng
        taken = self.occupants
        while True:
            number = rng.randint(1, 120) if rng.random() < 0.8 else rng.randint(121, 250)
            address = f"{rng.choice(self.pools.streets)} {number}"
            if rng.random() < 0.06:
                address += rng.choice("ABC")
            if rng.random() < 0.35:
                address += f", {rng.choice(FLOORS)} {rng.choice(SIDES)}"
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
            self.ascii[text] = ascii_letters(text)
        return self.ascii[text]

    def _email(self, first: str, middle: str, surname: str, birth_year: int) -> str:
        rng = self.rng
        names = self._plain(first), self._plain(middle), self._plain(surname)
        local = rng.choice(_local_parts(*names, birth_year))
        domain = pick(rng, EMAIL_DOMAINS, self.domain_cumulative)
        email = f"{local}@{domain}"
        while email in self.emails:
            email = f"{local}{rng.randint(2, 999)}@{domain}"
        self.emails.add(email)
        return email

    def _profiles(self, age: int, resident: bool) -> str:
        rng = self.rng
        weights = self.profile_weights.get((age, resident))
        if weights is None:
            weights = [_profile_weight(p, age, resident) for p in self.profiles]
            self.profile_weights[(age, resident)] = weights
        draw = rng.random()
        count = 1 if draw < 0.55 else 2 if draw < 0.85 else 3
        count = max(1, min(count, sum(weight >= 1 for weight in weights)))  # not misfits by force
        indexes = list(range(len(self.profiles)))
        if resident:
            chosen = sample(rng, indexes, weights, count)
        else:  # a non-resident applies for a profile open to non-residents
            forced = rng.choice(self.no_residence)
            rest = [i for i in indexes if i != forced]
            chosen = [forced, *sample(rng, rest, [weights[i] for i in rest], count - 1)]
        return "; ".join(self.profiles[i].betegnelse for i in sorted(chosen))


def _local_parts(f: str, m: str, s: str, birth_year: int) -> tuple[str, ...]:
    """The local parts of an e-mail to choose from (the common one thrice): first, middle and
    surname in plain a–z."""
    yy = f"{birth_year % 100:02d}"
    return (
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


def _phone(rng: random.Random) -> str:
    """A Danish mobile number, mostly as '+45 12 34 56 78'; sometimes none."""
    draw = rng.random()
    if draw < 0.08:
        return ""
    digits = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(1_000_000):06d}"
    pairs = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return pairs if draw < 0.12 else f"+45 {pairs}"


def _profile_weight(profile: Kompetenceprofil, age: int, resident: bool) -> float:
    weight = 1.0
    band = profile.hårde_kriterier.alder
    if band:
        fits = (band.min is None or age >= band.min) and (band.max is None or age <= band.max)
        weight = 5.0 if fits else 0.04  # some pick a profile they don't qualify for
    if not resident and not profile.hårde_kriterier.bopæl_i_kommunen:
        weight *= 3
    return weight
