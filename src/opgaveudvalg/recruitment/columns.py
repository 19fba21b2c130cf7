"""Mapping a form-tool export's column headers to the application's fields
(`config/columns.yaml`) and to the mandate's balance categories."""

from collections import defaultdict
from pathlib import Path

from opgaveudvalg.errors import UserError
from opgaveudvalg.yamlinput import load_text

REQUIRED_FIELDS = ("navn", "email", "postnummer", "fødselsår", "køn", "profiler")
NAME_PARTS = ("fornavn", "mellemnavn", "efternavn")  # joined into `navn`, in this order
CATEGORY_PREFIX = "kategori:"
IGNORED = "ignoreres"  # columns form tools add themselves (IDs, timestamps): never read
ACCOUNT = "microsoft_forms_konto"  # Microsoft Forms' respondent account columns
MARKERS = "microsoft_forms_kendetegn"  # headers that only a Microsoft Forms export has
_SPECIAL = (ACCOUNT, MARKERS)


class ColumnMap(dict[str, str]):
    """Header alias (normalised) → application field, with the file it was read from and the
    Microsoft Forms account columns and markers."""

    def __init__(
        self,
        aliases: dict[str, str],
        source: Path,
        account: frozenset[str] = frozenset(),
        markers: frozenset[str] = frozenset(),
    ):
        super().__init__(aliases)
        self.source, self.account, self.markers = source, account, markers


def normalise_header(header: str) -> str:
    return " ".join(str(header).casefold().strip().rstrip(":?").split())


def load_column_map(path: Path) -> ColumnMap:
    """Header alias (normalised) → application field."""
    try:
        fields = load_text(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise UserError(f"{path}: kolonneoversigten kan ikke læses ({exc.strerror})") from None
    aliases = {
        normalise_header(alias): name
        for name, words in fields.items()
        if name not in _SPECIAL
        for alias in words
    }
    return ColumnMap(
        aliases,
        path,
        frozenset(normalise_header(a) for a in fields.get(ACCOUNT) or []),
        frozenset(normalise_header(a) for a in fields.get(MARKERS) or []),
    )


def _field_of(key: str, column_map: dict[str, str], categories: dict[str, str]) -> str | None:
    if key in column_map:
        return column_map[key]
    if key in categories:
        return CATEGORY_PREFIX + categories[key]
    return None


def _provides(fields: set[str], name: str) -> bool:
    """Whether the mapped fields give `name` (a full name also from first and last name)."""
    if name == "navn":
        return "navn" in fields or {"fornavn", "efternavn"} <= fields
    return name in fields


def _without_account_columns(
    headers: list[str], mapping: dict[str, str], column_map: dict[str, str]
) -> dict[str, str]:
    """In a Microsoft Forms export, its account columns ("Mail", "Navn": empty or "anonymous"
    when anyone may answer) give way to the form's own question for the same field."""
    account: frozenset[str] = getattr(column_map, "account", frozenset())
    markers: frozenset[str] = getattr(column_map, "markers", frozenset())
    if not any(normalise_header(h) in markers for h in headers):
        return mapping
    kept = dict(mapping)
    for header in headers:
        name = mapping.get(header)
        if name is None or normalise_header(header) not in account:
            continue
        others = {f for h, f in kept.items() if h != header}
        if _provides(others, name):
            del kept[header]
    return kept


def _duplicates(mapping: dict[str, str]) -> list[str]:
    """Two columns for one field: the import would silently keep only one of them."""
    by_field: dict[str, list[str]] = defaultdict(list)
    for header, name in mapping.items():
        by_field[name].append(header)
    problems = [
        f"kolonnerne {' og '.join(repr(h) for h in headers)} betyder begge '{name}'"
        for name, headers in by_field.items()
        if len(headers) > 1
    ]
    parts = [h for h, name in mapping.items() if name in NAME_PARTS]
    if "navn" in by_field and parts:
        problems.append(
            f"kolonnen {by_field['navn'][0]!r} (fulde navn) og "
            f"{' og '.join(repr(h) for h in parts)} (dele af navnet) findes begge"
        )
    return problems


def _missing_message(
    path: Path, headers: list[str], missing: list[str], column_map: dict[str, str]
) -> str:
    accepted = {f: [a for a, name in column_map.items() if name == f] for f in missing}
    parts = []
    for name in missing:
        also = " (eller 'fornavn' og 'efternavn')" if name == "navn" else ""
        parts.append(f"'{name}'{also} (accepterede overskrifter: {', '.join(accepted[name])})")
    source = getattr(column_map, "source", Path("config/columns.yaml"))
    return (
        f"{path}: mangler kolonnen "
        + "; ".join(parts)
        + f". Filens overskrifter: {', '.join(repr(h) for h in headers) or '(ingen)'}. "
        f"Hedder kolonnen noget andet i filen, så tilføj overskriften under feltet i {source}"
    )


def map_columns(
    path: Path,
    headers: list[str],
    column_map: dict[str, str],
    categories: list[str],
    profiles_required: bool,
) -> dict[str, str]:
    """File header → field or balance category (`kategori:<name>`). A missing required column,
    or two columns for the same field (other than the parts of a name), is an error. The
    profile column is required only when the mandate has no open seats (`profiles_required`)."""
    category_keys = {normalise_header(c): c for c in categories}
    mapping: dict[str, str] = {}
    for header in headers:
        name = _field_of(normalise_header(header), column_map, category_keys)
        if name is not None and name != IGNORED:
            mapping[header] = name
    mapping = _without_account_columns(headers, mapping, column_map)
    if problems := _duplicates(mapping):
        raise UserError(f"{path}: " + "; ".join(problems) + " – fjern eller omdøb den ene")
    required = [f for f in REQUIRED_FIELDS if f != "profiler" or profiles_required]
    fields = set(mapping.values())
    missing = [f for f in required if not _provides(fields, f)]
    if missing:
        raise UserError(_missing_message(path, headers, missing, column_map))
    return mapping
