"""Mapping a form-tool export's column headers to the application's fields
(`config/columns.yaml`) and to the mandate's balance categories."""

from pathlib import Path

from ruamel.yaml import YAML

from opgaveudvalg.errors import UserError

REQUIRED_FIELDS = ("navn", "email", "postnummer", "fødselsår", "køn", "profiler")
CATEGORY_PREFIX = "kategori:"


def normalise_header(header: str) -> str:
    return " ".join(str(header).casefold().strip().rstrip(":?").split())


def load_column_map(path: Path) -> dict[str, str]:
    """Header alias (normalised) → application field."""
    try:
        fields = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: kolonneoversigten kan ikke læses ({exc.strerror})") from None
    return {normalise_header(alias): name for name, aliases in fields.items() for alias in aliases}


def map_columns(
    path: Path, headers: list[str], column_map: dict[str, str], categories: list[str]
) -> dict[str, str]:
    """File header → field or balance category (`kategori:<name>`); a missing required
    column is an error."""
    category_keys = {normalise_header(c): c for c in categories}
    mapping: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        if key in column_map:
            mapping[header] = column_map[key]
        elif key in category_keys:
            mapping[header] = CATEGORY_PREFIX + category_keys[key]
    missing = [f for f in REQUIRED_FIELDS if f not in mapping.values()]
    if missing:
        accepted = {f: [a for a, name in column_map.items() if name == f] for f in missing}
        raise UserError(
            f"{path}: mangler kolonnen "
            + "; ".join(
                f"'{f}' (accepterede overskrifter: {', '.join(accepted[f])})" for f in missing
            )
        )
    return mapping
