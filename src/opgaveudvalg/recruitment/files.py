"""Reading form-tool exports: CSV (any common encoding and delimiter), XLSX and JSON.

Every reader yields the header list first, then (row number, header → value) per data row;
row 1 is the header, as in a spreadsheet.
"""

import codecs
import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from opgaveudvalg.errors import UserError


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else Windows-1252."""
    with path.open("rb") as stream:
        if stream.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        stream.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _csv_rows(path: Path) -> Iterator[Any]:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        sample = stream.read(64 * 1024)
        stream.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(stream, dialect)
        headers = next(reader, None)
        if headers is None:
            raise UserError(f"{path}: filen er tom")
        yield headers
        for number, values in enumerate(reader, start=2):
            if any(value.strip() for value in values):
                yield number, dict(zip(headers, values, strict=False))


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold: 2900.0 → '2900'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path) -> Iterator[Any]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        headers = [str(h) if h is not None else "" for h in next(rows, ())]
        yield headers
        for number, values in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in values]
            if any(cell.strip() for cell in cells):
                yield number, dict(zip(headers, cells, strict=False))
    finally:
        workbook.close()


def _json_rows(path: Path) -> Iterator[Any]:
    try:
        records = json.loads(path.read_text(encoding=detect_encoding(path)))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: ugyldig JSON i linje {exc.lineno}: {exc.msg}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise UserError(f"{path}: JSON-filen skal være en liste af objekter")
    headers = list(dict.fromkeys(key for record in records for key in record))
    yield headers
    for number, record in enumerate(records, start=2):
        yield number, {k: "" if v is None else str(v) for k, v in record.items()}


READERS: dict[str, Callable[[Path], Iterator[Any]]] = {
    ".csv": _csv_rows,
    ".txt": _csv_rows,
    ".tsv": _csv_rows,
    ".xlsx": _xlsx_rows,
    ".json": _json_rows,
}


def read_export(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The file's headers and a stream of (row number, header → value); row 1 is the header."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UserError(f"{path}: ukendt filtype – brug .csv, .xlsx eller .json")
    if not path.exists():
        raise UserError(f"{path}: filen findes ikke")
    rows = reader(path)
    return next(rows), rows
