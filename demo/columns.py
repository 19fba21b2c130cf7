"""The columns of a generated row: canonical headers from the column map plus categories.

The canonical header of a field is its first alias in config/columns.yaml; each balance
category that applicants answer themselves gets a column of its own.
"""

from functools import lru_cache
from pathlib import Path

from demo.vocabulary import FIELDS
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.settings import get_settings
from opgaveudvalg.yamlinput import load_text


@lru_cache
def _read_headers(path: Path) -> dict[str, str]:
    aliases = load_text(path.read_text(encoding="utf-8"), str(path))
    missing = [name for name in FIELDS if not aliases.get(name)]
    if missing:
        raise ValueError(f"{path}: the column map has no alias for {', '.join(missing)}")
    return {name: str(aliases[name][0]) for name in FIELDS}


def canonical_headers(column_map: Path | None = None) -> dict[str, str]:
    """Application field → canonical header (the first alias in the column map)."""
    return dict(_read_headers(column_map or get_settings().column_map))


def category_columns(mandate: Mandate) -> list[str]:
    """Balance categories applicants answer in a column of their own: not 'køn', and not a
    category whose targets are all age bands (those come from the birth year)."""
    age_only: dict[str, bool] = {}
    for target in mandate.repræsentationsmål:
        age_only[target.kategori] = age_only.get(target.kategori, True) and bool(target.alder)
    return [
        name
        for name in mandate.balance_categories
        if name.casefold() != "køn" and not age_only.get(name, False)
    ]


def headers(mandate: Mandate, column_map: Path | None = None) -> list[str]:
    """The columns of a generated row, in order: the category columns follow 'køn'."""
    canonical = canonical_headers(column_map)
    result: list[str] = []
    for name in FIELDS:
        result.append(canonical[name])
        if name == "køn":
            result += category_columns(mandate)
    return result
