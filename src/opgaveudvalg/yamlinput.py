"""Input files the secretariat writes in YAML (mandate, agendas, minutes, politicians):
read with line marks, validated with Pydantic, every problem reported as file:line: field: message.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from opgaveudvalg.errors import UserError

Lang = Literal["da", "en"]
FieldPath = tuple[str | int, ...]
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class FileInvalid(UserError):
    """An input file with one or more problems; str() lists them one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


_WHOLE_NUMBER = ("skal være et helt tal", "must be a whole number")
_NUMBER = ("skal være et tal", "must be a number")
_DATE = ("skal være en dato som 2025-02-26", "must be a date like 2025-02-26")
_YES_NO = ("skal være true eller false", "must be true or false")
_SECTION = ("skal være en sektion med underfelter", "must be a section with sub-fields")
_PYDANTIC_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("feltet mangler", "field is missing"),
    "extra_forbidden": ("ukendt felt – tjek stavningen", "unknown field – check the spelling"),
    "int_parsing": _WHOLE_NUMBER,
    "int_type": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "float_parsing": _NUMBER,
    "float_type": _NUMBER,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_type": _DATE,
    "bool_parsing": _YES_NO,
    "bool_type": _YES_NO,
    "model_type": _SECTION,
    "model_attributes_type": _SECTION,
    "string_type": ("skal være tekst", "must be text"),
    "string_too_short": ("må ikke være tom", "must not be empty"),
    "string_too_long": (
        "er for lang (højst {max_length} tegn)",
        "is too long (at most {max_length})",
    ),
    "string_pattern_mismatch": (
        "må kun indeholde små bogstaver a–z, tal og bindestreg",
        "may only contain lower-case letters a–z, digits and hyphens",
    ),
    "greater_than_equal": ("skal være mindst {ge}", "must be at least {ge}"),
    "greater_than": ("skal være større end {gt}", "must be greater than {gt}"),
    "less_than_equal": ("må højst være {le}", "must be at most {le}"),
    "list_type": ("skal være en liste (linjer med '- ')", "must be a list (lines with '- ')"),
    "too_short": ("skal have mindst {min_length} punkt(er)", "needs at least {min_length} item(s)"),
    "value_error": ("ugyldig værdi: {error}", "invalid value: {error}"),
    "literal_error": ("skal være en af {expected}", "must be one of {expected}"),
    "enum": ("skal være en af {expected}", "must be one of {expected}"),
}


def pick(lang: Lang, da: str, en: str) -> str:
    return da if lang == "da" else en


_EMAIL = (
    "skal være en e-mailadresse som navn@kommune.dk",
    "must be an e-mail address like name@example.dk",
)


def translate(error: Any, lang: Lang) -> str:
    """Pydantic's error in the user's words; an error whose context lacks what the text needs
    (an e-mail's `reason`, a validator's own message) falls back to Pydantic's message."""
    ctx = error.get("ctx") or {}
    if error["type"] == "value_error" and "reason" in ctx:  # EmailStr
        return pick(lang, *_EMAIL)
    texts = _PYDANTIC_MESSAGES.get(error["type"])
    if texts is None:
        return str(error["msg"])
    if "expected" in ctx and lang == "da":  # Pydantic lists the choices as "'a', 'b' or 'c'"
        ctx = {**ctx, "expected": str(ctx["expected"]).replace(" or ", " eller ")}
    try:
        return pick(lang, *texts).format(**ctx)
    except (KeyError, IndexError, ValueError):
        return pick(lang, "ugyldig værdi: {}", "invalid value: {}").format(error["msg"])


def format_path(path: FieldPath) -> str:
    """`a.b[0].c`; Pydantic's marker for a mapping's key ("[key]") is left out."""
    text = ""
    for part in path:
        if part == "[key]":
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_of(node: Any, path: FieldPath) -> int:
    """1-based line of the deepest part of `path` present in the ruamel document."""
    line = 0
    for part in path:
        lc = getattr(node, "lc", None)
        key = _key(node, part) if lc is not None else None
        if lc is None or key is None:
            break
        line = lc.item(key)[0] if isinstance(node, list) else lc.key(key)[0]
        node = node[key]
    return line + 1


def _key(node: Any, part: str | int) -> Any:
    """The list index or mapping key `part` names in `node`, or None; a mapping key written
    `1:` in YAML is the number 1 but named "1" in a validation error's path."""
    if isinstance(part, int) and isinstance(node, list):
        return part if part < len(node) else None
    if isinstance(part, str) and isinstance(node, dict):
        return part if part in node else next((k for k in node if str(k) == part), None)
    return None


def plain(node: Any) -> Any:
    """ruamel's round-trip containers and scalars as plain Python values."""
    if isinstance(node, dict):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(item) for item in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None or isinstance(node, date):
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _refused(name: str, line: int, lang: Lang, da: str, en: str) -> FileInvalid:
    return FileInvalid([Problem(name, line, "", pick(lang, da, en))])


def read_yaml(
    path: Path,
    lang: Lang,
    fields_da: str,
    fields_en: str,
    shape: Literal["mapping", "list"] = "mapping",
) -> Any:
    """The YAML document with ruamel's line marks; refuses what is not UTF-8, tabs, bad YAML
    and a document that is not a mapping (naming `fields_*` as examples of what belongs) or,
    with shape="list", not a list of such entries (an empty file is an empty list)."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(
            pick(
                lang,
                f"{name}: kan ikke læses ({exc.strerror})",
                f"{name}: cannot be read ({exc.strerror})",
            )
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        byte = f"byte 0x{raw[exc.start]:02X}"
        raise _refused(
            name,
            raw[: exc.start].count(b"\n") + 1,
            lang,
            f"filen er ikke gemt som UTF-8 ({byte}) – gem den som UTF-8",
            f"the file is not saved as UTF-8 ({byte}) – save it as UTF-8",
        ) from None
    for number, line_text in enumerate(text.splitlines(), start=1):
        if "\t" in line_text[: len(line_text) - len(line_text.lstrip())]:
            raise _refused(
                name,
                number,
                lang,
                "tabulator i indrykningen – YAML skal indrykkes med mellemrum",
                "tab in the indentation – YAML must be indented with spaces",
            )
    document = load_text(text, name, lang)
    if shape == "list":
        return _as_list(document, name, lang, fields_da, fields_en)
    if not isinstance(document, dict):
        raise _refused(
            name,
            1,
            lang,
            f"filen skal indeholde felter som {fields_da}",
            f"the file must contain fields such as {fields_en}",
        )
    return document


# --- parsing, safe against alias bombs ------------------------------------------------------------

MAX_ALIAS_NODES = 1000
"""How many nodes aliases (`*name`) may repeat in one document: a real input file uses none
or a few, and a "billion laughs" file needs millions."""


class _AliasRefused(Exception):
    def __init__(self, line: int, recursive: bool):
        self.line = line
        self.recursive = recursive


class _GuardedComposer(Composer):
    """ruamel's composer, counting the nodes every alias repeats (from the anchored node's size,
    before anything is expanded) and refusing an alias inside its own anchor."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self._open: set[str] = set()
        self._sizes: dict[int, int] = {}
        self._repeated = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            self._count(event)
            return super().compose_node(parent, index)
        anchor = getattr(event, "anchor", None)
        if anchor is None or anchor in self._open:
            return super().compose_node(parent, index)
        self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)

    def _count(self, event: AliasEvent) -> None:
        line = event.start_mark.line + 1 if event.start_mark else 1
        if event.anchor in self._open:
            raise _AliasRefused(line, recursive=True)
        node = self.anchors.get(event.anchor)
        if node is not None:
            self._repeated += self._size(node)
        if self._repeated > MAX_ALIAS_NODES:
            raise _AliasRefused(line, recursive=False)

    def _size(self, node: Node) -> int:
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(self._size(item) for item in node.value)
        elif isinstance(node, MappingNode):
            size += sum(self._size(key) + self._size(value) for key, value in node.value)
        self._sizes[id(node)] = size
        return size


class _Constructor(RoundTripConstructor):
    """A date that does not exist (`2027-02-30`) stays text, so validation reports its field."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):
            return str(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def load_text(text: str, name: str, lang: Lang = "da") -> Any:
    """A YAML document (ruamel round-trip, with line marks); refuses bad YAML, recursive
    aliases and aliases repeating more than MAX_ALIAS_NODES nodes as FileInvalid naming the line."""
    yaml = YAML(typ="rt")
    yaml.Composer = _GuardedComposer
    yaml.Constructor = _Constructor
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or exc.context or ""
        raise _refused(
            name,
            mark.line + 1 if mark else 1,
            lang,
            f"YAML-fejl: {detail} – tjek indrykning, koloner og anførselstegn",
            f"YAML error: {detail} – check indentation, colons and quotes",
        ) from None
    except _AliasRefused as exc:
        raise _alias_refused(name, exc, lang) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise _refused(
            name,
            1,
            lang,
            f"YAML-fejl: {type(exc).__name__} – filen kan ikke læses som YAML",
            f"YAML error: {type(exc).__name__} – the file cannot be read as YAML",
        ) from None


def _alias_refused(name: str, exc: _AliasRefused, lang: Lang) -> FileInvalid:
    if exc.recursive:
        return _refused(
            name,
            exc.line,
            lang,
            "et alias (*navn) står inde i sit eget anker (&navn) – skriv værdien ud",
            "an alias (*name) is inside its own anchor (&name) – write the value out",
        )
    return _refused(
        name,
        exc.line,
        lang,
        f"aliaser (*navn) gentager mere end {MAX_ALIAS_NODES} værdier – skriv værdierne ud",
        f"aliases (*name) repeat more than {MAX_ALIAS_NODES} values – write the values out",
    )


def _as_list(document: Any, name: str, lang: Lang, fields_da: str, fields_en: str) -> Any:
    if document is None:
        return CommentedSeq()
    if not isinstance(document, list):
        message = pick(
            lang,
            f"filen skal være en liste (linjer med '- ') med felterne {fields_da}",
            f"the file must be a list (lines with '- ') with the fields {fields_en}",
        )
        raise FileInvalid([Problem(name, 1, "", message)])
    return document


def validate(model: type[Model], document: Any, name: str, lang: Lang = "da") -> Model:
    """`document` (from read_yaml) as `model`; raises FileInvalid naming every bad field's line."""
    try:
        return model.model_validate(plain(document))
    except ValidationError as exc:
        raise FileInvalid(
            [
                Problem(
                    name,
                    line_of(document, error["loc"]),
                    format_path(error["loc"]),
                    translate(error, lang),
                )
                for error in exc.errors()
            ]
        ) from None


def empty_if_none(empty: Any) -> BeforeValidator:
    """A field or section left empty in the file (`bilag:`, `fravær:`) means none."""
    return BeforeValidator(lambda value: empty if value is None else value)


class Entry(BaseModel):
    """An entry of a file the secretariat writes: unknown fields are refused, text is trimmed,
    and a number where text is expected is taken as text."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True, frozen=True
    )
