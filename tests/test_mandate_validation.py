"""Every validation rule reports the file, the line and the field path."""

from pathlib import Path

import pytest
from helpers import EXAMPLES, line_of, mandate_file

from opgaveudvalg.mandate.validation import load_mandate
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
    path = mandate_file(tmp_path, "milepael", {"    - dato: 2027-04-13": "    - dato: 2028-04-13"})
    [problem] = problems_of(path)
    assert problem.startswith(
        f"{path}:{line_of(path, 'dato: 2028-04-13')}: tidsplan.milepæle[0].dato: "
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
