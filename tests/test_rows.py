"""How a row's values become an application: split names, one column per field, form tools' own
columns, applicants for the open seats, control characters, reasons without personal data,
balance answers mapped to the mandate's groups, open rejects counted per applicant, and the
optional answer whether the applicant wants to hear what becomes of the recommendations."""

import csv
from pathlib import Path

import pytest
from helpers import (
    CLUB,
    FAMILY,
    HEADERS,
    applicants,
    current_status,
    open_recruitment,
    quarantined,
    row,
    run_import,
    write_csv,
)
from sqlmodel import select

from opgaveudvalg import committee, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.recruitment.answers import load_answer_map
from opgaveudvalg.recruitment.columns import load_column_map, map_columns, normalise_header
from opgaveudvalg.recruitment.files import read_export
from opgaveudvalg.recruitment.rows import (
    NO,
    WANTS_UPDATES,
    YES,
    intake_rules,
    profile_lookup,
    validate_row,
)
from opgaveudvalg.settings import get_settings


@pytest.fixture
def recruiting() -> str:
    return open_recruitment()


def write_rows(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(headers)
        writer.writerows(rows)
    return path


EXPORTS = Path(__file__).parent / "data" / "exports"
REST = ["Postnummer", "Fødselsår", "Køn", "Kompetenceprofiler", "E-mail"]


def rest(email: str = "a@example.dk", profiles: str = FAMILY) -> list[str]:
    return ["2900", "1980", "kvinde", profiles, email]


# --- 1. split name columns -----------------------------------------------------------------


def test_first_middle_and_last_name_are_joined(recruiting: str, tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "forms.csv",
        ["Efternavn", "Fornavn", "Mellemnavn", *REST],
        [
            ["Hansen", "Anna", "Marie", *rest("a@example.dk")],
            ["Berg", "Ole", "", *rest("b@example.dk")],
        ],
    )
    assert run_import(recruiting, path).inserted == 2
    assert [a.name for a in applicants()] == ["Anna Marie Hansen", "Ole Berg"]


def test_a_missing_name_part_is_reported_on_the_name_columns(
    recruiting: str, tmp_path: Path
) -> None:
    path = write_rows(
        tmp_path / "forms.csv",
        ["First name", "Surname", *REST],
        [["Anna", "Hansen", *rest("a@example.dk")], ["", "", *rest("b@example.dk")]],
    )
    assert run_import(recruiting, path).inserted == 1
    assert quarantined() == [(3, "First name + Surname", "navn mangler")]


def test_a_first_name_alone_is_not_a_name_column(recruiting: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "f.csv", ["Fornavn", *REST], [["Anna", *rest()]])
    with pytest.raises(UserError, match=r"mangler kolonnen 'navn' \(eller 'fornavn' og"):
        run_import(recruiting, path)


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        (["Navn", "Fulde navn"], ["'Navn'", "'Fulde navn'"]),
        (["Navn", "Fornavn", "Efternavn"], ["'Navn'", "'Fornavn'", "'Efternavn'"]),
        (["Fornavn", "First name", "Efternavn"], ["'Fornavn'", "'First name'"]),
    ],
)
def test_two_columns_for_one_field_are_refused_naming_both(
    recruiting: str, tmp_path: Path, headers: list[str], named: list[str]
) -> None:
    path = write_rows(tmp_path / "f.csv", [*headers, *REST], [["x"] * len(headers) + rest()])
    with pytest.raises(UserError) as raised:
        run_import(recruiting, path)
    assert str(raised.value).startswith(f"{path}: ")
    assert all(header in str(raised.value) for header in named)
    assert applicants() == []


def test_two_email_columns_are_refused(recruiting: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "f.csv", ["Navn", "Mail", *REST], [["A", "x@y.dk", *rest()]])
    with pytest.raises(UserError, match="kolonnerne 'Mail' og 'E-mail' betyder begge 'email'"):
        run_import(recruiting, path)


# --- 2. the missing-column error, and Microsoft Forms' own columns ------------------------


def test_missing_column_lists_the_files_headers_and_where_to_add_a_wording(
    recruiting: str, tmp_path: Path
) -> None:
    path = write_rows(
        tmp_path / "f.csv", ["Navn", "Elektronisk post", *REST[:-1]], [["A", "a@b.dk"]]
    )
    with pytest.raises(UserError) as raised:
        run_import(recruiting, path)
    message = str(raised.value)
    assert message.startswith(f"{path}: mangler kolonnen 'email' (accepterede overskrifter: ")
    assert "Filens overskrifter: 'Navn', 'Elektronisk post', 'Postnummer'" in message
    assert f"tilføj overskriften under feltet i {get_settings().column_map}" in message


MS_FORMS = ["Id", "Starttidspunkt", "Fuldførelsestidspunkt", "Mail", "Navn"]
MS_META = ["1", "12/1/26 10:00:01", "12/1/26 10:04:12", "anonymous", ""]


def test_a_microsoft_forms_export_imports_whole(recruiting: str, tmp_path: Path) -> None:
    headers = [*MS_FORMS, "Tidspunkt for seneste ændring", "Fornavn", "Efternavn", *REST]
    path = write_rows(
        tmp_path / "forms.csv",
        headers,
        [
            [*MS_META, "", "Anna", "Hansen", *rest("a@example.dk")],
            [*MS_META, "", "Ole", "Berg", *rest("b@example.dk")],
        ],
    )
    result = run_import(recruiting, path)
    assert (result.inserted, result.rejected) == (2, 0)
    assert [(a.name, a.email) for a in applicants()] == [
        ("Anna Hansen", "a@example.dk"),
        ("Ole Berg", "b@example.dk"),
    ]


def test_microsoft_forms_account_columns_are_read_when_the_form_asks_nothing_else(
    tmp_path: Path,
) -> None:
    column_map = load_column_map(get_settings().column_map)
    headers = ["Id", "Fuldførelsestidspunkt", "Mail", "Navn", *REST[:-1]]
    mapping = map_columns(tmp_path / "f.csv", headers, column_map, [], profiles_required=False)
    assert (mapping["Mail"], mapping["Navn"]) == ("email", "navn")
    assert "Id" not in mapping and "Fuldførelsestidspunkt" not in mapping


# --- 4. control characters ------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\x85"])
def test_a_control_character_rejects_the_row_and_is_never_stored(
    recruiting: str, tmp_path: Path, bad: str
) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        [
            row(email="a@x.dk", motivation=f"Jeg svømmer{bad}meget"),
            row(email="b@x.dk", motivation="Linje et\nlinje\tto"),
        ],
    )
    result = run_import(recruiting, path)
    assert (result.inserted, result.rejected) == (1, 1)
    assert quarantined() == [
        (
            2,
            "Motivation",
            "indeholder et ugyldigt tegn (et kontroltegn som NUL); ret cellen og importér igen",
        )
    ]
    [kept] = applicants()
    assert kept.motivation == "Linje et\nlinje\tto"
    with session_scope() as session:
        [stored] = session.exec(select(models.QuarantinedRow)).all()
    assert not any(bad in value or bad in key for key, value in stored.raw.items())


def test_the_web_form_gets_the_same_rule(recruiting: str) -> None:
    """`validate_row` with an identity mapping, as the application form calls it."""
    fields = ["navn", "email", "postnummer", "fødselsår", "køn", "profiler"]
    with committee.committee_session(recruiting) as (session, found):
        rules = intake_rules(session, found, get_settings())
    raw = dict(zip(fields, ["Anna\x00", "a@x.dk", "2900", "1980", "kvinde", ""], strict=True))
    result = validate_row(raw, {f: f for f in fields}, rules, profile_lookup(rules.mandate))
    assert [(p.column, p.reason[:30]) for p in result.problems] == [
        ("navn", "indeholder et ugyldigt tegn (e")
    ]


# --- 5. no personal data in reasons ----------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "detail"),
    [
        ("jens.hansen(at)mail.dk", "mangler @"),
        ("jens.hansen@mail@dk", "har mere end ét @"),
        ("jens.hansen@mail", "delen efter @ er ikke et gyldigt domæne"),
        ("jens hansen@mail.dk", "delen før @ indeholder ugyldige tegn"),
    ],
)
def test_reasons_hold_no_personal_data(
    recruiting: str, tmp_path: Path, email: str, detail: str
) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        [row(email=email, postcode="28200", year="1850", gender="Jens Hansens køn")],
    )
    result = run_import(recruiting, path)
    report = CommitteeFiles.of(get_settings().output_dir, recruiting).reject_report(result.id)
    text = report.read_text(encoding="utf-8-sig")
    for value in ("jens", "mail", "28200", "1850", "hansen"):
        assert value not in text.casefold().replace("e-mail", "")
    assert f"er ikke en gyldig e-mailadresse ({detail})" in text


# --- 6. balance answers mapped to the mandate's groups ---------------------------------------


def test_free_text_district_answers_count_towards_their_group(
    recruiting: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "e.csv",
        [
            row(email="a@x.dk", district="Hellerup"),
            row(email="b@x.dk", district="hellerup-tuborg"),
            row(email="c@x.dk", district="", postcode="2820"),
            row(email="d@x.dk", district="Ved stranden", postcode="2870"),
            row(email="e@x.dk", district="Ordrup", postcode="2920"),
            row(email="f@x.dk", district="Månen", postcode="2100", profiles=CLUB),
            row(email="g@x.dk", district="Vangede", postcode="2900"),  # the answer wins
        ],
    )
    run_import(recruiting, path)
    assert [a.attributes.get("bydel") for a in applicants()] == [
        "Hellerup og Tuborg",
        "Hellerup og Tuborg",
        "Gentofte og Jægersborg",
        "Vangede og Dyssegård",
        "Ordrup og Charlottenlund",
        "Månen",
        "Vangede og Dyssegård",
    ]
    current = current_status(recruiting)
    counts = {(g.category, g.group): g.count for g in current.groups}
    assert counts[("bydel", "Hellerup og Tuborg")] == 2
    assert current.unmatched == [("bydel", 1)]
    assert "1 svar i 'bydel' passer ikke på nogen gruppe og tæller ikke med i målene" in (
        current.warnings
    )


def test_the_answer_map_of_another_municipality(tmp_path: Path) -> None:
    path = tmp_path / "svar.yaml"
    path.write_text(
        "synonymer:\n  Bydel:\n    Midtbyen: [centrum, 'city']\npostnumre:\n"
        "  bydel:\n    8000: Midtbyen\n",
        encoding="utf-8",
    )
    answers = load_answer_map(path)
    assert answers.canonical("bydel", "Centrum", "8210", ["Midtbyen"]) == "Midtbyen"
    assert answers.canonical("bydel", "", "8000", []) == "Midtbyen"
    assert answers.canonical("bydel", "Risskov", "8240", ["Midtbyen"]) is None
    assert load_answer_map(tmp_path / "findes-ikke.yaml").canonical("bydel", "x", "", []) is None


# --- 7. open rejects counted per applicant ---------------------------------------------------


def test_open_rejects_count_each_applicant_once(recruiting: str, tmp_path: Path) -> None:
    first = write_csv(tmp_path / "uge1.csv", [row(year="1850"), row(email="x(at)y.dk")])
    second = write_csv(tmp_path / "uge2.csv", [row(year="1851", gender="?")])
    third = write_csv(tmp_path / "uge3.csv", [row(email="x(at)y.dk", motivation="igen")])
    for path in (first, second, third):
        run_import(recruiting, path)
    assert len(quarantined()) == 5
    current = current_status(recruiting)
    assert current.open_rejects == 2  # one per e-mail: soeren@example.dk and x(at)y.dk
    assert "Afviste rækker fra 2 ansøgere venter på at blive rettet og importeret igen" in (
        current.warnings
    )


def test_headers_of_the_example_stay_readable() -> None:
    """The demo's headers still map one to one (no alias claimed by two fields)."""
    column_map = load_column_map(get_settings().column_map)
    mapping = map_columns(Path("x.csv"), HEADERS, column_map, ["Bydel"], profiles_required=False)
    assert sorted(mapping.values())[0] == "adresse" and len(set(mapping.values())) == len(HEADERS)


# --- 7. the optional answer: hear what becomes of the committee's recommendations ------------

UPDATES = "Vil du have besked om, hvad der sker med udvalgets anbefalinger?"
UPDATES_REASON = (
    "svaret på, om ansøgeren vil have besked om udvalgets anbefalinger, skal være ja eller nej "
    "(tomt betyder nej)"
)


def test_the_answer_to_hear_what_becomes_of_the_recommendations(
    recruiting: str, tmp_path: Path
) -> None:
    """Written with Python's csv module (a form tool's header, with its question mark)."""
    answers = ["Ja", "nej", "", "YES", "x", "0", "måske"]
    path = write_rows(
        tmp_path / "forms.csv",
        ["Navn", *REST, UPDATES],
        [[f"Person {n}", *rest(f"p{n}@example.dk"), a] for n, a in enumerate(answers)],
    )
    result = run_import(recruiting, path)
    assert (result.inserted, result.rejected) == (6, 1)
    assert [(a.email, a.wants_updates) for a in applicants()] == [
        ("p0@example.dk", True),
        ("p1@example.dk", False),
        ("p2@example.dk", False),
        ("p3@example.dk", True),
        ("p4@example.dk", True),
        ("p5@example.dk", False),
    ]
    assert quarantined() == [(8, UPDATES, UPDATES_REASON)]


def test_without_the_column_nobody_has_asked_to_hear_more(recruiting: str, tmp_path: Path) -> None:
    run_import(recruiting, write_csv(tmp_path / "e.csv", [row(), row(email="b@example.dk")]))
    assert [a.wants_updates for a in applicants()] == [False, False]


def test_a_changed_answer_updates_the_applicant(recruiting: str, tmp_path: Path) -> None:
    def answered(answer: str) -> Path:
        return write_rows(
            tmp_path / "f.csv", ["Navn", *REST, "Keep me informed"], [["Anna", *rest(), answer]]
        )

    assert run_import(recruiting, answered("nej")).inserted == 1
    again = run_import(recruiting, answered("ja"))
    assert (again.inserted, again.updated) == (0, 1)
    assert [a.wants_updates for a in applicants()] == [True]
    assert run_import(recruiting, answered("ja")).unchanged == 1
    assert run_import(recruiting, answered("")).updated == 1
    assert [a.wants_updates for a in applicants()] == [False]


def test_the_question_of_the_real_exports_maps_to_the_answer() -> None:
    """The header as LibreOffice and the csv module wrote it (tests/data/exports) is a wording
    of the field, and every answer in those files is a valid yes or no."""
    column_map = load_column_map(get_settings().column_map)
    for name in ("lo_calc.xlsx", "lo_cp1252.csv", "excel_unicode_text.txt"):
        headers, read = read_export(EXPORTS / name, get_settings())
        [header] = [h for h in headers if column_map.get(normalise_header(h)) == WANTS_UPDATES]
        answers = [values[header].casefold() for _, values in read]
        assert answers == ["ja", "nej", ""]
        assert [a in YES for a in answers] == [True, False, False]
        assert all(a in YES | NO for a in answers)
