"""The demo applicant generator: seeded, realistic rows as a form tool exports them."""

import csv
import json
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from helpers import EXAMPLES
from ruamel.yaml import YAML

from demo.applicants import applicant_rows, bad_rows, demo_pool, write_demo_pool
from demo.columns import category_columns
from demo.exports import write_csv, write_json, write_xlsx
from demo.vocabulary import FIELDS
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.mandate.validation import load_mandate
from opgaveudvalg.settings import get_settings

CPR_LIKE = re.compile(r"\d{6}-?\d{4}")
UPDATES = "vil du have besked om, hvad der sker med udvalgets anbefalinger"
EMAIL = re.compile(r"^[a-z0-9._]+@(gmail\.com|hotmail\.com|outlook\.dk|mail\.dk|live\.dk)$")


@pytest.fixture(params=["ny-svoemmehal", "fn-verdensmaal"])
def mandate(request: pytest.FixtureRequest) -> Mandate:
    return load_mandate(EXAMPLES / f"{request.param}.yaml")


@pytest.fixture
def postcodes() -> list[str]:
    return get_settings().postcodes


def rows(mandate: Mandate, postcodes: list[str], count: int = 300, seed: int = 7) -> list[dict]:
    return list(applicant_rows(mandate, count, seed, postcodes, mandate.tidsplan.start))


def canonical_headers() -> set[str]:
    aliases = YAML(typ="safe").load(get_settings().column_map.read_text(encoding="utf-8"))
    return {str(aliases[name][0]) for name in FIELDS}  # the fields the demo fills


def test_same_seed_same_rows_other_seed_other_rows(mandate: Mandate, postcodes: list[str]) -> None:
    first = rows(mandate, postcodes, seed=7)
    assert first == rows(mandate, postcodes, seed=7)
    assert first != rows(mandate, postcodes, seed=8)
    assert rows(mandate, postcodes, count=20, seed=7) == first[:20]  # a prefix of a larger pool


def test_row_count_and_headers(mandate: Mandate, postcodes: list[str]) -> None:
    generated = rows(mandate, postcodes, count=123)
    assert len(generated) == 123
    expected = canonical_headers() | set(category_columns(mandate))
    assert all(set(row) == expected for row in generated)
    assert list(generated[0]) == list(generated[-1])


def test_category_columns_leave_out_gender_and_age() -> None:
    swim = load_mandate(EXAMPLES / "ny-svoemmehal.yaml")
    goals = load_mandate(EXAMPLES / "fn-verdensmaal.yaml")
    assert category_columns(swim) == ["bydel"]
    assert category_columns(goals) == ["uddannelse"]


def test_good_rows_look_valid(mandate: Mandate, postcodes: list[str]) -> None:
    year = mandate.tidsplan.start.year
    labels = {profile.betegnelse for profile in mandate.kompetenceprofiler}
    generated = rows(mandate, postcodes, count=2000)
    for row in generated:
        assert EMAIL.match(row["e-mail"]), row["e-mail"]
        assert re.fullmatch(r"\d{4}", row["postnummer"])
        assert 15 <= year - int(row["fødselsår"]) <= 85
        assert row["køn"] in {"kvinde", "mand", "andet", "ønsker ikke at oplyse"}
        chosen = row["kompetenceprofiler"].split("; ")
        assert 1 <= len(chosen) <= 3 and set(chosen) <= labels
        assert row["telefon"] == "" or re.fullmatch(r"(\+45 )?\d\d( \d\d){3}", row["telefon"])
        assert row["må dit navn offentliggøres"] in {"Ja", "Nej"}
        assert row[UPDATES] in {"Ja", "Nej"}
        assert 1 <= row["motivation"].count(".") + row["motivation"].count("!") <= 3
        for value in row.values():
            assert not CPR_LIKE.search(value), value
    emails = [row["e-mail"].casefold() for row in generated]
    assert len(set(emails)) == len(emails)
    outside = sum(row["postnummer"] not in postcodes for row in generated) / len(generated)
    assert 0.02 <= outside <= 0.09
    informed = sum(row[UPDATES] == "Ja" for row in generated) / len(generated)
    assert 0.55 <= informed <= 0.65
    genders = {row["køn"] for row in generated}
    assert {"andet", "ønsker ikke at oplyse"} <= genders


def test_non_residents_choose_a_profile_open_to_them(
    mandate: Mandate, postcodes: list[str]
) -> None:
    open_labels = {
        profile.betegnelse
        for profile in mandate.kompetenceprofiler
        if not profile.hårde_kriterier.bopæl_i_kommunen
    }
    non_residents = [
        row for row in rows(mandate, postcodes, count=2000) if row["postnummer"] not in postcodes
    ]
    assert len(non_residents) >= 20  # the generator makes ~5 % non-residents: 2000 rows give ~100
    for row in non_residents:
        assert open_labels & set(row["kompetenceprofiler"].split("; "))


def test_age_bands_steer_profile_choice_but_not_always(
    mandate: Mandate, postcodes: list[str]
) -> None:
    year = mandate.tidsplan.start.year
    young = next(p for p in mandate.kompetenceprofiler if p.hårde_kriterier.alder)
    band = young.hårde_kriterier.alder
    assert band is not None and band.max is not None
    fits = misfits = 0
    for row in rows(mandate, postcodes, count=3000):
        if young.betegnelse in row["kompetenceprofiler"]:
            if year - int(row["fødselsår"]) <= band.max:
                fits += 1
            else:
                misfits += 1
    assert fits > misfits > 0


def test_category_answers(mandate: Mandate, postcodes: list[str]) -> None:
    generated = rows(mandate, postcodes, count=1000)
    for category in category_columns(mandate):
        answers = {row[category] for row in generated if row["postnummer"] in postcodes}
        groups = {t.gruppe for t in mandate.repræsentationsmål if t.kategori == category}
        assert groups <= answers
        if category == "bydel":
            assert 1 <= len(answers - groups) <= 2
        if category == "uddannelse":
            assert answers == {
                "Grundskole",
                "Gymnasial uddannelse",
                "Erhvervsuddannelse",
                "Kort videregående",
                "Mellemlang videregående",
                "Lang videregående",
            }


def test_some_households_share_an_address(mandate: Mandate, postcodes: list[str]) -> None:
    generated = rows(mandate, postcodes, count=2000)
    seen: dict[tuple[str, str], set[str]] = {}
    shared = 0
    for row in generated:
        home = (row["adresse"], row["postnummer"])
        if home in seen:
            shared += 1
            assert row["navn"] not in seen[home]  # a different person, not a duplicate
        seen.setdefault(home, set()).add(row["navn"])
    assert 0.05 <= shared / len(generated) <= 0.20


def test_bad_rows_cover_every_kind(mandate: Mandate, postcodes: list[str]) -> None:
    start = mandate.tidsplan.start
    bad = bad_rows(mandate, 7, postcodes, start)
    assert 8 <= len(bad) <= 10
    assert all(description for _, description in bad)
    labels = {profile.betegnelse for profile in mandate.kompetenceprofiler}
    good = rows(mandate, postcodes, count=50)
    values = [row for row, _ in bad]
    assert any(row["e-mail"] == "jens.hansen(at)mail.dk" for row in values)
    assert any(row["e-mail"] == "" for row in values)
    assert any(row["postnummer"] == "28200" for row in values)
    assert any(row["fødselsår"] == "1850" for row in values)
    assert any(not row["fødselsår"].isdigit() for row in values)
    assert any(not set(row["kompetenceprofiler"].split("; ")) <= labels for row in values)
    assert any(CPR_LIKE.search(row["telefon"]) for row in values)
    assert any(CPR_LIKE.search(row["motivation"]) for row in values)
    assert all(set(row) == set(good[0]) for row in values)

    update = next(row for row in values if row["e-mail"] != row["e-mail"].strip())
    assert update["e-mail"] != good[0]["e-mail"]
    assert update["e-mail"].strip().casefold() == good[0]["e-mail"]
    assert update["motivation"] != good[0]["motivation"]
    assert update["navn"] == good[0]["navn"]

    twin = next(
        row
        for row in values
        if (row["navn"], row["adresse"], row["postnummer"])
        == (good[1]["navn"], good[1]["adresse"], good[1]["postnummer"])
    )
    assert twin["e-mail"].casefold() not in {row["e-mail"].casefold() for row in good}
    assert EMAIL.match(twin["e-mail"].replace("-", "."))


def test_bad_rows_do_not_collide_with_good_rows(mandate: Mandate, postcodes: list[str]) -> None:
    good = rows(mandate, postcodes, count=5000)
    emails = {row["e-mail"].casefold() for row in good}
    bad = [row for row, _ in bad_rows(mandate, 7, postcodes, mandate.tidsplan.start)]
    colliding = [row for row in bad if row["e-mail"].strip().casefold() in emails]
    assert [row["navn"] for row in colliding] == [good[0]["navn"]]  # only the intended update


def test_demo_pool_mixes_bad_rows_in_after_the_rows_they_refer_to(
    mandate: Mandate, postcodes: list[str], tmp_path: Path
) -> None:
    pool = list(demo_pool(mandate, seed=2027, count=150, postcodes=postcodes))
    bad = [row for row, _ in bad_rows(mandate, 2027, postcodes, mandate.tidsplan.start)]
    good = rows(mandate, postcodes, count=150, seed=2027)
    assert len(pool) == 160
    assert [row for row in pool if row not in bad] == good
    positions = [pool.index(row) for row in bad]
    assert positions == sorted(positions) and positions[0] > 1
    assert pool[0] == good[0] and pool[1] == good[1]

    path = tmp_path / "ansøgninger.csv"
    assert write_demo_pool(mandate, path, postcodes=postcodes) == 160
    with path.open(encoding="utf-8-sig", newline="") as stream:
        assert list(csv.DictReader(stream, delimiter=";")) == pool


def test_demo_pool_defaults_from_settings_and_mandate(mandate: Mandate, tmp_path: Path) -> None:
    assert write_demo_pool(mandate, tmp_path / "demo.csv", count=10) == 20


def test_csv_round_trip(mandate: Mandate, postcodes: list[str], tmp_path: Path) -> None:
    generated = rows(mandate, postcodes, count=200)
    path = tmp_path / "export.csv"
    assert write_csv(generated, path) == 200
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        assert list(csv.DictReader(stream, delimiter=";")) == generated

    windows = tmp_path / "export-1252.csv"
    assert write_csv(iter(generated), windows, encoding="cp1252", delimiter=",") == 200
    with windows.open(encoding="cp1252", newline="") as stream:
        assert list(csv.DictReader(stream)) == generated


def test_xlsx_round_trip(mandate: Mandate, postcodes: list[str], tmp_path: Path) -> None:
    generated = rows(mandate, postcodes, count=200)
    path = tmp_path / "export.xlsx"
    assert write_xlsx(iter(generated), path) == 200
    sheet = openpyxl.load_workbook(path, read_only=True).active
    assert sheet is not None
    header, *body = [
        ["" if value is None else value for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert [dict(zip(header, values, strict=True)) for values in body] == generated


def test_json_round_trip(mandate: Mandate, postcodes: list[str], tmp_path: Path) -> None:
    generated = rows(mandate, postcodes, count=200)
    path = tmp_path / "export.json"
    assert write_json(iter(generated), path) == 200
    assert json.loads(path.read_text(encoding="utf-8")) == generated


def test_writers_accept_no_rows(tmp_path: Path) -> None:
    assert write_csv([], tmp_path / "empty.csv") == 0
    assert write_json([], tmp_path / "empty.json") == 0


def test_fifty_thousand_rows(postcodes: list[str]) -> None:
    mandate = load_mandate(EXAMPLES / "ny-svoemmehal.yaml")
    count = 0
    emails: set[str] = set()
    for row in applicant_rows(mandate, 50_000, 1, postcodes, date(2027, 2, 22)):
        count += 1
        emails.add(row["e-mail"])
    assert count == len(emails) == 50_000


def test_empty_postcodes_are_refused() -> None:
    mandate = load_mandate(EXAMPLES / "ny-svoemmehal.yaml")
    with pytest.raises(ValueError, match="postcode"):
        applicant_rows(mandate, 1, 1, [], date(2027, 2, 22))
