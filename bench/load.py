"""Load benchmark: N committees, each one run of the lifecycle deployment, on a Prefect server on
PostgreSQL with one process worker, carried through three human events.

    python -m bench.load [--committees 200] [--concurrency 4]
                         [--prefect-database URL] [--app-database URL]

1. launch: every committee's run starts and suspends on KB's mandate approval;
2. approve: each is answered, records the decision, opens the call and suspends on its close;
3. wake: each call's deadline is moved two weeks (`call.move_deadline`, written by this process
   as the command does) and the run is woken; it reads the new deadline and suspends again.

Without database URLs the local PostgreSQL 15 cluster is started if down and a throwaway role
with an app and a Prefect database is made (and dropped afterwards). Output, Prefect's home and
the logs go to a temporary folder; mail is a dry run. Prints one table (see bench/README.md).
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import load_postgres, load_procs

SETTLE_SECONDS = 30.0  # how long a suspended run's process may take to exit


@dataclass
class Phase:
    name: str
    starts: int
    accepted_s: float = 0.0  # launching / answering / waking every committee
    suspended_s: float = 0.0  # from the phase's start until every run suspended again
    steady_s: float = 0.0  # between the first and the last suspension (server timestamps)
    flow_cpu: float = 0.0  # CPU of the flow-run processes (the worker's ended children)
    worker_cpu: float = 0.0
    server_cpu: float = 0.0
    postgres_cpu: float = 0.0
    bench_cpu: float = 0.0  # this process: the requests, and the deadline moves' documents
    alive: int = -1  # flow processes once every run suspended and `settled_s` passed
    settled_s: float = 0.0
    extra: str = ""


@dataclass
class Processes:
    server: int
    worker: int
    postmaster: int | None

    def cpu(self) -> dict[str, float]:
        bench = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "flow": load_procs.cpu_seconds(self.worker, reaped_children=True)
            - load_procs.cpu_seconds(self.worker),
            "worker": load_procs.cpu_seconds(self.worker),
            "server": load_procs.tree_cpu_seconds(self.server),
            "postgres": load_procs.tree_cpu_seconds(self.postmaster) if self.postmaster else 0.0,
            "bench": bench.ru_utime + bench.ru_stime,
        }


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--committees", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4, help="work-pool limit; 0: none")
    parser.add_argument("--prefect-database", default="", help="PostgreSQL URL for Prefect")
    parser.add_argument("--app-database", default="", help="app database URL (SQLAlchemy)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per phase")
    return parser.parse_args()


@contextmanager
def databases(args: argparse.Namespace) -> Iterator[load_postgres.Databases]:
    if args.prefect_database and args.app_database:
        yield load_postgres.Databases(args.app_database, args.prefect_database)
        return
    with load_postgres.throwaway_databases() as made:
        yield load_postgres.Databases(
            args.app_database or made.app_url, args.prefect_database or made.prefect_url
        )


def configure(work: Path, dbs: load_postgres.Databases) -> None:
    """The app's settings for this run, as environment variables the worker passes on."""
    (work / "committees").mkdir(parents=True)
    os.environ.update(
        {
            "OPGAVEUDVALG_DATABASE_URL": dbs.app_url,
            "OPGAVEUDVALG_PREFECT_DATABASE_URL": dbs.prefect_url,
            "OPGAVEUDVALG_COMMITTEES_DIR": str(work / "committees"),
            "OPGAVEUDVALG_OUTPUT_DIR": str(work / "output"),
            "OPGAVEUDVALG_EML_DIR": str(work / "outbox"),
            "OPGAVEUDVALG_PREFECT_HOME": str(work / "prefect"),
            "OPGAVEUDVALG_MAIL_DRY_RUN": "true",
            "OPGAVEUDVALG_RESUME_WAIT_SECONDS": "0",
            "OPGAVEUDVALG_WORK_POOL": "belastning",
        }
    )


def settle(worker: int) -> tuple[int, float]:
    """Flow processes still alive once they have had `SETTLE_SECONDS` to exit, and how long
    it took until none was left."""
    started = time.monotonic()
    while (alive := len(load_procs.flow_processes(worker))) and (
        time.monotonic() - started < SETTLE_SECONDS
    ):
        time.sleep(0.2)
    return alive, time.monotonic() - started


def measured(phase: Phase, procs: Processes, before: dict[str, float]) -> Phase:
    after = procs.cpu()
    phase.flow_cpu = after["flow"] - before["flow"]
    phase.worker_cpu = after["worker"] - before["worker"]
    phase.server_cpu = after["server"] - before["server"]
    phase.postgres_cpu = after["postgres"] - before["postgres"]
    phase.bench_cpu = after["bench"] - before["bench"]
    return phase


def run_phases(slugs: list[str], procs: Processes, timeout: float) -> list[Phase]:
    from bench import load_phases
    from opgaveudvalg.orchestration.waits import Wait
    from opgaveudvalg.settings import get_settings

    settings = get_settings()
    done: list[Phase] = []
    steps = [
        ("launch", load_phases.launch, Wait.MANDATE_APPROVAL, None),
        ("approve", load_phases.approve, Wait.CALL_CLOSE, None),
        (
            "wake",
            load_phases.wake,
            Wait.CALL_CLOSE,
            lambda s: load_phases.move_deadline(s, settings),
        ),
    ]
    for name, action, wait, before_action in steps:
        print(f"{name}: {len(slugs)} committees")
        cpu = procs.cpu()
        phase = Phase(name, len(slugs))
        if before_action:
            moved = load_phases.each(before_action, slugs)
            phase.extra = f"deadline moves (this process) {moved:.1f} s"
        started, since = time.monotonic(), load_phases.now()
        phase.accepted_s = load_phases.each(action, slugs)
        result = load_phases.await_all(wait, since, len(slugs), timeout)
        phase.suspended_s = time.monotonic() - started
        phase.steady_s = (result.last - result.first).total_seconds()
        phase.alive, phase.settled_s = settle(procs.worker)
        done.append(measured(phase, procs, cpu))
        print(f"  {phase}")
    print(f"statuses: {load_phases.statuses(slugs)}")
    return done


def services(stack: ExitStack, work: Path, concurrency: int) -> Processes:
    """A Prefect server, the deployments (with the pool's concurrency limit) and one worker."""
    from bench import load_phases
    from demo import services as demo_services
    from opgaveudvalg.orchestration import deployments, setup
    from opgaveudvalg.settings import get_settings

    setup.use_prefect(get_settings(), server=False)
    server_log, worker_log = work / "prefect-server.log", work / "worker.log"
    stack.enter_context(demo_services.prefect_server(get_settings(), server_log))
    server = server_pid(server_log)
    get_settings.cache_clear()
    settings = get_settings()
    setup.use_prefect(settings, server=True)
    deployments.deploy(settings)
    load_phases.limit_work_pool(settings.work_pool, concurrency or None)
    worker = stack.enter_context(demo_services.worker(settings, worker_log))
    return Processes(server, worker.pid, load_procs.postmaster_pid())


def server_pid(log: Path) -> int:
    """The `prefect server start` process (demo.services keeps it to itself), found as the
    child of this process that writes to `log`."""
    for pid in load_procs.descendants(os.getpid()):
        if "server start" in load_procs.command_line(pid):
            return pid
    raise RuntimeError(f"no Prefect server process (see {log})")


def main() -> None:
    args = parse()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    print(f"output and logs: {work}")
    with databases(args) as dbs, ExitStack() as stack:
        configure(work, dbs)
        from bench import load_phases
        from opgaveudvalg.db import session_scope
        from opgaveudvalg.settings import get_settings

        with session_scope():  # the app database's schema, made once before any run
            pass
        slugs = load_phases.write_committees(get_settings(), args.committees)
        procs = services(stack, work, args.concurrency)
        with load_procs.MemorySampler(procs.server, procs.worker) as sampler:
            phases = run_phases(slugs, procs, args.timeout)
        report(args, phases, sampler.peaks, load_phases.output_size(work / "output"))
        own = load_procs.descendants(os.getpid())
    stop_leftovers(own)


def stop_leftovers(pids: list[int]) -> None:
    """Anything the server or worker left behind (by pid, ours only)."""
    for pid in pids:
        if load_procs.command_line(pid):
            subprocess.run(["kill", str(pid)], check=False, capture_output=True)


def report(
    args: argparse.Namespace, phases: list[Phase], peaks: load_procs.Peaks, output: int
) -> None:
    from bench import load_report

    print()
    print(load_report.table(args, phases, peaks, output))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
