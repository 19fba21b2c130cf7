"""Selection benchmark: our LEXIMIN against the Sortition Foundation's `sortition-algorithms`
(MAXIMIN with HiGHS) in the same run, on every public instance, on generated diverse pools
(`bench/diverse.py`: most applicants their own type) and on committee-shaped instances.

    .venv/bin/python -m bench.selection [--peer-timeout 1800] [--timeout 600] [--only NAME]
        [--plain] [--no-peer] [--skip-large]

Each measurement runs in a fresh subprocess (ours too, so a timeout can stop it). The peer is
GPL-3.0: it runs in its own virtualenv (bench/peer_env.py) and is never imported here. Times are
wall-clock seconds of computing the distribution only. `--plain` adds a column for our reference
column generation (one MILP per pricing round), the path the fast one is checked against.
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.diverse import ASSEMBLY, COMMITTEE, diverse_instance
from bench.instances import committee_instance, load_instance, public_instances
from opgaveudvalg.selection.lottery import distribution
from opgaveudvalg.selection.model import Instance, Method, Person, person_types

sys.path.insert(0, str(Path(__file__).parent))
from peer_env import peer_python  # noqa: E402

PEER_SCRIPT = Path(__file__).parent / "peer_sortition.py"
ROOT = Path(__file__).resolve().parents[1]
LARGE = 1500  # --skip-large leaves out pools bigger than this


def catalogue() -> dict[str, Callable[[], Instance]]:
    """Every benchmark instance by name; the peer can model those without profiles/households."""
    found: dict[str, Callable[[], Instance]] = {}
    for folder in public_instances():
        found[folder.name] = lambda folder=folder: load_instance(folder)  # type: ignore[misc]
    for shape in [*ASSEMBLY, *COMMITTEE]:
        found[shape.name] = lambda shape=shape: diverse_instance(shape)  # type: ignore[misc]
    found["committee-300"] = lambda: committee_instance(applicants=300, seed=1)
    found["committee-300-quotas-only"] = lambda: quotas_only(
        committee_instance(applicants=300, seed=1)
    )
    return found


def peer_can_model(instance: Instance) -> bool:
    return len(instance.seats) == 1 and not any(p.household for p in instance.people)


def quotas_only(instance: Instance) -> Instance:
    """An instance without profiles and households: what the peer can model."""
    people = tuple(Person(p.id, p.groups, frozenset({"panel"})) for p in instance.people)
    return Instance(people, {"panel": instance.size}, instance.quotas)


def measure(name: str, plain: bool) -> dict[str, object]:
    """Run in the subprocess: our LEXIMIN on one instance. The solvers' modules are imported
    first, as in a worker that has computed a lottery before (`distribution` imports them on
    first use, 0.25 s): the time is the computation's, numba's start (0.15 s) included."""
    import opgaveudvalg.selection.leximin  # noqa: F401

    instance = catalogue()[name]()
    started = time.perf_counter()
    result = distribution(instance, Method.leximin, plain=plain)
    seconds = time.perf_counter() - started
    stats = result.stats
    return {
        "seconds": seconds,
        "min_probability": min(result.probabilities().values()),
        "levels": stats.get("levels", 0),
        "relaxation": stats.get("relaxation", 0),
        "heuristic": stats.get("heuristic", 0),
        "guided": stats.get("guided", 0),
        "milp": stats.get("milp", 0),
        "lp": stats.get("lp", 0),
        "panels": len(result.panels),
        "probabilities": sorted(result.probabilities().values()),
    }


def ours(name: str, plain: bool, timeout: float) -> dict[str, object] | str:
    command = [sys.executable, "-m", "bench.selection", "--measure", name]
    command += ["--plain"] if plain else []
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired:
        return f"no result within {timeout:.0f} s"
    if done.returncode != 0:
        return f"failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def peer(folder: Path, timeout: float) -> tuple[float | None, float | None, str]:
    """(seconds, minimum probability, note) from the peer, or a note why there is none."""
    command = [str(peer_python()), str(PEER_SCRIPT), str(folder)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, None, f"no result within {timeout:.0f} s"
    if done.returncode != 0:
        return None, None, f"failed: {done.stderr.strip().splitlines()[-1]}"
    answer = json.loads(done.stdout)
    return answer["seconds"], answer["min_probability"], f"sortition-algorithms {answer['version']}"


def write_folder(instance: Instance, parent: Path, name: str) -> Path:
    """The quota part of an instance in the public format, so the peer can read it."""
    folder = parent / f"{name}_{instance.size}"
    folder.mkdir()
    categories = list(dict.fromkeys(q.category for q in instance.quotas))
    with (folder / "categories.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["category", "feature", "min", "max"])
        writer.writerows([q.category, q.group, q.min, q.max] for q in instance.quotas)
    with (folder / "respondents.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["pool_member_identifier", *categories])
        for person in instance.people:
            groups = dict(person.groups)
            writer.writerow([person.id, *(groups[c] for c in categories)])
    return folder


RELAXED = " R"  # the levels came from the relaxation, the panels from one decomposition
HEADER = (
    "| instance | n | k | types | ours s | ours min p | levels | pricing: swaps / near LP / MILP "
    "| LP | peer MAXIMIN s | peer min p | peer/ours |"
)


def row(
    name: str,
    instance: Instance,
    our: dict[str, object] | str,
    other: tuple[float | None, float | None, str],
) -> str:
    types = len(person_types(instance))
    head = f"| {name} | {len(instance.people)} | {instance.size} | {types} |"
    if isinstance(our, str):
        body = f" {our} | – | – | – | – |"
        seconds = None
    else:
        seconds = float(our["seconds"])  # type: ignore[arg-type]
        minimum = float(our["min_probability"])  # type: ignore[arg-type]
        body = (
            f" {seconds:.2f} | {minimum:.4%} | {our['levels']}{RELAXED * bool(our['relaxation'])} | "
            f"{our['heuristic']} / {our['guided']} / {our['milp']} | {our['lp']} |"
        )
    peer_seconds, peer_minimum, note = other
    if peer_seconds is None:
        tail = f" {note or 'cannot model profiles/households'} | – | – |"
    else:
        ratio = f"{peer_seconds / seconds:,.1f}×" if seconds else "–"
        tail = f" {peer_seconds:.2f} | {peer_minimum:.4%} | {ratio} |"
    return head + body + tail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peer-timeout", type=float, default=1800)
    parser.add_argument("--timeout", type=float, default=600, help="for our side")
    parser.add_argument("--only", action="append", help="run just these instances")
    parser.add_argument("--plain", action="store_true", help="our reference path instead")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.plain)))
        return
    names = args.only or list(catalogue())
    print(("plain" if args.plain else "fast") + " LEXIMIN path", flush=True)
    print(HEADER)
    print("|---" * 12 + "|", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            instance = catalogue()[name]()
            if args.skip_large and len(instance.people) > LARGE:
                continue
            our = ours(name, args.plain, args.timeout)
            other: tuple[float | None, float | None, str] = (None, None, "")
            if args.no_peer:
                other = (None, None, "not run")
            elif peer_can_model(instance):
                other = peer(write_folder(instance, Path(scratch), name), args.peer_timeout)
            print(row(name, instance, our, other), flush=True)


if __name__ == "__main__":
    main()
