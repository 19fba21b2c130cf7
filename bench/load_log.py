"""Where a flow run's time goes, from the load benchmark's worker log: from the worker taking
the run to the flow beginning (a fresh Python process importing Prefect, the flows and the
app), and from there to the run suspending (the stage's own work).

    python -m bench.load_log /tmp/bench-load-…/worker.log

Prints the median and largest wall seconds of both for each start of a run (1: launch,
2: approve, 3: wake). Wall time, so it includes waiting for a core."""

import re
import statistics
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

SUBMITTING = re.compile(r"^(\S+) .*submitting flow run '([0-9a-f-]{36})'")
VIEW = re.compile(r"^\S+ .*Flow run '([^']+)' - View at \S+/flow-run/([0-9a-f-]{36})")
BEGINNING = re.compile(r"^(\S+) .*Flow run '([^']+)' - Beginning flow run")
SUSPENDED = re.compile(r"^(\S+) .*Flow run '([^']+)' - Finished in state Suspended")


def seconds(stamp: str) -> float:
    moment = datetime.strptime(stamp, "%H:%M:%S.%f")
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def events(log: Path) -> dict[str, dict[str, list[float]]]:
    """Per flow-run ID, the moments it was submitted, began and suspended."""
    names: dict[str, str] = {}
    found: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in lines:
        if match := VIEW.match(line):
            names[match[1]] = match[2]
    for line in lines:
        if match := SUBMITTING.match(line):
            found[match[2]]["submitted"].append(seconds(match[1]))
        elif (match := BEGINNING.match(line)) and match[2] in names:
            found[names[match[2]]]["began"].append(seconds(match[1]))
        elif (match := SUSPENDED.match(line)) and match[2] in names:
            found[names[match[2]]]["suspended"].append(seconds(match[1]))
    return found


def split(log: Path) -> dict[int, tuple[list[float], list[float]]]:
    """Per start (1, 2, 3 …): the start-up and the flow's wall seconds of every run."""
    starts: dict[int, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for moments in events(log).values():
        steps = zip(moments["submitted"], moments["began"], moments["suspended"], strict=False)
        for number, (submitted, began, suspended) in enumerate(steps, start=1):
            starts[number][0].append(began - submitted)
            starts[number][1].append(suspended - began)
    return dict(starts)


def main() -> None:
    print("| start | runs | start-up median (max) s | flow median (max) s |")
    print("|--:|--:|--:|--:|")
    for number, (startup, work) in sorted(split(Path(sys.argv[1])).items()):
        print(
            f"| {number} | {len(startup)} "
            f"| {statistics.median(startup):.1f} ({max(startup):.1f}) "
            f"| {statistics.median(work):.1f} ({max(work):.1f}) |"
        )


if __name__ == "__main__":
    main()
