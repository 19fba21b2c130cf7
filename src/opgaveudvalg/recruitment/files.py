"""Reading form-tool exports: CSV (any common encoding and delimiter), XLSX and JSON.

`read_export` gives the file's headers and a stream of (row number, header → value); row 1 is
the header, as in a spreadsheet. Every fault of a file is a `UserError` naming the file (and
the row where there is one) that never quotes the file's content.

Limits (the `import_*` settings): the size is checked before anything is read, then the whole
file is parsed once as a stream, keeping nothing, before its rows are handed out — so a file
refused at row 150,000 has imported nothing, and memory stays bounded by one row (one line of
at most `import_max_columns` cells of at most `import_max_cell_chars` characters). Only JSON is
read whole, within the size cap. XLSX archives are inspected before openpyxl opens them
(`xlsxfile`).
"""

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from opgaveudvalg.errors import UserError
from opgaveudvalg.recruitment import xlsxfile
from opgaveudvalg.recruitment.filelimits import CHUNK, Limits
from opgaveudvalg.settings import Settings

Rows = Iterator[tuple[int, dict[str, str]]]

SAMPLE_CHARS = 64 * 1024
DELIMITERS = (",", ";", "\t")
# Bytes Windows-1252 leaves undefined: Python's cp1252 codec refuses them.
CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# Control characters no text export holds (tab, LF, VT, FF, CR and ESC are left out).
CONTROLS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f]")
SIGNATURES = {
    b"PK\x03\x04": "en zip-fil (er det en Excel-fil, så giv den endelsen .xlsx)",
    b"\xd0\xcf\x11\xe0": "en gammel Office-fil (.xls); gem den som .xlsx eller .csv",
    b"%PDF": "en PDF-fil",
}


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- encodings -------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """UTF-16 with a BOM (Excel's "Unicode text"), UTF-8 with or without BOM if the whole file
    decodes as such, else Windows-1252 — refused if it holds a byte that code page lacks."""
    with path.open("rb") as stream:
        head = stream.read(SAMPLE_CHARS)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            refuse_binary(path, head, _utf16_text(path, head))
            return "utf-16"
        refuse_binary(path, head, head.decode("latin-1"))  # one character per byte
        stream.seek(0)
        return _utf8_or_cp1252(path, stream, head.startswith(codecs.BOM_UTF8))


def _utf16_text(path: Path, head: bytes) -> str:
    """The first block of a UTF-16 file as text; a file that is not UTF-16 is no text file."""
    decoder = codecs.getincrementaldecoder("utf-16")()
    try:
        return str(decoder.decode(head))  # an incomplete last character waits, unread
    except UnicodeDecodeError:
        raise UserError(f"{path.name} er ikke en tekstfil (CSV/XLSX/JSON)") from None


def refuse_binary(path: Path, head: bytes, text: str) -> None:
    """Refuse a file that is not text, judged by its first block (`head`, decoded: `text`).

    A binary file (zip, image, PDF, database…) has control bytes early and often; a text
    export has none, except perhaps a NUL someone pasted into one cell. So: binary when a known
    signature starts the file, when the first line (the header) holds a control byte, or when
    control characters are more than 1 % of the block. One stray NUL in a cell passes, and
    rows.py rejects that row."""
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            raise UserError(f"{path.name} er ikke en tekstfil (CSV/XLSX/JSON), men {kind}")
    first_line = text.split("\n", 1)[0]
    controls = len(CONTROLS.findall(text))
    if CONTROLS.search(first_line) or controls > max(4, len(text) // 100):
        raise UserError(
            f"{path.name} er ikke en tekstfil (CSV/XLSX/JSON); gem den fra regnearket som "
            "CSV UTF-8 eller .xlsx"
        )


def _utf8_or_cp1252(path: Path, stream: IO[bytes], bom: bool) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, line, bad_line = True, 1, 0
    while chunk := stream.read(CHUNK):
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        if not bad_line and (undefined := CP1252_UNDEFINED.search(chunk)):
            bad_line = line + chunk.count(b"\n", 0, undefined.start())
        line += chunk.count(b"\n")
    if utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8-sig" if bom else "utf-8"
        except UnicodeDecodeError:
            pass
    if bad_line:
        raise UserError(
            f"{path.name}: linje {bad_line} har en byte, der hverken er UTF-8 eller "
            "Windows-1252; gem filen som CSV UTF-8"
        )
    return "cp1252"


# --- CSV -------------------------------------------------------------------------------------


def _sample_widths(sample: str, delimiter: str, truncated: bool) -> list[int]:
    """The field count of each non-blank record of the sample, read as RFC 4180 with this
    delimiter; the last record is left out when the sample was cut (it may be partial)."""
    widths: list[int] = []
    try:
        for values in csv.reader(io.StringIO(sample), delimiter=delimiter, quotechar='"'):
            if values:
                widths.append(len(values))
    except csv.Error:
        pass
    return widths[:-1] if truncated and len(widths) > 1 else widths


def detect_delimiter(sample: str, truncated: bool) -> str:
    """The delimiter that splits the header into more than one field and the most records
    of the sample into as many fields as the header (then: the most fields); else ','."""
    best: tuple[float, int, str] = (-1.0, 0, ",")
    for delimiter in DELIMITERS:
        widths = _sample_widths(sample, delimiter, truncated)
        if not widths or widths[0] < 2:
            continue
        body = widths[1:]
        share = sum(width == widths[0] for width in body) / len(body) if body else 1.0
        best = max(best, (share, widths[0], delimiter))
    return best[2]


@contextmanager
def _field_limit(chars: int) -> Iterator[None]:
    previous = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _bounded_lines(path: Path, stream: IO[str], limits: Limits) -> Iterator[str]:
    """The physical lines, refusing one longer than a row within the limits can be."""
    for number, line in enumerate(iter(lambda: stream.readline(limits.line_chars + 1), ""), 1):
        if len(line) > limits.line_chars:
            raise UserError(f"{path.name}: linje {number} er længere end en række må være")
        yield line


def _csv_problem(path: Path, row: int, error: csv.Error, limits: Limits) -> UserError:
    text = str(error)
    if "field larger than field limit" in text:
        why = f"en celle har over {limits.cell_chars} tegn (indstillingen import_max_cell_chars)"
    elif "unexpected end of data" in text:
        why = 'et citationstegn (") åbner en celle, der aldrig lukkes'
    elif "expected after" in text:
        why = 'tekst efter et afsluttende citationstegn ("); et " i en celle skrives ""'
    else:
        why = "ugyldig CSV"
    return UserError(f"{path.name}: række {row}: {why}")


def csv_records(path: Path, limits: Limits) -> Iterator[list[str]]:
    """The records of a CSV file as RFC 4180 says (quote '"', a doubled quote is one, newlines
    inside quotes kept), with the delimiter detected from the first 64 KB."""
    encoding = detect_encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as stream:
            sample = stream.read(SAMPLE_CHARS)
    except UnicodeDecodeError:
        raise UserError(f"{path.name}: begyndelsen er ikke gyldig {encoding}") from None
    truncated = len(sample) == SAMPLE_CHARS
    if truncated and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    delimiter = detect_delimiter(sample, truncated)
    # The cell limit is the csv module's (process-wide) field limit while this file is read.
    with path.open(encoding=encoding, newline="") as stream, _field_limit(limits.cell_chars):
        reader = csv.reader(
            _bounded_lines(path, stream, limits),
            delimiter=delimiter,
            quotechar='"',
            doublequote=True,
            skipinitialspace=False,
            strict=True,
        )
        row = 0
        try:
            for row, values in enumerate(reader, start=1):  # noqa: B007 - row names an error
                yield values
        except csv.Error as exc:
            raise _csv_problem(path, row + 1, exc, limits) from None
        except UnicodeDecodeError:
            raise UserError(f"{path.name}: række {row + 1} er ikke gyldig {encoding}") from None


# --- JSON ------------------------------------------------------------------------------------


MAX_NUMBER_CHARS = 100  # a postcode, year or phone number is far shorter


class _NotANumber(ValueError):
    pass


class _Number(str):
    """A JSON number, kept as its text."""


def _no_constant(name: str) -> object:
    raise _NotANumber(name)


def _load_json(path: Path) -> object:
    """The parsed file; numbers stay text (no float rounding, no limit on digits)."""
    try:
        text = path.read_text(encoding=detect_encoding(path))
        return json.loads(text, parse_int=_Number, parse_float=_Number, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path.name}: ugyldig JSON i linje {exc.lineno}: {exc.msg}") from None
    except _NotANumber:
        raise UserError(f"{path.name}: JSON må ikke indeholde NaN eller Infinity") from None
    except RecursionError:
        raise UserError(f"{path.name}: JSON-filen er indlejret for dybt") from None
    except UnicodeDecodeError:
        raise UserError(f"{path.name} er ikke en gyldig tekstfil") from None


def _json_row(path: Path, number: int, record: object, limits: Limits) -> dict[str, str]:
    where = f"{path.name}: post nr. {number}"
    if not isinstance(record, dict):
        raise UserError(f"{where} er ikke et objekt; filen skal være en liste af objekter")
    row: dict[str, str] = {}
    for key, value in record.items():
        if isinstance(value, dict | list):
            raise UserError(f"{where} har en liste eller et objekt som værdi; kun tekst og tal")
        if isinstance(value, _Number) and len(value) > MAX_NUMBER_CHARS:
            raise UserError(f"{where} har et tal med over {MAX_NUMBER_CHARS} cifre")
        row[key] = "" if value is None else str(value)
        if len(row[key]) > limits.cell_chars:
            raise UserError(f"{where} har en værdi på over {limits.cell_chars} tegn")
    return row


def json_table(path: Path, limits: Limits) -> tuple[list[str], Rows]:
    records = _load_json(path)
    if not isinstance(records, list):
        raise UserError(f"{path.name}: JSON-filen skal være en liste af objekter")
    if len(records) > limits.rows:
        raise UserError(
            f"{path.name} har over {limits.rows} poster (indstillingen import_max_rows)"
        )
    rows = [_json_row(path, number, record, limits) for number, record in enumerate(records, 1)]
    headers = list(dict.fromkeys(key for row in rows for key in row))
    _check_width(path, 1, len(headers), limits)
    return headers, ((number, row) for number, row in enumerate(rows, start=2))


# --- tables ----------------------------------------------------------------------------------


def _check_width(path: Path, row: int, width: int, limits: Limits) -> None:
    if width > limits.columns:
        raise UserError(
            f"{path.name}: række {row} har {width} kolonner, over grænsen {limits.columns} "
            "(indstillingen import_max_columns)"
        )


def _table_rows(
    path: Path, headers: list[str], records: Iterator[list[str]], limits: Limits
) -> Rows:
    filled = 0
    for number, values in enumerate(records, start=2):
        if not any(value.strip() for value in values):
            continue
        filled += 1
        if filled > limits.rows:
            raise UserError(
                f"{path.name} har over {limits.rows} rækker (indstillingen import_max_rows); "
                "del filen op"
            )
        _check_width(path, number, len(values), limits)
        if max(map(len, values)) > limits.cell_chars:
            raise UserError(
                f"{path.name}: række {number}: en celle har over {limits.cell_chars} tegn"
            )
        yield number, dict(zip(headers, values, strict=False))


def table(path: Path, records: Iterator[list[str]], limits: Limits) -> tuple[list[str], Rows]:
    """Headers and rows from a stream of records (the first is the header); blank rows are
    skipped but keep their number."""
    headers = next(records, None)
    if headers is None:
        raise UserError(f"{path.name}: filen er tom")
    _check_width(path, 1, len(headers), limits)
    return headers, _table_rows(path, headers, records, limits)


def _csv_table(path: Path, limits: Limits) -> tuple[list[str], Rows]:
    return table(path, csv_records(path, limits), limits)


def _xlsx_table(path: Path, limits: Limits) -> tuple[list[str], Rows]:
    return table(path, xlsxfile.xlsx_records(path, limits), limits)


def _unsupported(path: Path, limits: Limits) -> tuple[list[str], Rows]:
    raise UserError(f"{path.name}: {path.suffix}-filer kan ikke læses; gem som .xlsx eller .csv")


READERS: dict[str, Callable[[Path, Limits], tuple[list[str], Rows]]] = {
    ".csv": _csv_table,
    ".txt": _csv_table,
    ".tsv": _csv_table,
    ".xlsx": _xlsx_table,
    ".json": json_table,
    ".xls": _unsupported,
    ".ods": _unsupported,
}


def read_export(path: Path, settings: Settings) -> tuple[list[str], Rows]:
    """The file's headers and a stream of (row number, header → value); row 1 is the header.
    The whole file is checked against the limits before the first row is handed out."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UserError(f"{path.name}: ukendt filtype – brug .csv, .xlsx eller .json")
    if not path.is_file():
        raise UserError(f"{path}: filen findes ikke")
    limits = Limits.of(settings)
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise UserError(
            f"{path.name} fylder {size // (1024 * 1024)} MB, over grænsen "
            f"{settings.import_max_file_mb} MB (indstillingen import_max_file_mb); del filen op"
        )
    for _ in reader(path, limits)[1]:
        pass
    return reader(path, limits)
