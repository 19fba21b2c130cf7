"""Representation targets from Statistics Denmark's population figures (StatBank table FOLK1A).

The client talks to the public StatBank API (https://api.statbank.dk/v1, documented at
https://www.dst.dk/da/Statistik/brug-statistikken/muligheder-i-statistikbanken/api):

- POST /tableinfo {"table": "FOLK1A", "format": "JSON", "lang": "da"} gives the table's variables
  and their value codes: OMRÅDE (municipality code, e.g. "157" Gentofte), KØN ("1" men,
  "2" women), ALDER ("0".."125" single years, plus the total "IALT"), CIVILSTAND and Tid
  (quarters like "2025K3", oldest first). The latest quarter and the valid codes come from here.
- POST /data with "format": "CSV" and "valuePresentation": "Code" gives semicolon-separated rows
  `OMRÅDE;KØN;ALDER;TID;INDHOLD` with codes, not labels. CIVILSTAND is left out of the request,
  so the API sums over it (the variable can be eliminated).
- A rejected request (HTTP 400) has a JSON body whose "message" says what was wrong.

The arithmetic turns the counts into shares of the eligible population and the shares into
`min_antal`/`max_antal` ranges in the mandate's `repræsentationsmål` format.
"""

import csv
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import Repræsentationsmål

BASE_URL = "https://api.statbank.dk/v1"
TABLE = "FOLK1A"
GENDERS = {"1": "mand", "2": "kvinde"}  # FOLK1A's KØN codes → the mandate's groups for 'køn'
GENDER_ORDER = ("kvinde", "mand")
AgeBand = tuple[str, int, int | None]  # (group label, youngest age, oldest age or None)
DEFAULT_AGE_BANDS: list[AgeBand] = [
    ("15-24 år", 15, 24),
    ("25-64 år", 25, 64),
    ("65 år og ældre", 65, None),
]


@dataclass(frozen=True)
class Population:
    """FOLK1A counts for one area and quarter: (gender 'kvinde'/'mand', age) → persons."""

    municipality_code: str
    municipality: str
    period: str
    counts: Mapping[tuple[str, int], int]
    table: str = TABLE

    @property
    def source(self) -> str:
        """A one-line source reference for comments and reports."""
        return (
            f"Danmarks Statistik, tabel {self.table}, {self.municipality} "
            f"(kommunekode {self.municipality_code}), {self.period}"
        )


@dataclass(frozen=True)
class TargetSuggestion:
    """A suggested seat range for one group; `share` is its share of the eligible population."""

    category: str
    group: str
    min_antal: int
    max_antal: int
    share: float


class StatBankClient:
    """A small client for the StatBank API; every failure is a UserError with a Danish message."""

    def __init__(
        self,
        base_url: str = BASE_URL,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def __enter__(self) -> "StatBankClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def table_info(self, table: str = TABLE) -> dict[str, Any]:
        """The table's metadata from /tableinfo, with its variables and their value codes."""
        body = {"table": table, "format": "JSON", "lang": "da"}
        response = self._post("tableinfo", table, body)
        try:
            info = json.loads(response.content)
        except ValueError:
            info = None
        if not isinstance(info, dict) or not isinstance(info.get("variables"), list):
            raise self._malformed(response, table, "metadata uden en liste af variable")
        return info

    def latest_period(self, table: str = TABLE) -> str:
        """The newest period code of the table's time variable, e.g. '2025K3'."""
        return max(_values(self.table_info(table), "Tid", table, self._url("tableinfo")))

    def population(self, municipality_code: str, period: str | None = None) -> Population:
        """FOLK1A counts by gender and single year of age; the latest quarter when period is None."""
        info = self.table_info(TABLE)
        url = self._url("tableinfo")
        area_code = str(municipality_code).strip()
        areas = _values(info, "OMRÅDE", TABLE, url)
        periods = _values(info, "Tid", TABLE, url)
        ages = [code for code in _values(info, "ALDER", TABLE, url) if code.isdigit()]
        _require(area_code in areas, f"kommunekoden '{area_code}' findes ikke i {TABLE}")
        period = period.strip() if period else max(periods)
        _require(
            period in periods,
            f"perioden '{period}' findes ikke i {TABLE} – den seneste er {max(periods)}",
        )
        body = {
            "table": TABLE,
            "format": "CSV",
            "lang": "da",
            "valuePresentation": "Code",
            "variables": [
                {"code": "OMRÅDE", "values": [area_code]},
                {"code": "KØN", "values": list(GENDERS)},
                {"code": "ALDER", "values": ages},
                {"code": "Tid", "values": [period]},
            ],
        }
        response = self._post("data", TABLE, body)
        counts = self._parse_counts(response, area_code, period)
        return Population(area_code, areas[area_code], period, counts)

    def _url(self, function: str) -> str:
        return f"{self.base_url}/{function}"

    def _post(self, function: str, table: str, body: dict[str, Any]) -> httpx.Response:
        url = self._url(function)
        try:
            response = self._http.post(url, json=body)
        except httpx.TimeoutException:
            raise UserError(
                f"Danmarks Statistik svarede ikke inden for {_number(self.timeout)} sekunder "
                f"({url}, tabel {table}) – prøv igen senere"
            ) from None
        except httpx.HTTPError as exc:
            raise UserError(
                f"kunne ikke hente tabel {table} fra Danmarks Statistik ({url}): {exc} "
                "– tjek netforbindelsen og prøv igen"
            ) from None
        if response.status_code >= 400:
            raise UserError(
                f"Danmarks Statistik afviste forespørgslen på tabel {table} ({url}, "
                f"HTTP {response.status_code}): {_error_message(response)}"
            )
        return response

    def _malformed(self, response: httpx.Response, table: str, what: str) -> UserError:
        return UserError(
            f"uventet svar fra Danmarks Statistik ({response.request.url}, tabel {table}): {what}"
        )

    def _parse_counts(
        self, response: httpx.Response, area_code: str, period: str
    ) -> dict[tuple[str, int], int]:
        try:
            return _csv_counts(response.content.decode("utf-8-sig"), area_code, period)
        except (UnicodeDecodeError, ValueError) as exc:
            raise self._malformed(response, TABLE, str(exc)) from None


def _number(value: float) -> str:
    """A number the Danish way: 2,5 and 10."""
    return f"{value:g}".replace(".", ",")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise UserError(message)


def _values(info: Mapping[str, Any], variable: str, table: str, url: str) -> dict[str, str]:
    """A variable's value codes and labels from /tableinfo metadata, in the API's order."""
    for entry in info.get("variables", []):
        if isinstance(entry, dict) and entry.get("id") == variable:
            values = {
                str(value.get("id")): str(value.get("text", ""))
                for value in entry.get("values") or []
                if isinstance(value, dict)
            }
            if values:
                return values
    raise UserError(
        f"uventet svar fra Danmarks Statistik ({url}, tabel {table}): "
        f"variablen {variable} mangler eller har ingen værdier"
    )


def _error_message(response: httpx.Response) -> str:
    """StatBank's own explanation from a JSON error body, else the start of the body."""
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return response.text.strip()[:200] or response.reason_phrase


_COLUMNS = ("område", "køn", "alder", "tid", "indhold")


def _csv_counts(text: str, area_code: str, period: str) -> dict[tuple[str, int], int]:
    """Counts from a /data CSV answer with codes; ValueError names what is wrong."""
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    header = [name.strip().casefold() for name in rows[0]] if rows else []
    if any(name not in header for name in _COLUMNS):
        raise ValueError(f"CSV-overskriften skal have kolonnerne {';'.join(_COLUMNS).upper()}")
    position = {name: header.index(name) for name in _COLUMNS}
    counts: dict[tuple[str, int], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise ValueError(f"linje {number} har {len(row)} felter, ikke {len(header)}")
        area, gender, age, time, value = (row[position[name]].strip() for name in _COLUMNS)
        if area != area_code or time != period or gender not in GENDERS or not age.isdigit():
            raise ValueError(f"linje {number} passer ikke til forespørgslen: {';'.join(row)}")
        if not value.isdigit():
            raise ValueError(f"linje {number}: '{value}' er ikke et antal personer")
        counts[(GENDERS[gender], int(age))] = int(value)
    if not counts:
        raise ValueError("svaret indeholder ingen tal")
    return counts


def age_bands_from_targets(targets: Iterable[Repræsentationsmål]) -> list[AgeBand]:
    """The age bands of a mandate's targets that have `alder`, in the mandate's order."""
    return [
        (target.gruppe, target.alder.min or 0, target.alder.max)
        for target in targets
        if target.alder is not None
    ]


def population_shares(
    counts: Mapping[tuple[str, int], int],
    age_bands: Sequence[AgeBand],
    min_age: int = 15,
    max_age: int | None = None,
) -> dict[tuple[str, str], float]:
    """Each gender's and age band's share of the population aged min_age..max_age (inclusive).

    Keys are (category, group): ('køn', 'kvinde'), ('køn', 'mand') and ('alder', label).
    An age band must lie inside the eligible ages.
    """
    eligible = {key: n for key, n in counts.items() if _within(key[1], min_age, max_age)}
    total = sum(eligible.values())
    eligible_text = _age_text(min_age, max_age)
    _require(total > 0, f"befolkningstallet for borgere {eligible_text} er 0")
    shares: dict[tuple[str, str], float] = {}
    for gender in GENDER_ORDER:
        persons = sum(n for (sex, _), n in eligible.items() if sex == gender)
        shares[("køn", gender)] = persons / total
    for label, low, high in age_bands:
        inside = low >= min_age and (max_age is None or (high is not None and high <= max_age))
        _require(
            inside and (high is None or low <= high),
            f"aldersgruppen '{label}' ({_age_text(low, high)}) skal ligge inden for "
            f"den alder, udvalget vælges blandt ({eligible_text})",
        )
        persons = sum(n for (_, age), n in eligible.items() if _within(age, low, high))
        shares[("alder", label)] = persons / total
    return shares


def _within(age: int, low: int, high: int | None) -> bool:
    return age >= low and (high is None or age <= high)


def _age_text(low: int, high: int | None) -> str:
    return f"{low} år og derover" if high is None else f"{low}-{high} år"


def proportional_targets(
    shares: Mapping[tuple[str, str], float], seats: int, slack: int = 1
) -> list[TargetSuggestion]:
    """Seat ranges proportional to the shares, in the order of `shares`.

    Rule: with quota q = share × seats, min = floor(q) − slack and max = ceil(q) + slack,
    clipped to 0..seats. Within a category whose shares sum to at most 1, the mins sum to at
    most `seats`; when the shares sum to 1 (the groups cover everyone), the maxes sum to at
    least `seats`, so a proportional committee always meets every range.
    """
    _require(seats >= 1, f"antallet af borgerpladser skal være mindst 1 (ikke {seats})")
    _require(slack >= 0, f"slæk skal være 0 eller mere (ikke {slack})")
    suggestions = []
    for (category, group), share in shares.items():
        quota = round(share * seats, 9)  # 5.2000000001 must not become 6
        low = max(0, math.floor(quota) - slack)
        high = min(seats, math.ceil(quota) + slack)
        suggestions.append(TargetSuggestion(category, group, low, high, share))
    return suggestions


def _scalar(text: str) -> str:
    """A YAML scalar: plain when YAML reads it back as the same text, else double-quoted."""
    try:
        plain = YAML(typ="safe").load(f"value: {text}") == {"value": text}
    except YAMLError:
        plain = False
    return text if plain and "#" not in text else json.dumps(text, ensure_ascii=False)


def targets_yaml(
    suggestions: Sequence[TargetSuggestion], age_bands: Sequence[AgeBand], source: str = ""
) -> str:
    """The `repræsentationsmål:` section for a mandate, with a source comment when given."""
    bands = {label: (low, high) for label, low, high in age_bands}
    lines = [f"# Forslag ud fra befolkningstal – kilde: {source}"] if source else []
    lines.append("repræsentationsmål:")
    for target in suggestions:
        percent = f"{target.share * 100:.1f}".replace(".", ",")
        lines.append(f"  - kategori: {_scalar(target.category)}")
        lines.append(f"    gruppe: {_scalar(target.group)}  # {percent} % af befolkningen")
        if target.category == "alder":
            _require(target.group in bands, f"aldersgruppen '{target.group}' mangler sine aldre")
            low, high = bands[target.group]
            limits = f"min: {low}" if high is None else f"min: {low}, max: {high}"
            lines.append(f"    alder: {{{limits}}}")
        lines.append(f"    min_antal: {target.min_antal}")
        lines.append(f"    max_antal: {target.max_antal}")
    return "\n".join(lines) + "\n"
