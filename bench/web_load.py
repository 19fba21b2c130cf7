"""Load benchmark of the citizens' web form: many applicants posting at once.

    python -m bench.web_load [--applications 2000] [--concurrency 50] [--database sqlite|postgresql|both]

For each database a recruiting committee is set up in a fresh database, `opgaveudvalg web` is
started as its own process on a free loopback port (rate limit off), and `concurrency` clients
(httpx, async) each fetch the form once (CSRF cookie and token) and then post their share of
`applications` distinct, valid applications. Every post is checked (303 to the confirmation).
Prints posts per second and the latency percentiles of the posts, and checks that the database
holds every applicant and a receipt for each. PostgreSQL is the local 15 cluster with a
throwaway role and database (bench/load_postgres.py).
"""

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

SLUG = "ny-svoemmehal"
POSTCODES = ["2820", "2900", "2920", "2930", "2860"]
DISTRICTS = ["Hellerup og Tuborg", "Gentofte og Jægersborg", "Vangede og Dyssegård", ""]
PROFILES = ["familie-med-boern", "sundhed-og-tilgaengelighed", "byggeri-og-drift"]


@dataclass
class Result:
    database: str
    posts: int
    seconds: float
    latencies: list[float]
    failures: int
    applicants: int
    receipts: int

    def line(self) -> str:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

        return (
            f"{self.database:<10} {self.posts:>6} posts in {self.seconds:6.1f} s = "
            f"{self.posts / self.seconds:6.1f}/s; latency p50 {pct(0.50):5.0f} ms, "
            f"p95 {pct(0.95):5.0f} ms, p99 {pct(0.99):5.0f} ms; failures {self.failures}; "
            f"applicants {self.applicants}, receipts {self.receipts}"
        )


def application(number: int, rng: random.Random) -> dict[str, str | list[str]]:
    return {
        "navn": f"Ansøger Nummer {number}",
        "email": f"ansoeger{number}@example.dk",
        "telefon": "",
        "adresse": f"Bænkevej {number % 200 + 1}",
        "postnummer": rng.choice(POSTCODES),
        "foedselsaar": str(rng.randint(1950, 2000)),
        "koen": rng.choice(["kvinde", "mand", "andet"]),
        "profiler": rng.sample(PROFILES, rng.randint(1, 2)),
        "kategori-5": rng.choice(DISTRICTS),
        "motivation": "Jeg vil gerne være med, fordi svømmehallen betyder meget for os. " * 3,
        "samtykke": "ja",
        "offentliggoer": rng.choice(["ja", ""]),
        "hjemmeside": "",
    }


async def client(base: str, numbers: list[int], seed: int, latencies: list[float]) -> int:
    """One applicant's browser: fetch the form, post each application; returns failures."""
    rng = random.Random(seed)
    failures = 0
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        form = await http.get(f"/{SLUG}/ansoeg")
        found = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert found, form.status_code
        category = re.search(r'name="(kategori-\d+)"', form.text)
        for number in numbers:
            data = application(number, rng)
            if category:
                data[category[1]] = data.pop("kategori-5")
            started = time.perf_counter()
            answer = await http.post(f"/{SLUG}/ansoeg", data={**data, "csrf": found[1]})
            latencies.append(time.perf_counter() - started)
            failures += answer.status_code != 303
    return failures


async def post_all(
    base: str, applications: int, concurrency: int
) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    shares = [list(range(n, applications, concurrency)) for n in range(concurrency)]
    started = time.perf_counter()
    failures = await asyncio.gather(
        *(client(base, share, seed, latencies) for seed, share in enumerate(shares))
    )
    return time.perf_counter() - started, latencies, sum(failures)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def web_server(env: dict[str, str], folder: Path) -> Iterator[str]:
    port = free_port()
    log = (folder / "web.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "opgaveudvalg.cli.main", "web", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the web server did not start; see {folder / 'web.log'}")
        yield base
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def setup_committee(env: dict[str, str], folder: Path) -> None:
    """A recruiting committee from the example mandate, in a child process with `env`."""
    script = (
        "from opgaveudvalg import committee, models\n"
        "from opgaveudvalg.db import session_scope\n"
        "from opgaveudvalg.settings import PROJECT_ROOT\n"
        "path = PROJECT_ROOT / 'config' / 'committees' / 'ny-svoemmehal.yaml'\n"
        "with session_scope() as session:\n"
        "    committee.register_mandate(session, path, 'bench')\n"
        f"    found = committee.get_committee(session, '{SLUG}')\n"
        "    for status in (models.CommitteeStatus.mandated, models.CommitteeStatus.recruiting):\n"
        "        committee.transition(session, found, status, 'bench')\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=folder)


def count_rows(env: dict[str, str]) -> tuple[int, int]:
    script = (
        "from sqlmodel import func, select\n"
        "from opgaveudvalg import models\n"
        "from opgaveudvalg.db import session_scope\n"
        "with session_scope() as s:\n"
        "    print(s.exec(select(func.count()).select_from(models.Applicant)).one(),"
        " s.exec(select(func.count()).select_from(models.OutboxMessage)).one())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    applicants, receipts = done.stdout.split()
    return int(applicants), int(receipts)


def run(database: str, url: str, applications: int, concurrency: int) -> Result:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-web-{database}-"))
    env = {
        **os.environ,
        "OPGAVEUDVALG_DATABASE_URL": url or f"sqlite:///{folder / 'app.db'}",
        "OPGAVEUDVALG_OUTPUT_DIR": str(folder / "output"),
        "OPGAVEUDVALG_WEB_RATE_LIMIT": "0",
    }
    setup_committee(env, folder)
    with web_server(env, folder) as base:
        seconds, latencies, failures = asyncio.run(post_all(base, applications, concurrency))
    applicants, receipts = count_rows(env)
    return Result(database, len(latencies), seconds, latencies, failures, applicants, receipts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    results = []
    if args.database in ("sqlite", "both"):
        results.append(run("sqlite", "", args.applications, args.concurrency))
    if args.database in ("postgresql", "both"):
        from bench import load_postgres

        with load_postgres.throwaway_databases() as databases:
            results.append(
                run("postgresql", databases.app_url, args.applications, args.concurrency)
            )
    print(
        f"{args.applications} applications, {args.concurrency} concurrent clients, one server process"
    )
    for result in results:
        print(result.line())


if __name__ == "__main__":
    main()
