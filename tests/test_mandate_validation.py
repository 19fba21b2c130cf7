"""Every validation rule reports the file, the line and the field path."""

import re
from datetime import date
from pathlib import Path

import pytest
from helpers import EXAMPLES, example_text, line_of, mandate_file, opgaveudvalg

from opgaveudvalg.mandate.model import Kompetenceprofil, neutral_label
from opgaveudvalg.mandate.validation import load_mandate, milestone_warnings
from opgaveudvalg.meetings import plan
from opgaveudvalg.settings import get_settings
from opgaveudvalg.yamlinput import FileInvalid


def problems_of(path: Path, lang: str = "da") -> list[str]:
    with pytest.raises(FileInvalid) as caught:
        load_mandate(path, lang)  # type: ignore[arg-type]
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_are_valid(path: Path) -> None:
    mandate = load_mandate(path)
    assert mandate.slug == path.stem
    assert 3 <= len(mandate.kompetenceprofiler) <= 5
    assert mandate.repræsentationsmål


def test_profile_seats_exceeding_citizen_seats(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "for-mange", {"  borgere: 10": "  borgere: 6"})
    [problem] = problems_of(path)
    line = line_of(path, r"^kompetenceprofiler:")
    assert problem.startswith(f"{path}:{line}: kompetenceprofiler: ")
    assert "9 pladser" in problem and "6 borgerpladser" in problem


def test_handover_before_start(tmp_path: Path) -> None:
    path = mandate_file(
        tmp_path, "baglaens", {"  aflevering: 2027-12-06": "  aflevering: 2027-01-06"}
    )
    problems = problems_of(path)
    assert problems == [
        f"{path}:{line_of(path, '^  aflevering:')}: tidsplan.aflevering: "
        "afleveringen (2027-01-06) skal ligge efter start (2027-02-22)"
    ]


def lines_matching(path: Path, needle: str) -> list[int]:
    return [n for n, text in enumerate(path.read_text().splitlines(), 1) if needle in text]


def test_duplicate_profile_label(tmp_path: Path) -> None:
    label = "Du er ung og bruger svømmehallen til træning, leg eller samvær med vennerne"
    path = mandate_file(
        tmp_path,
        "dublet",
        {
            "betegnelse: Du er aktiv i en svømme-, dykker- eller vandsportsforening som udøver, "
            "træner, instruktør eller bestyrelsesmedlem": f"betegnelse: {label}",
        },
    )
    [problem] = problems_of(path)
    second = lines_matching(path, label)[1]
    assert problem.startswith(f"{path}:{second}: kompetenceprofiler[1].betegnelse: ")
    assert "brugt af en anden profil" in problem


def test_duplicate_profile_key(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "noegle", {"nøgle: familie-med-boern": "nøgle: unge-i-vandet"})
    [problem] = problems_of(path)
    second = lines_matching(path, "nøgle: unge-i-vandet")[1]
    assert problem.startswith(f"{path}:{second}: kompetenceprofiler[2].nøgle: ")


def test_share_targets_that_cannot_be_met(tmp_path: Path) -> None:
    path = mandate_file(
        tmp_path,
        "andel",
        {
            "    gruppe: kvinde\n    min_procent: 40": "    gruppe: kvinde\n    min_procent: 42\n    max_procent: 48",
        },
    )
    [problem] = problems_of(path)
    line = line_of(path, "^  - kategori: køn")
    assert problem.startswith(f"{path}:{line}: repræsentationsmål[0]: kan ikke opfyldes")
    assert "mindst 5 og højst 4 af 10" in problem


def test_category_minimums_exceeding_seats(tmp_path: Path) -> None:
    path = mandate_file(
        tmp_path,
        "kategori",
        {
            "    gruppe: kvinde\n    min_procent: 40": "    gruppe: kvinde\n    min_procent: 70",
        },
    )
    [problem] = problems_of(path)
    line = line_of(path, "^  - kategori: køn")
    assert problem.startswith(f"{path}:{line}: repræsentationsmål[0].kategori: ")
    assert "mindst 11 pladser" in problem


def test_age_band_min_above_max(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "alder", {"        min: 15": "        min: 30"})
    [problem] = problems_of(path)
    assert problem == (
        f"{path}:{line_of(path, '^      alder:')}: kompetenceprofiler[0].hårde_kriterier.alder: "
        "min (30) er større end max (24)"
    )


def test_milestone_outside_period(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "milepael", {"    - dato: 2027-04-20": "    - dato: 2028-04-20"})
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}:{line_of(path, 'dato: 2028-04-20')}: tidsplan.milepæle[0].dato: "
    )


def test_unknown_key_and_missing_field(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "stavefejl", {"\nleverance:": "\nleverence:"})
    problems = problems_of(path)
    assert f"{path}:1: leverance: feltet mangler" in problems
    assert (
        f"{path}:{line_of(path, '^leverence:')}: leverence: ukendt felt – tjek stavningen"
        in problems
    )


def test_wrong_type_names_line_and_field(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "type", {"  antal_møder: 6": "  antal_møder: seks"})
    assert problems_of(path) == [
        f"{path}:{line_of(path, 'antal_møder')}: tidsplan.antal_møder: skal være et helt tal"
    ]


def test_slug_must_match_file_name(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "rigtig")
    renamed = path.rename(tmp_path / "forkert.yaml")
    assert problems_of(renamed) == [
        f"{renamed}:{line_of(renamed, '^slug:')}: slug: skal være det samme som filnavnet ('forkert')"
    ]


def test_messages_in_english(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "engelsk", {"  borgere: 10": "  borgere: 6"})
    [problem] = problems_of(path, "en")
    assert "the profiles have 9 seats in all, but the committee has only 6 citizen seats" in problem


def test_tab_indentation(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "tab", {"\n  borgere: 10": "\n\tborgere: 10"})
    assert problems_of(path) == [
        f"{path}:{line_of(path, 'borgere: 10')}: tabulator i indrykningen – "
        "YAML skal indrykkes med mellemrum"
    ]


def test_bad_indentation(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "indryk", {"\n  politikere: 5": "\n     politikere: 5"})
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line_of(path, 'politikere: 5')}: YAML-fejl: ")


def test_wrong_encoding(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "latin")
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("latin-1", errors="replace"))
    first_non_ascii = next(n for n, line in enumerate(text.splitlines(), 1) if not line.isascii())
    assert problems_of(path) == [
        f"{path}:{first_non_ascii}: filen er ikke gemt som UTF-8 (byte 0xF8) – gem den som UTF-8"
    ]


def test_utf8_with_bom_is_accepted(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "bom")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_mandate(path).slug == "bom"


def test_phone_number_written_as_digits(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "telefon", {"telefon: +45 39 98 52 17": "telefon: 39985217"})
    assert load_mandate(path).organisering.kontaktperson.telefon == "39985217"


# --- hostile and broken values: always file:line: field: message, never a crash ------------------

BROKEN_VALUES = [
    "''",
    "~",
    "2027-02-30",
    "2027-13-01",
    "2027-02-29",
    "0000-01-01",
    "2027-02-22 25:00:00",
    "2027-02-22T10:61:00+01:00",
    "99999-01-01",
    "blvi(at)gentofte.dk",
    "blvi@gentofte",
    "'@gentofte.dk'",
    "æøå@",
    "-1",
    "0x1F",
    "0o17",
    "1e999",
    ".nan",
    "-.inf",
    "1_000_000_000_000_000_000_000",
    "12:30",
    "yes",
    "[1, 2]",
    "{a: 1}",
    "!!binary AAAA",
    "!!timestamp nope",
    "!!python/object/apply:os.system ['true']",
    "'\"unterminated",
    "*nope",
    "&a",
    '"\\x00"',
]
FIELDS = [
    "  start: 2027-02-22",
    "  antal_møder: 6",
    "  mødelængde_timer: 3",
    "    email: jobl@gentofte.dk",
    "    navn: Jonas Bech Lindqvist",
    "    beløb_kr: 120000000",
    "  ansøgningsfrist: 2027-01-24",
    "    pladser: 2",
    "        max: 24",
    "      bopæl_i_kommunen: false",
    "    min_procent: 40",
    "    alder: {min: 15, max: 24}",
]


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.split(":")[0].strip())
def test_a_broken_value_is_a_file_line_field_error_never_a_crash(
    tmp_path: Path, field: str
) -> None:
    key = field.split(":")[0]
    for value in BROKEN_VALUES:
        path = mandate_file(tmp_path, "brudt", {field: f"{key}: {value}"})
        try:
            load_mandate(path)
        except FileInvalid as caught:
            for problem in caught.problems:
                assert str(problem).startswith(f"{path}:"), (value, str(problem))
                assert problem.line >= 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("blvi(at)gentofte.dk", "skal være en e-mailadresse som navn@kommune.dk"),
        ("blvi@gentofte", "skal være en e-mailadresse som navn@kommune.dk"),
        ("''", "skal være en e-mailadresse som navn@kommune.dk"),
    ],
)
def test_a_malformed_contact_email_names_line_and_field(
    tmp_path: Path, value: str, message: str
) -> None:
    path = mandate_file(tmp_path, "post", {"email: jobl@gentofte.dk": f"email: {value}"})
    line = line_of(path, "^    email:")
    assert problems_of(path) == [f"{path}:{line}: organisering.kontaktperson.email: {message}"]


@pytest.mark.parametrize("value", ["2027-02-30", "2027-02-22 25:00:00"])
def test_a_date_that_does_not_exist_names_line_and_field(tmp_path: Path, value: str) -> None:
    path = mandate_file(tmp_path, "dato", {"  start: 2027-02-22": f"  start: {value}"})
    line = line_of(path, "^  start:")
    assert problems_of(path) == [f"{path}:{line}: tidsplan.start: skal være en dato som 2025-02-26"]


# --- YAML aliases ------------------------------------------------------------------------------


def alias_bomb(levels: int = 8, width: int = 9) -> str:
    """The "billion laughs": each level repeats the one before `width` times."""
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        items = ", ".join([f"*lol{level - 1}"] * width)
        lines.append(f"lol{level}: &lol{level} [{items}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_quickly_before_expansion(tmp_path: Path) -> None:
    import time
    import tracemalloc

    path = tmp_path / "bombe.yaml"
    path.write_text("slug: bombe\n" + alias_bomb(), encoding="utf-8")
    tracemalloc.start()
    began = time.monotonic()
    try:
        [problem] = problems_of(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.monotonic() - began < 5
    assert peak < 100 * 1024 * 1024
    assert problem.startswith(f"{path}:") and "aliaser (*navn) gentager mere end" in problem
    assert int(problem.split(":")[1]) > 1  # the line of the alias that crossed the limit


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rekursiv.yaml"
    path.write_text("slug: rekursiv\nopgaver: &a\n  - *a\n", encoding="utf-8")
    assert problems_of(path) == [
        f"{path}:3: et alias (*navn) står inde i sit eget anker (&navn) – skriv værdien ud"
    ]


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    path = mandate_file(
        tmp_path,
        "alias",
        {
            "  fagudvalg: Kultur-, Unge- og Fritidsudvalget": (
                "  fagudvalg: &udvalg Kultur-, Unge- og Fritidsudvalget"
            ),
            "  sekretariat: Center for Kultur, Unge og Fritid": "  sekretariat: *udvalg",
        },
    )
    mandate = load_mandate(path)
    assert mandate.organisering.sekretariat == "Kultur-, Unge- og Fritidsudvalget"


# --- competence profiles against representation targets ---------------------------------------

SENIOR_PROFILE = {
    "fx som senior eller som borger med et handicap\n": (
        "fx som senior eller som borger med et handicap\n    hårde_kriterier:\n"
        "      alder: {min: 65}\n"
    ),
}


def test_a_profile_filling_more_seats_of_a_group_than_its_maximum(tmp_path: Path) -> None:
    """3 seats only people of 65+ can take, and a target of at most 2 people of 65+."""
    path = mandate_file(
        tmp_path,
        "senior",
        {
            **SENIOR_PROFILE,
            "    pladser: 2\n    bløde_kriterier:\n      - Erfaring med varmtvandsbassin": (
                "    pladser: 3\n    bløde_kriterier:\n      - Erfaring med varmtvandsbassin"
            ),
            "    alder: {min: 65}\n    min_antal: 1": "    alder: {min: 65}\n    max_antal: 2",
        },
    )
    [problem] = problems_of(path)
    line = line_of(path, "^    gruppe: 65 år og ældre") - 1
    assert problem == (
        f"{path}:{line}: repræsentationsmål[3]: kan ikke opfyldes: profilerne "
        "'sundhed-og-tilgaengelighed' (3) har 3 pladser, som kun personer i '65 år og ældre' "
        "kan få (hårde_kriterier.alder), men målet tillader højst 2"
    )


def test_a_group_minimum_that_the_profiles_leave_no_room_for(tmp_path: Path) -> None:
    path = mandate_file(
        tmp_path,
        "ingen-plads",
        {
            "    alder: {min: 15, max: 24}\n    min_antal: 2": (
                "    alder: {min: 15, max: 24}\n    max_antal: 10"
            ),
            "    alder: {min: 65}\n    min_antal: 1": "    alder: {min: 65}\n    min_antal: 9",
        },
    )
    [problem] = problems_of(path)
    assert problem.endswith(
        "repræsentationsmål[3]: kan ikke opfyldes: '65 år og ældre' skal have mindst 9 pladser, "
        "men kun 8 pladser kan gå til gruppen – profilerne 'unge-i-vandet' (2) kræver en alder "
        "uden for gruppen (hårde_kriterier.alder)"
    )


def test_profiles_within_a_groups_bounds_are_fine(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "senior-ok", SENIOR_PROFILE)
    assert load_mandate(path).kompetenceprofiler[3].hårde_kriterier.alder is not None


def meeting_days(path: Path) -> list[date]:
    return plan.meeting_days(load_mandate(path), get_settings())


def test_milestone_on_no_meeting_day_is_a_warning_with_file_line_and_field(
    tmp_path: Path,
) -> None:
    path = mandate_file(tmp_path, "milepael", {"    - dato: 2027-09-28": "    - dato: 2027-09-14"})
    mandate = load_mandate(path)  # a warning, not an error
    [warning] = milestone_warnings(path, mandate, meeting_days(path))
    assert str(warning) == (
        f"{path}:{line_of(path, 'dato: 2027-09-14')}: tidsplan.milepæle[2].dato: "
        "2027-09-14 er ikke en mødedag – det nærmeste møde er efter planen 2027-09-28"
    )
    [english] = milestone_warnings(path, mandate, meeting_days(path), "en")
    assert english.message.startswith("2027-09-14 is not a meeting day")


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_milestones_fall_on_meeting_days(path: Path) -> None:
    assert milestone_warnings(path, load_mandate(path), meeting_days(path)) == []


def test_validate_prints_the_milestone_warning_and_succeeds(tmp_path: Path) -> None:
    path = mandate_file(tmp_path, "milepael", {"    - dato: 2027-04-20": "    - dato: 2027-04-13"})
    result = opgaveudvalg("validate", str(path))
    assert result.returncode == 0, result.stderr
    line = line_of(path, "dato: 2027-04-13")
    assert (
        f"advarsel: {path}:{line}: tidsplan.milepæle[0].dato: 2027-04-13 er ikke" in result.stderr
    )


NEUTRAL = "    betegnelse_neutral: Unge brugere af svømmehallen\n"


def test_a_mandate_without_neutral_labels_stays_valid(tmp_path: Path) -> None:
    path = tmp_path / "ny-svoemmehal.yaml"
    without = re.sub(r"    (betegnelse|beskrivelse)_neutral:.*\n(      .*\n)*", "", example_text())
    path.write_text(without, encoding="utf-8")
    assert "_neutral" not in without
    mandate = load_mandate(path)
    assert [neutral_label(p) for p in mandate.kompetenceprofiler][:2] == [
        "Borger, der er ung og bruger svømmehallen til træning, leg eller samvær med vennerne",
        "Borger, der er aktiv i en svømme-, dykker- eller vandsportsforening som udøver, træner, "
        "instruktør eller bestyrelsesmedlem",
    ]


@pytest.mark.parametrize(
    ("label", "neutral", "expected"),
    [
        ("Du er ung", "Unge brugere", "Unge brugere"),  # the secretariat's own neutral label
        ("Forældre til mindre børn", None, "Forældre til mindre børn"),  # already neutral
        (
            "Du er ung og optaget af din generation",
            None,
            "Borger, der er ung og optaget af vedkommendes generation",
        ),
        ("du bruger vandet med dine børn", None, "Borger, der bruger vandet med vedkommendes børn"),
        ("Erfaring, der hjælper dig", None, "Erfaring, der hjælper vedkommende"),
        ("Dusører og dinosaurer", None, "Dusører og dinosaurer"),  # "du" only as a whole word
    ],
)
def test_neutral_label(label: str, neutral: str | None, expected: str) -> None:
    profile = Kompetenceprofil(nøgle="p", betegnelse=label, betegnelse_neutral=neutral, pladser=1)
    assert neutral_label(profile) == expected


def test_duplicate_neutral_label(tmp_path: Path) -> None:
    path = mandate_file(
        tmp_path,
        "neutral",
        {
            "betegnelse_neutral: Forældre til mindre børn": "betegnelse_neutral: Unge brugere af svømmehallen"
        },
    )
    [problem] = problems_of(path)
    second = lines_matching(path, NEUTRAL.strip())[1]
    assert problem.startswith(f"{path}:{second}: kompetenceprofiler[2].betegnelse_neutral: ")
