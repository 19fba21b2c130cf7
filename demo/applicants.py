"""Seeded, realistic Danish applicant pools, as a form-tool export delivers them.

Used by the demo and by benchmarks. Names and streets come from Faker's da_DK data, read once
(demo.pools); every row is then drawn with `random.Random(seed)` (demo.generator), so large
pools are fast and the same seed gives the same rows. Row i never depends on how many rows are
asked for: the first rows of a large pool are the rows of a small one with the same seed
(`bad_rows` relies on this).

Rows are keyed by the canonical headers of the column map (the first alias of each field in
config/columns.yaml) plus one column per balance category that applicants answer themselves
(demo.columns). demo.exports writes them as CSV, Excel or JSON.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from demo.exports import write_csv
from demo.generator import ApplicantGenerator
from demo.pools import ascii_letters
from demo.vocabulary import EMAIL_DOMAINS
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.settings import get_settings


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
    generator = ApplicantGenerator(mandate, seed, postcodes, start, column_map)
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
    generator = ApplicantGenerator(mandate, seed + 7_919_000, postcodes, start, column_map)
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
    twin[h["email"]] = f"{ascii_letters(names[0])}-{ascii_letters(names[-1])}@{EMAIL_DOMAINS[4]}"
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
