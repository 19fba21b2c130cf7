"""Reading an XLSX export safely: the archive is inspected before openpyxl opens it.

An XLSX file is a zip of XML parts. A small file can unpack to gigabytes (a 400 KB file with
one 400 MB inline string, a 2 MB file with 50 million shared strings), and openpyxl holds every
shared string and each cell's text in memory. So before opening, from the zip's directory and
one streaming pass over its XML parts (nothing kept): the number of parts, each part's
unpacked size and packing ratio, the number of shared strings, the longest run of text (one
cell) and any DTD (Excel never writes one; an entity-expansion bomb needs one) are checked
against caps derived from the `import_*` settings. zipfile never unpacks more than a part's
declared size (it fails the CRC check instead), so the declared sizes are safe to trust.
openpyxl parses with defusedxml (a declared dependency) as a second guard.
"""

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from openpyxl.utils.exceptions import InvalidFileException

from opgaveudvalg.errors import UserError
from opgaveudvalg.recruitment.filelimits import CHUNK, Limits

MB = 1024 * 1024
MAX_PARTS = 1000
MAX_RATIO = 100  # unpacked / packed for parts over 1 MB; real sheets pack 5-30 times
OTHER_PART_BYTES = 16 * MB  # styles, workbook, relations…
BYTES_PER_CHAR = 6  # the most one character of a cell can take in the XML (&quot;)
DTD = re.compile(rb"<!(DOCTYPE|ENTITY)")
OLE2 = b"\xd0\xcf\x11\xe0"

# What openpyxl raises for a damaged or odd workbook (a missing part is a KeyError).
BROKEN: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    OSError,  # openpyxl: "File contains no valid workbook part"
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,  # xml.etree ParseError and lxml's XMLSyntaxError
    InvalidFileException,
)


def _part_cap(name: str, limits: Limits) -> int:
    """Unpacked bytes one part may have: a sheet four times the file cap, the shared strings
    once the file cap, anything else 16 MB."""
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return 4 * limits.file_bytes
    if name == "xl/sharedStrings.xml":
        return limits.file_bytes
    return OTHER_PART_BYTES


def _refuse(path: Path, why: str) -> UserError:
    return UserError(f"{path.name} afvises: {why}")


def _check_sizes(path: Path, parts: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(parts) > MAX_PARTS:
        raise _refuse(path, f"arkivet har {len(parts)} dele; en XLSX-fil har få")
    for part in parts:
        if part.file_size > _part_cap(part.filename, limits):
            raise _refuse(path, "en del af arkivet fylder for meget udpakket")
        if part.file_size > MB and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise _refuse(path, "en del af arkivet er pakket usædvanligt tæt (zip-bombe?)")
    if sum(part.file_size for part in parts) > 8 * limits.file_bytes:
        raise _refuse(path, "arkivet fylder for meget udpakket")


def _scan_part(path: Path, archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: Limits) -> None:
    """One streaming pass over an XML part: no DTD, no text run longer than a cell may be,
    and no more shared strings than the rows and columns allow."""
    cap = limits.cell_chars * BYTES_PER_CHAR
    run, tail, strings = 0, b"", 0  # run: the text after the last '<' so far
    with archive.open(part) as stream:
        chunk = stream.read(CHUNK)
        if not chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<", b"\xff\xfe", b"\xfe\xff")):
            return  # not XML, whatever its name says (an image, printer settings…)
        while chunk:
            if DTD.search(tail + chunk):
                raise _refuse(path, "den indeholder en DTD/XML-entiteter, som Excel aldrig skriver")
            if b"\x00" in chunk:  # UTF-16 XML would hide a DTD from this scan; Excel writes UTF-8
                raise _refuse(path, "en del af arkivet er ikke XML i UTF-8")
            pieces = chunk.split(b"<")
            if len(pieces) == 1:
                run += len(chunk)
                longest = run
            else:
                longest = max(run + len(pieces[0]), max(map(len, pieces[1:])))
                run = len(pieces[-1])
            if longest > cap:
                raise _refuse(path, f"en celle har over {limits.cell_chars} tegn")
            strings += chunk.count(b"<si>") + chunk.count(b"<si ")
            tail = chunk[-16:]
            chunk = stream.read(CHUNK)
    if strings > limits.rows * 10:
        raise _refuse(path, "den har flere delte tekster, end en eksport kan have")


def check_archive(path: Path, limits: Limits) -> None:
    """Refuse, before openpyxl opens it, an XLSX that is not a zip or would unpack too big."""
    with path.open("rb") as stream:
        if stream.read(4) == OLE2:
            raise UserError(
                f"{path.name} er en gammel Excel-fil (.xls) eller beskyttet med adgangskode; "
                "gem som .xlsx uden adgangskode eller .csv"
            )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise UserError(f"{path.name} er ikke en gyldig XLSX-fil (ikke en zip-fil)") from None
    with archive:
        parts = archive.infolist()
        _check_sizes(path, parts, limits)
        try:
            for part in parts:
                _scan_part(path, archive, part, limits)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
            raise UserError(f"{path.name} er en beskadiget XLSX-fil") from None


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold: 2900.0 → '2900'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _broken(path: Path, exc: BaseException) -> UserError:
    if isinstance(exc, DefusedXmlException):
        return _refuse(path, "den indeholder XML-entiteter, som Excel aldrig skriver")
    kind = "ugyldig XML" if isinstance(exc, ParseError | SyntaxError) else type(exc).__name__
    return UserError(f"{path.name} kan ikke læses som XLSX ({kind}); gem den igen fra Excel")


def xlsx_records(path: Path, limits: Limits) -> Iterator[list[str]]:
    """The first sheet's rows as text, the header first."""
    check_archive(path, limits)
    from openpyxl import load_workbook

    try:
        workbook: Any = load_workbook(path, read_only=True, data_only=True)
    except BROKEN as exc:
        raise _broken(path, exc) from None
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except BROKEN as exc:
        raise _broken(path, exc) from None
    finally:
        workbook.close()
