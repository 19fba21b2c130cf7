"""The file readers: real exports read back cell for cell; hostile files refused with one clear
line naming the file, never its content, within bounded memory."""

import csv
import io
import json
import os
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from opgaveudvalg.errors import UserError
from opgaveudvalg.recruitment.files import read_export
from opgaveudvalg.settings import Settings, get_settings

EXPORTS = Path(__file__).parent / "data" / "exports"
TABLE = json.loads((EXPORTS / "table.json").read_text(encoding="utf-8"))
EXPORT_FILES = sorted(
    path.name
    for path in EXPORTS.iterdir()
    if path.suffix in {".csv", ".tsv", ".txt", ".xlsx", ".json"} and path.name != "table.json"
)
SECRET = "HEMMELIGT-INDHOLD"
MB = 1024 * 1024


def settings(**limits: int) -> Settings:
    return get_settings().model_copy(update=limits)


def read_all(
    path: Path, limits: Settings | None = None
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    headers, rows = read_export(path, limits or settings())
    return headers, list(rows)


def refusal(path: Path, limits: Settings | None = None, max_peak_mb: float = 30) -> str:
    """The message of the UserError reading `path` gives; asserts it names the file, holds
    none of its content, and that Python's memory peak stayed under `max_peak_mb`."""
    tracemalloc.start()
    try:
        with pytest.raises(UserError) as caught:
            read_all(path, limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert path.name in message
    assert SECRET not in message
    assert "\n" not in message
    assert peak < max_peak_mb * MB, f"peak {peak / MB:.0f} MB"
    return message


# --- real exports --------------------------------------------------------------------------


def test_the_exports_are_all_there() -> None:
    assert len(EXPORT_FILES) >= 16


@pytest.mark.parametrize("name", EXPORT_FILES)
def test_every_cell_of_every_export_reads_back_exactly(name: str) -> None:
    headers, rows = read_all(EXPORTS / name)
    assert headers == TABLE["headers"]
    assert rows == [
        (number, dict(zip(TABLE["headers"], row, strict=True)))
        for number, row in enumerate(TABLE["rows"], start=2)
    ]


def test_a_doubled_quote_with_no_quotes_in_the_header(tmp_path: Path) -> None:
    path = tmp_path / "eksport.csv"
    path.write_text(
        'navn;motivation;bydel\nA;"Jeg er ""aktiv"" i foreningen; og glad";Hellerup\n',
        encoding="utf-8",
    )
    assert read_all(path) == (
        ["navn", "motivation", "bydel"],
        [
            (
                2,
                {
                    "navn": "A",
                    "motivation": 'Jeg er "aktiv" i foreningen; og glad',
                    "bydel": "Hellerup",
                },
            )
        ],
    )


def test_the_delimiter_is_judged_on_many_lines_not_the_header(tmp_path: Path) -> None:
    lines = ["navn;alder, i år;bydel"] + [f"Person {n};{n};Gentofte, nord" for n in range(50)]
    path = tmp_path / "eksport.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    headers, rows = read_all(path)
    assert headers == ["navn", "alder, i år", "bydel"]
    assert rows[-1] == (51, {"navn": "Person 49", "alder, i år": "49", "bydel": "Gentofte, nord"})


def test_a_file_longer_than_the_sample_with_cells_across_lines(tmp_path: Path) -> None:
    """The 64 KB sample ends inside a quoted cell; the delimiter is still found."""
    rows = [[f"Person {n}", f'Jeg er "aktiv", {n};\nog glad' * 3, "Gentofte"] for n in range(3000)]
    path = tmp_path / "lang.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, delimiter=";").writerows([["navn", "motivation", "bydel"], *rows])
    assert path.stat().st_size > 3 * 64 * 1024
    headers, read = read_all(path)
    assert [list(row.values()) for _, row in read] == rows


def test_a_nul_in_one_cell_passes_through_to_the_row_rules(tmp_path: Path) -> None:
    path = tmp_path / "eksport.csv"
    path.write_bytes(b"navn;bydel\nA\x00B;Gentofte\nC;Hellerup\n")
    assert read_all(path)[1] == [
        (2, {"navn": "A\x00B", "bydel": "Gentofte"}),
        (3, {"navn": "C", "bydel": "Hellerup"}),
    ]


def test_json_numbers_stay_as_written(tmp_path: Path) -> None:
    path = tmp_path / "eksport.json"
    path.write_text('[{"navn": "A", "postnummer": 2900, "score": 1.50, "ok": true, "x": null}]')
    assert read_all(path)[1] == [
        (2, {"navn": "A", "postnummer": "2900", "score": "1.50", "ok": "True", "x": ""})
    ]


# --- hostile CSV ---------------------------------------------------------------------------


def test_a_cell_over_131072_characters(tmp_path: Path) -> None:
    path = tmp_path / "lang.csv"
    path.write_text(f'navn;motivation\nA;"{SECRET * 8000}"\n', encoding="utf-8")
    message = refusal(path)
    assert "række 2" in message
    assert "10000 tegn" in message


def test_undefined_windows_1252_bytes(tmp_path: Path) -> None:
    for byte in (b"\x81", b"\x90"):
        path = tmp_path / "ansi.csv"
        path.write_bytes(b"navn;by\nS\xf8ren;K\xf8ge\n" + SECRET.encode() + byte + b";x\n")
        message = refusal(path)
        assert "linje 3" in message
        assert "Windows-1252" in message


def test_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "billede.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4096) + SECRET.encode())
    assert "ikke en tekstfil" in refusal(path)


def test_a_binary_file_behind_a_utf16_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    for body in (bytes(64) + os.urandom(4096), "Navn\tBy\n".encode("utf-16-le") + b"\x00\xd8A"):
        path.write_bytes(b"\xff\xfe" + body + SECRET.encode())
        assert "ikke en tekstfil" in refusal(path)


def test_a_zip_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "eksport.csv"
    Workbook().save(path)
    assert "ikke en tekstfil" in refusal(path)


def test_an_unclosed_quote(tmp_path: Path) -> None:
    path = tmp_path / "eksport.csv"
    path.write_text(f'navn;motivation\nA;ok\nB;"{SECRET}\nC;ok\n', encoding="utf-8")
    assert "række 3" in refusal(path)


def test_too_many_rows_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "mange.csv"
    path.write_text("navn;by\n" + "A;B\n" * 11, encoding="utf-8")
    assert "over 10 rækker" in refusal(path, settings(import_max_rows=10))
    path.write_text(";".join(f"k{n}" for n in range(12)) + "\n", encoding="utf-8")
    assert "12 kolonner" in refusal(path, settings(import_max_columns=10))


def test_a_file_over_the_size_cap_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "stor.csv"
    path.write_text("navn\n" + f"{SECRET}\n" * 150_000, encoding="utf-8")
    assert "import_max_file_mb" in refusal(path, settings(import_max_file_mb=1), max_peak_mb=1)


def test_one_enormous_line_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "linje.csv"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("navn;by\n")
        for _ in range(200):
            stream.write(SECRET * 2000)
    assert "linje 2" in refusal(path, settings(import_max_columns=5), max_peak_mb=40)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "tom.csv"
    path.write_bytes(b"")
    assert "tom" in refusal(path)


# --- hostile JSON --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 10_000 + "]" * 10_000, "for dybt"),
        ('[{"a": ' + "[" * 100_000 + "]" * 100_000 + "}]", "for dybt"),
        ('[{"postnummer": ' + "9" * 5000 + "}]", "post nr. 1 har et tal med over 100 cifre"),
        ('[{"a": 1}, {"a": 1' + "0" * 5000 + ".5e3}]", "post nr. 2 har et tal"),
        ('[{"navn": "A"}, {"navn": {"fornavn": "B"}}]', "post nr. 2 har en liste eller et objekt"),
        ('[{"navn": "A"}, ["B"]]', "post nr. 2 er ikke et objekt"),
        ('[{"navn": NaN}]', "NaN"),
        ('{"navn": "A"}', "liste af objekter"),
        ('[{"navn": "A"', "ugyldig JSON i linje 1"),
    ],
)
def test_json_refusals(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "eksport.json"
    path.write_text(text.replace('"A"', f'"{SECRET}"'), encoding="utf-8")
    assert reason in refusal(path)


# --- hostile XLSX --------------------------------------------------------------------------


def xlsx(
    path: Path,
    replace: Callable[[str, bytes], bytes] = lambda name, data: data,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A real workbook (openpyxl) with parts replaced as `replace(name, data)` returns them,
    and `extra` parts added."""
    workbook = Workbook()
    workbook.active.append(["navn", "by"])
    workbook.active.append([SECRET, "Gentofte"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            target.writestr(name, replace(name, source.read(name)))
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return path


def test_a_real_workbook_reads_with_a_picture_in_it(tmp_path: Path) -> None:
    picture = {"xl/media/image1.png": b"\x89PNG\r\n\x1a\n" + bytes(64)}
    assert read_all(xlsx(tmp_path / "eksport.xlsx", extra=picture)) == (
        ["navn", "by"],
        [(2, {"navn": SECRET, "by": "Gentofte"})],
    )


def test_an_xlsx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "eksport.xlsx"
    path.write_text(f"navn;by\n{SECRET};x\n", encoding="utf-8")
    assert "ikke en zip-fil" in refusal(path)


def test_old_excel_and_ods(tmp_path: Path) -> None:
    renamed = tmp_path / "gammel.xlsx"
    renamed.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + SECRET.encode())
    assert "gammel Excel-fil (.xls)" in refusal(renamed)
    for name in ("gammel.xls", "calc.ods"):
        (tmp_path / name).write_bytes(SECRET.encode())
        assert "gem som .xlsx eller .csv" in refusal(tmp_path / name)


def test_an_xlsx_with_a_missing_part(tmp_path: Path) -> None:
    path = tmp_path / "eksport.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("hemmelig.txt", SECRET)
    assert "kan ikke læses som XLSX" in refusal(path)


BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n"
)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_an_entity_expansion_bomb(tmp_path: Path, part: str) -> None:
    def bomb(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        return BOMB + data.replace(b"<t>", b"<t>&lol9;", 1)

    message = refusal(xlsx(tmp_path / "bombe.xlsx", bomb), max_peak_mb=10)
    assert "DTD" in message


def test_a_bomb_in_a_part_not_named_xml(tmp_path: Path) -> None:
    extra = {"xl/media/bilde.bin": BOMB + b"<a>&lol9;</a>", "xl/media/logo.png": bytes(64)}
    assert "DTD" in refusal(xlsx(tmp_path / "bombe.xlsx", extra=extra), max_peak_mb=10)


def test_an_entity_expansion_bomb_in_utf16(tmp_path: Path) -> None:
    def bomb(name: str, data: bytes) -> bytes:
        if name != "xl/workbook.xml":
            return data
        return (BOMB.replace(b'"1.0"', b'"1.0" encoding="UTF-16"') + data).decode().encode("utf-16")

    assert "ikke XML i UTF-8" in refusal(xlsx(tmp_path / "bombe.xlsx", bomb), max_peak_mb=10)


def test_defusedxml_refuses_the_bomb_even_past_the_scan(tmp_path: Path) -> None:
    """openpyxl's own parser is the second guard: defusedxml (a declared dependency)."""
    from defusedxml import DefusedXmlException
    from openpyxl.xml.functions import iterparse

    with pytest.raises(DefusedXmlException):
        list(iterparse(io.BytesIO(BOMB + b"<a>&lol9;</a>")))


def test_one_huge_inline_string(tmp_path: Path) -> None:
    """Scaled down from a 400 KB file holding one 400 MB string."""

    def inline(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        cell = b'<c r="C2" t="inlineStr"><is><t>' + b"x" * (20 * MB) + b"</t></is></c></row>"
        return data.replace(b"</row></sheetData>", cell + b"</sheetData>", 1)

    message = refusal(xlsx(tmp_path / "inline.xlsx", inline), max_peak_mb=10)
    assert "en celle har over 10000 tegn" in message or "pakket usædvanligt tæt" in message


def test_an_inline_string_over_the_cell_limit_packed_normally(tmp_path: Path) -> None:
    def inline(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        text = os.urandom(40_000).hex().encode()
        cell = b'<c r="C2" t="inlineStr"><is><t>' + text + b"</t></is></c></row>"
        return data.replace(b"</row></sheetData>", cell + b"</sheetData>", 1)

    assert "en celle har over 10000 tegn" in refusal(xlsx(tmp_path / "inline.xlsx", inline))


SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>'


def test_huge_unpacked_shared_strings(tmp_path: Path) -> None:
    """Scaled down from a 2 MB file with 50 million shared strings."""
    strings = {"xl/sharedStrings.xml": SST % (b"<si><t>a</t></si>" * (64 * 4096))}
    path = xlsx(tmp_path / "delte.xlsx", extra=strings)
    message = refusal(path, settings(import_max_file_mb=1), max_peak_mb=10)
    assert "fylder for meget udpakket" in message or "pakket usædvanligt tæt" in message


def test_more_shared_strings_than_rows_allow(tmp_path: Path) -> None:
    strings = {"xl/sharedStrings.xml": SST % (b"<si><t>a</t></si>" * 1200)}
    path = xlsx(tmp_path / "delte.xlsx", extra=strings)
    assert "delte tekster" in refusal(path, settings(import_max_rows=100))


def test_a_densely_packed_part(tmp_path: Path) -> None:
    def dense(name: str, data: bytes) -> bytes:
        if name != "docProps/app.xml":
            return data
        return data + b" " * (3 * MB)

    assert "pakket usædvanligt tæt" in refusal(xlsx(tmp_path / "tæt.xlsx", dense))


def test_the_reject_report_dialect_still_reads(tmp_path: Path) -> None:
    """The project's own reject report (UTF-8 BOM, ';') reads back too."""
    path = tmp_path / "afviste.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream, delimiter=";").writerows([["fil", "række"], ["a.csv", "3"]])
    assert read_all(path) == (["fil", "række"], [(2, {"fil": "a.csv", "række": "3"})])
