"""Free-text answers to a balance category mapped to the mandate's group names at import.

`Hellerup` and `2900` both mean the group `Hellerup og Tuborg`. An answer is looked up, in this
order: the group's own name (`text_key`, so case and punctuation do not matter), a synonym of a
group (`config/answers.yaml`), and for district-type categories the applicant's postcode. The
canonical group name is stored; an answer that maps to nothing is kept as typed and counted by
`recruitment status`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from opgaveudvalg.errors import UserError
from opgaveudvalg.text import text_key
from opgaveudvalg.yamlinput import load_text


@dataclass(frozen=True)
class AnswerMap:
    """Per category (text key): answer text key → group name, and postcode → group name."""

    synonyms: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    postcodes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def known_groups(self, category: str) -> set[str]:
        """Every group name the map can give for a category."""
        key = text_key(category)
        return set(self.synonyms.get(key, {}).values()) | set(self.postcodes.get(key, {}).values())

    def canonical(
        self, category: str, answer: str, postcode: str, groups: Iterable[str]
    ) -> str | None:
        """The group name an answer (or, failing that, the postcode) stands for, or None."""
        key, wanted = text_key(category), text_key(answer)
        if wanted:
            for group in groups:
                if text_key(group) == wanted:
                    return group
            if found := self.synonyms.get(key, {}).get(wanted):
                return found
        return self.postcodes.get(key, {}).get(postcode.strip())


def _mapping(path: Path, section: object, name: str) -> dict[str, object]:
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise UserError(f"{path}: '{name}' skal være en oversigt pr. kategori")
    return section


def load_answer_map(path: Path) -> AnswerMap:
    """The answer map from `path`; a missing file is an empty map."""
    if not path.exists():
        return AnswerMap()
    try:
        data = load_text(path.read_text(encoding="utf-8"), str(path)) or {}
    except OSError as exc:
        raise UserError(f"{path}: svaroversigten kan ikke læses ({exc})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: skal have afsnittene 'synonymer' og 'postnumre'")
    synonyms: dict[str, dict[str, str]] = {}
    for category, groups in _mapping(path, data.get("synonymer"), "synonymer").items():
        table = synonyms.setdefault(text_key(str(category)), {})
        for group, words in _mapping(path, groups, f"synonymer.{category}").items():
            for word in [group, *(words if isinstance(words, list) else [])]:
                table[text_key(str(word))] = str(group)
    postcodes: dict[str, dict[str, str]] = {}
    for category, codes in _mapping(path, data.get("postnumre"), "postnumre").items():
        postcodes[text_key(str(category))] = {
            str(code).strip(): str(group)
            for code, group in _mapping(path, codes, f"postnumre.{category}").items()
        }
    return AnswerMap(synonyms, postcodes)
