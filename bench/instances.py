"""Selection instances for tests and benchmarks: the public ones in the Nature-replication format
(`categories.csv`, `respondents.csv`, see ../shared/instances/README.md) and a generated
committee-shaped one with profiles, balance categories and households."""

import csv
import os
import random
from pathlib import Path

from opgaveudvalg.selection.model import Instance, Person, Quota
from opgaveudvalg.settings import PROJECT_ROOT

PANEL = "panel"  # the one seat group of the public instances, which have no profiles


def instances_dir() -> Path:
    """`OPGAVEUDVALG_INSTANCES_DIR`, else the workplace's shared folder next to the checkout."""
    candidates = [
        os.environ.get("OPGAVEUDVALG_INSTANCES_DIR", ""),
        str(PROJECT_ROOT.parent / "shared" / "instances"),
        "/work/shared/instances",
    ]
    for candidate in filter(None, candidates):
        if Path(candidate, "README.md").exists():
            return Path(candidate)
    raise FileNotFoundError(
        f"no selection instances in {candidates}; set OPGAVEUDVALG_INSTANCES_DIR"
    )


def instance_path(name: str) -> Path:
    return instances_dir() / name


def public_instances() -> list[Path]:
    return sorted(p for p in instances_dir().iterdir() if (p / "categories.csv").exists())


def load_instance(folder: Path) -> Instance:
    """k is the number after the folder name's last underscore (example_small_20 → 20)."""
    size = int(folder.name.rsplit("_", 1)[1])
    with (folder / "categories.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    quotas = tuple(Quota(r["category"], r["feature"], int(r["min"]), int(r["max"])) for r in rows)
    categories = list(dict.fromkeys(r["category"] for r in rows))
    with (folder / "respondents.csv").open(encoding="utf-8") as stream:
        people = tuple(
            Person(
                row.get("pool_member_identifier") or f"p{number}",
                frozenset((c, row[c]) for c in categories),
                frozenset({PANEL}),
            )
            for number, row in enumerate(csv.DictReader(stream))
        )
    return Instance(people, {PANEL: size}, quotas)


PROFILES = {"ung": 2, "forælder": 3, "forening": 3, "fagperson": 2}
CATEGORIES = {
    "køn": ["kvinde", "mand"],
    "alder": ["15-29", "30-64", "65+"],
    "bydel": ["Hellerup", "Gentofte", "Vangede", "Ordrup"],
    "uddannelse": ["grundskole", "erhvervsfaglig", "videregående"],
}


def committee_instance(applicants: int = 300, seed: int = 1) -> Instance:
    """A committee like Gentofte's: 10 seats on 4 profiles, 4 balance categories, households."""
    rng = random.Random(seed)
    people = []
    for number in range(applicants):
        groups = {(category, rng.choice(values)) for category, values in CATEGORIES.items()}
        young = ("alder", "15-29") in groups
        profiles = {p for p in PROFILES if rng.random() < (0.6 if p == "ung" and young else 0.3)}
        if not young:
            profiles.discard("ung")
        profiles = profiles or {rng.choice(["forælder", "forening", "fagperson"])}
        household = f"h{number // 2}" if number % 10 < 2 else None  # one in five lives as a pair
        people.append(Person(f"a{number:04d}", frozenset(groups), frozenset(profiles), household))
    quotas = [Quota("køn", group, 4, 6) for group in CATEGORIES["køn"]]
    quotas += [
        Quota("alder", "15-29", 2, 4),
        Quota("alder", "30-64", 3, 6),
        Quota("alder", "65+", 1, 4),
    ]
    quotas += [Quota("bydel", group, 1, 4) for group in CATEGORIES["bydel"]]
    quotas += [Quota("uddannelse", group, 2, 5) for group in CATEGORIES["uddannelse"]]
    return Instance(tuple(people), dict(PROFILES), tuple(quotas))
