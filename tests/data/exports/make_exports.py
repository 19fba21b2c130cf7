"""Writes the exports in this folder from table.json; see README.md. Needs LibreOffice (soffice).

Run from the repository root: python tests/data/exports/make_exports.py
"""

import csv
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
NUMBERS = {"Postnummer", "Fødselsår"}  # numbers in the spreadsheet, as a form tool stores them
LIBREOFFICE = {  # file → CSV filter options: separator, quote, charset, first line, formats,
    # language, quote all text cells, (8: import-only "detect special numbers")
    "lo_comma.csv": "44,34,76,1,,0,false,true",
    "lo_semicolon.csv": "59,34,76,1,,0,false,true",
    "lo_tab.tsv": "9,34,76,1,,0,false,true",
    "lo_quote_all.csv": "59,34,76,1,,0,true,true",
    "lo_cp1252.csv": "59,34,1,1,,0,false,true",
    "lo_unicode.txt": "9,34,65535,1,,0,false,true",
}
PYTHON: dict[str, tuple[str, dict[str, object]]] = {  # file → (encoding, csv.writer arguments)
    "py_excel.csv": ("utf-8", {"dialect": "excel"}),
    "py_excel_tab.tsv": ("utf-8", {"dialect": "excel-tab"}),
    "py_semicolon.csv": ("utf-8", {"dialect": "excel", "delimiter": ";"}),
    "py_quote_all.csv": ("utf-8", {"dialect": "excel", "quoting": csv.QUOTE_ALL}),
    "py_quote_minimal_lf.csv": (
        "utf-8",
        {"delimiter": ";", "quoting": csv.QUOTE_MINIMAL, "lineterminator": "\n"},
    ),
    "py_unix.csv": ("utf-8", {"dialect": "unix"}),
    # Excel's own formats (Danish locale: ';'), imitated; Excel is not available here.
    "excel_csv_utf8.csv": ("utf-8-sig", {"dialect": "excel", "delimiter": ";"}),
    "excel_csv_semikolon_cp1252.csv": ("cp1252", {"dialect": "excel", "delimiter": ";"}),
    "excel_unicode_text.txt": ("utf-16", {"dialect": "excel-tab"}),
}


def source_workbook(table: dict[str, list], path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(table["headers"])
    for row in table["rows"]:
        sheet.append(
            [
                int(value) if header in NUMBERS else (value or None)
                for header, value in zip(table["headers"], row, strict=True)
            ]
        )
    workbook.save(path)


def libreoffice(source: Path, name: str, target: str, work: Path) -> None:
    env = {**os.environ, "HOME": str(work)}  # a profile of its own
    subprocess.run(
        ["soffice", "--headless", "--convert-to", target, "--outdir", str(work), str(source)],
        check=True,
        env=env,
        capture_output=True,
    )
    shutil.move(work / f"{source.stem}.{target.split(':')[0]}", HERE / name)


def main() -> None:
    table = json.loads((HERE / "table.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / "kilde.xlsx"
        source_workbook(table, source)
        for name, options in LIBREOFFICE.items():
            libreoffice(source, name, f"csv:Text - txt - csv (StarCalc):{options}", work)
        libreoffice(source, "lo_calc.xlsx", "xlsx:Calc MS Excel 2007 XML", work)
    for name, (encoding, arguments) in PYTHON.items():
        with (HERE / name).open("w", encoding=encoding, newline="") as stream:
            writer = csv.writer(stream, **arguments)  # type: ignore[arg-type]
            writer.writerow(table["headers"])
            writer.writerows(table["rows"])
    records = [dict(zip(table["headers"], row, strict=True)) for row in table["rows"]]
    (HERE / "py_records.json").write_text(
        json.dumps(records, ensure_ascii=False, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
