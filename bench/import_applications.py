"""Benchmark: importing form exports of 5,000 and 50,000 realistic applications.

    .venv/bin/python -m bench.import_applications [--database-url URL]

Each size is imported into a fresh committee (SQLite by default), then imported again to
measure the idempotent re-import. Prints wall time, rows per second, the Python heap's peak
(tracemalloc, measured in a separate pass) and the 50k/5k time ratio, which should be near 10
if the import is linear.
"""

import argparse
import os
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
args = parser.parse_args()
work = Path(tempfile.mkdtemp(prefix="bench-import-"))
os.environ["OPGAVEUDVALG_DATABASE_URL"] = args.database_url or f"sqlite:///{work / 'app.db'}"
os.environ["OPGAVEUDVALG_OUTPUT_DIR"] = str(work / "output")

from demo.applicants import applicant_rows  # noqa: E402
from demo.exports import write_csv  # noqa: E402
from opgaveudvalg import committee, models  # noqa: E402
from opgaveudvalg.db import session_scope  # noqa: E402
from opgaveudvalg.mandate.validation import load_mandate  # noqa: E402
from opgaveudvalg.recruitment import imports  # noqa: E402
from opgaveudvalg.settings import PROJECT_ROOT, get_settings  # noqa: E402

settings = get_settings()
EXAMPLE = PROJECT_ROOT / "config" / "committees" / "ny-svoemmehal.yaml"


def fresh_committee(slug: str) -> None:
    path = work / f"{slug}.yaml"
    path.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("slug: ny-svoemmehal", f"slug: {slug}"),
        encoding="utf-8",
    )
    with session_scope() as session:
        committee.register_mandate(session, path, "bench")
        found = committee.get_committee(session, slug)
        for status in (models.CommitteeStatus.mandated, models.CommitteeStatus.recruiting):
            committee.transition(session, found, status, "bench")


def timed_import(slug: str, export: Path) -> tuple[float, models.ImportBatch]:
    with committee.committee_session(slug) as (session, found):
        started = time.perf_counter()
        batch = imports.import_applications(session, found, export, settings)
    return time.perf_counter() - started, batch


mandate = load_mandate(EXAMPLE)
times = {}
for count in (5_000, 50_000):
    export = work / f"export-{count}.csv"
    write_csv(applicant_rows(mandate, count, 7, settings.postcodes, mandate.tidsplan.start), export)
    slug = f"bench-{count}"
    fresh_committee(slug)
    seconds, result = timed_import(slug, export)
    again, second = timed_import(slug, export)
    fresh_committee(f"{slug}-mem")
    tracemalloc.start()
    timed_import(f"{slug}-mem", export)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    times[count] = seconds
    print(
        f"{count:>6} rows ({export.stat().st_size / 2**20:.1f} MiB CSV): import {seconds:.1f} s "
        f"({count / seconds:,.0f} rows/s), inserted {result.inserted}, rejected {result.rejected}; "
        f"re-import {again:.1f} s, unchanged {second.unchanged}; heap peak {peak / 2**20:.0f} MiB"
    )
print(
    f"ratio 50k/5k time: {times[50_000] / times[5_000]:.1f} (10 = linear); "
    f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
)
