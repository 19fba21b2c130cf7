"""Selection benchmark: our LEXIMIN against the Sortition Foundation's `sortition-algorithms`
(MAXIMIN with HiGHS) on every public instance, in the same run, plus a committee-shaped
instance (10 seats, 4 profiles, 4 balance categories, households, 300 applicants).

    .venv/bin/python bench/selection.py [--peer-timeout 1800] [--only NAME]

The peer is GPL-3.0: it runs in its own virtualenv (bench/peer_env.py) as a subprocess and is
never imported here. Times are wall-clock seconds of computing the distribution only.
"""

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.instances import committee_instance, load_instance, public_instances
from opgaveudvalg.selection.lottery import Instance, Method, distribution

sys.path.insert(0, str(Path(__file__).parent))
from peer_env import peer_python  # noqa: E402

PEER_SCRIPT = Path(__file__).parent / "peer_sortition.py"


def ours(
    instance: Instance, method: Method = Method.leximin, samples: int = 100
) -> tuple[float, float]:
    started = time.perf_counter()
    result = distribution(instance, method, samples=samples)
    seconds = time.perf_counter() - started
    return seconds, min(result.probabilities().values())


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


def quotas_only(instance: Instance) -> Instance:
    """The committee instance without profiles and households: what the peer can model."""
    people = tuple(type(p)(p.id, p.groups, frozenset({"panel"})) for p in instance.people)
    return Instance(people, {"panel": instance.size}, instance.quotas)


def row(
    name: str,
    n: int,
    k: int,
    our: tuple[float, float],
    other: tuple[float | None, float | None, str],
) -> str:
    seconds, minimum = our
    peer_seconds, peer_minimum, note = other
    ratio = f"{peer_seconds / seconds:,.0f}×" if peer_seconds else "–"
    peer_s = f"{peer_seconds:.2f}" if peer_seconds is not None else "–"
    peer_min = f"{peer_minimum:.4%}" if peer_minimum is not None else "–"
    return f"| {name} | {n} | {k} | {seconds:.2f} | {minimum:.4%} | {peer_s} | {peer_min} | {ratio} | {note} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peer-timeout", type=float, default=1800)
    parser.add_argument("--only", help="run just this public instance")
    args = parser.parse_args()
    print(
        "| instance | n | k | ours LEXIMIN s | ours min p | peer MAXIMIN s | peer min p | peer/ours time | peer |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    folders = [f for f in public_instances() if not args.only or f.name == args.only]
    for folder in folders:
        instance = load_instance(folder)
        print(
            row(
                folder.name,
                len(instance.people),
                instance.size,
                ours(instance),
                peer(folder, args.peer_timeout),
            ),
            flush=True,
        )
    if args.only:
        return
    committee = committee_instance(applicants=300, seed=1)
    simple = quotas_only(committee)
    with tempfile.TemporaryDirectory() as scratch:
        folder = write_folder(simple, Path(scratch), "committee-quotas-only")
        print(
            row(
                "committee-300 (quotas only)",
                300,
                10,
                ours(simple),
                peer(folder, args.peer_timeout),
            ),
            flush=True,
        )
    print()
    print("Committee-shaped instance with profiles and households (the peer cannot model these):")
    print()
    print("| method | seconds | min p |")
    print("|---|---|---|")
    for method in Method:
        seconds, minimum = ours(committee, method)
        label = f"{method.value} (100 samples)" if method == Method.uniform else method.value
        print(f"| {label} | {seconds:.2f} | {minimum:.4%} |", flush=True)


if __name__ == "__main__":
    main()
