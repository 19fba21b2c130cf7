"""Rows written as a form tool exports them: CSV, Excel or JSON."""

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook


def write_csv(
    rows: Iterable[dict[str, str]], path: Path, encoding: str = "utf-8-sig", delimiter: str = ";"
) -> int:
    """Rows as CSV with a header from the first row's keys; returns the number of rows."""
    iterator = iter(rows)
    first = next(iterator, None)
    count = 0
    with path.open("w", encoding=encoding, newline="") as stream:
        if first is None:
            return 0
        writer = csv.DictWriter(stream, fieldnames=list(first), delimiter=delimiter)
        writer.writeheader()
        writer.writerow(first)
        count = 1
        for row in iterator:
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(rows: Iterable[dict[str, str]], path: Path) -> int:
    """Rows as an Excel sheet 'Form1' with a header row; returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Form1")
    columns: list[str] | None = None
    count = 0
    for row in rows:
        if columns is None:
            columns = list(row)
            sheet.append(columns)
        sheet.append([row[column] for column in columns])
        count += 1
    workbook.save(path)
    return count


def write_json(rows: Iterable[dict[str, str]], path: Path) -> int:
    """Rows as a JSON array of objects (UTF-8); returns the number of rows."""
    data = list(rows)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(data)
