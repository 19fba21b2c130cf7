"""Peer side of the selection benchmark: run ``sortition-algorithms`` on one instance.

Run ONLY with the peer venv's python (see ``bench/peer_env.py``); the package is
GPL-3.0 and is never installed into the project's environment::

    "$(python3 bench/peer_env.py)" bench/peer_sortition.py INSTANCE_DIR [--algorithm maximin]

INSTANCE_DIR is a folder in the format of ``../shared/instances/README.md``
(``categories.csv`` with ``category,feature,min,max``; ``respondents.csv`` with one
column per category and an optional first column ``pool_member_identifier``);
the panel size k is the number after the folder name's last underscore.

Prints exactly one JSON object on stdout::

    {"instance", "algorithm", "seconds", "min_probability", "probabilities",
     "panels", "version", "n", "k", "solver_backend"}

``seconds`` is the wall time of the distribution computation only
(``find_distribution_*`` + ``standardize_distribution``), not of loading or
checking. Everything the package (or HiGHS) prints goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

ID_COLUMN = "pool_member_identifier"
# Algorithms that yield a full probability distribution over panels with a free
# solver. leximin needs Gurobi (the package silently falls back to maximin
# without it); legacy draws one panel and has no distribution.
ALGORITHMS = ("maximin", "nash")


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send everything written to stdout (Python and C level, e.g. HiGHS) to stderr."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


class StderrProgress:
    """The package's ProgressReporter protocol, printing to stderr at most every few seconds."""

    def __init__(self, every: float = 10.0) -> None:
        self.every = every
        self.last = 0.0
        self.name = ""

    def start_phase(
        self, name: str, total: int | None = None, *, message: str | None = None
    ) -> None:
        self.name = name
        print(f"[peer] phase {name}: {message}", file=sys.stderr, flush=True)

    def update(self, current: int, *, message: str | None = None) -> None:
        now = time.monotonic()
        if now - self.last >= self.every:
            self.last = now
            print(f"[peer] {self.name} {current}: {message}", file=sys.stderr, flush=True)

    def end_phase(self) -> None:
        print(f"[peer] end {self.name}", file=sys.stderr, flush=True)


def panel_size(instance_dir: Path) -> int:
    tail = instance_dir.name.rsplit("_", 1)[-1]
    if not tail.isdigit():
        raise SystemExit(f"cannot read panel size k from folder name {instance_dir.name!r}")
    return int(tail)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        rows = [row for row in reader if any((v or "").strip() for v in row.values())]
        return list(reader.fieldnames or []), rows


def load_instance(instance_dir: Path, k: int) -> tuple[Any, Any, list[str]]:
    """Load features and people through the package's own readers and checks.

    Returns (features, people, person_ids in file order).
    """
    from sortition_algorithms import Settings, read_in_features, read_in_people
    from sortition_algorithms.features import check_desired
    from sortition_algorithms.people import check_enough_people_for_every_feature_value

    # Our `category,feature,min,max` -> the package's `feature,value,min,max`.
    # (Passing our header as is would be misread: the package looks for a column
    # named "feature" first and would take our values as feature names.)
    _, cat_rows = read_csv(instance_dir / "categories.csv")
    feature_rows = [
        {"feature": r["category"], "value": r["feature"], "min": r["min"], "max": r["max"]}
        for r in cat_rows
    ]
    # No min_flex/max_flex columns: the package then uses min_flex=0 and
    # max_flex=(largest sum of maxima); flex only matters for its quota-relaxation
    # suggestions when quotas are infeasible.
    features, _, _ = read_in_features(
        ["feature", "value", "min", "max"], feature_rows, number_to_select=k
    )

    head, resp_rows = read_csv(instance_dir / "respondents.csv")
    if ID_COLUMN not in head:
        head = [ID_COLUMN, *head]
        resp_rows = [{ID_COLUMN: f"p{i}", **row} for i, row in enumerate(resp_rows)]
    settings = Settings(
        id_column=ID_COLUMN,
        columns_to_keep=[],
        check_same_address=False,
        check_same_address_columns=[],
        selection_algorithm="maximin",
        solver_backend="highspy",
    )
    people, _ = read_in_people(head, resp_rows, features, settings)

    # The same pre-checks run_stratification() does before selecting.
    check_desired(features, k)
    check_enough_people_for_every_feature_value(features, people)
    return features, people, [row[ID_COLUMN].strip() for row in resp_rows]


def run(
    instance_dir: Path, algorithm: str, seed: int, progress: float | None = None
) -> dict[str, Any]:
    import sortition_algorithms.utils as sa_utils
    from sortition_algorithms.committee_generation import (
        find_distribution_maximin,
        find_distribution_nash,
        standardize_distribution,
    )

    # The package logs to stdout by default; move its loggers to stderr.
    sa_utils.override_logging_handlers(
        [logging.StreamHandler(sys.stderr)], [logging.StreamHandler(sys.stderr)]
    )
    # HiGHS seeds come from the package's random provider (secrets unless seeded).
    sa_utils.set_random_provider(seed)

    k = panel_size(instance_dir)
    features, people, person_ids = load_instance(instance_dir, k)
    find = {"maximin": find_distribution_maximin, "nash": find_distribution_nash}[algorithm]
    reporter = StderrProgress(progress) if progress is not None else None

    start = time.perf_counter()
    committees, probabilities, _report = find(
        features, people, k, [], "highspy", progress_reporter=reporter
    )
    # What find_random_sample() does next: drop panels with p < 1e-8, renormalise.
    committees, probabilities = standardize_distribution(committees, probabilities)
    seconds = time.perf_counter() - start

    # The result is (list of panels as frozensets of ids, list of panel probabilities);
    # a person's selection probability is the sum over the panels containing them.
    marginals = dict.fromkeys(person_ids, 0.0)
    for committee, p in zip(committees, probabilities, strict=True):
        for pid in committee:
            marginals[pid] += p
    return {
        "instance": instance_dir.name,
        "algorithm": algorithm,
        "seconds": round(seconds, 3),
        "min_probability": min(marginals.values()),
        "probabilities": marginals,
        "panels": len(committees),
        "version": dist_version("sortition-algorithms"),
        "n": len(person_ids),
        "k": k,
        "solver_backend": "highspy",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instance_dir", type=Path)
    parser.add_argument("--algorithm", choices=ALGORITHMS, default="maximin")
    parser.add_argument(
        "--seed", type=int, default=1, help="seed for HiGHS via the package (0 = secrets)"
    )
    parser.add_argument(
        "--progress",
        type=float,
        metavar="SECONDS",
        help="print the package's progress events to stderr, at most every SECONDS",
    )
    args = parser.parse_args(argv)
    instance_dir = args.instance_dir.resolve()
    with stdout_to_stderr():
        result = run(instance_dir, args.algorithm, args.seed, args.progress)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
