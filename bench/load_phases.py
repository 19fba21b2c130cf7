"""The load benchmark's committees and what is done to them: launched, answered, woken — through
the same functions as the commands — and the server watched until every run has suspended."""

import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from prefect import get_client
from prefect.client.schemas.actions import WorkPoolUpdate
from prefect.client.schemas.filters import FlowFilter, FlowFilterName
from prefect.client.schemas.objects import FlowRun, StateType

from opgaveudvalg import committee
from opgaveudvalg.committee import DecisionInput
from opgaveudvalg.models import Decision
from opgaveudvalg.orchestration import runs
from opgaveudvalg.orchestration.inputs import MandateApproval
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.recruitment import call
from opgaveudvalg.settings import PROJECT_ROOT, Settings

EXAMPLE = "fn-verdensmaal"
PAGE = 200  # the server's largest page of flow runs
ENDED = {StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED}
THREADS = 8  # requests to the server at once when launching, answering and waking
DEADLINE_MOVE = timedelta(days=14)
BENCH = "bench:load"


def write_committees(settings: Settings, count: int) -> list[str]:
    """`count` copies of the example mandate with distinct slugs, and their politicians."""
    source = PROJECT_ROOT / "config" / "committees"
    text = (source / f"{EXAMPLE}.yaml").read_text(encoding="utf-8")
    folder = settings.committees_dir
    shutil.copytree(source / "politikere", folder / "politikere", dirs_exist_ok=True)
    politicians = folder / "politikere" / f"{EXAMPLE}.yaml"
    slugs = [f"belastning-{n:04d}" for n in range(1, count + 1)]
    for slug in slugs:
        mandate = text.replace(f"slug: {EXAMPLE}", f"slug: {slug}", 1)
        (folder / f"{slug}.yaml").write_text(mandate, encoding="utf-8")
        shutil.copy(politicians, politicians.with_name(f"{slug}.yaml"))
    return slugs


def limit_work_pool(name: str, concurrency: int | None) -> None:
    with get_client(sync_client=True) as client:
        client.update_work_pool(name, WorkPoolUpdate(concurrency_limit=concurrency))


def each(action: Callable[[str], object], slugs: Iterable[str]) -> float:
    """Do `action` for every committee, `THREADS` at a time; returns the seconds it took."""
    started = time.monotonic()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(action, slugs))
    return time.monotonic() - started


def launch(slug: str) -> None:
    runs.launch(slug)


APPROVAL = MandateApproval.of(
    DecisionInput(Decision.approved, date.today(), 1, "00.01.00-A00-1-27", "belastningstest")
)


def approve(slug: str) -> None:
    runs.submit_input(slug, APPROVAL, Wait.MANDATE_APPROVAL)


def move_deadline(slug: str, settings: Settings) -> None:
    """As `opgaveudvalg recruitment deadline`: two weeks later; the call is written again."""
    with committee.committee_session(slug) as (session, found):
        last_day = call.deadline_of(session, found, settings).date() + DEADLINE_MOVE
        call.move_deadline(session, found, settings, last_day, None, BENCH)


def wake(slug: str) -> None:
    if runs.wake(slug, Wait.CALL_CLOSE) is None:
        raise RuntimeError(f"{slug}: no run slept on {Wait.CALL_CLOSE}")


def lifecycle_runs() -> list[FlowRun]:
    """Every lifecycle run on the server, a page at a time."""
    found: list[FlowRun] = []
    flows = FlowFilter(name=FlowFilterName(any_=[runs.LIFECYCLE_FLOW]))
    with get_client(sync_client=True) as client:
        while True:
            page = client.read_flow_runs(flow_filter=flows, limit=PAGE, offset=len(found))
            found += page
            if len(page) < PAGE:
                return found


def suspended_since(run: FlowRun, wait: str, after: datetime) -> datetime | None:
    """When `run` suspended on `wait`, if it did so after `after`."""
    state = run.state
    if state is None or state.type != StateType.PAUSED or state.timestamp <= after:
        return None
    key = state.state_details.pause_key or ""
    return state.timestamp if key.startswith(wait) else None


@dataclass(frozen=True)
class Suspended:
    seconds: float  # from the phase's start until every run had suspended (seen by polling)
    first: datetime  # the server's timestamps of the first and the last suspension
    last: datetime


def await_all(wait: str, after: datetime, count: int, timeout: float) -> Suspended:
    """Poll the server until `count` lifecycle runs have suspended on `wait` after `after`;
    a run that ends (fails, crashes) stops the benchmark."""
    started = time.monotonic()
    shown = 0.0
    while time.monotonic() - started < timeout:
        current = lifecycle_runs()
        ended = [r for r in current if r.state_type in ENDED]
        if ended:
            problems = "; ".join(
                f"{r.name}: {r.state_name} {r.state and r.state.message}" for r in ended
            )
            raise RuntimeError(f"{len(ended)} runs ended instead of waiting: {problems[:2000]}")
        moments = [m for r in current if (m := suspended_since(r, wait, after))]
        if len(moments) >= count:
            return Suspended(time.monotonic() - started, min(moments), max(moments))
        if time.monotonic() - shown > 15:
            shown = time.monotonic()
            print(f"  {len(moments)}/{count} suspended on {wait} after {shown - started:.0f} s")
        time.sleep(2)
    raise TimeoutError(f"not all {count} runs suspended on {wait} within {timeout} s")


def now() -> datetime:
    return datetime.now(UTC)


def statuses(slugs: list[str]) -> dict[str, int]:
    """How many of the committees have each status in the app database."""
    counts: dict[str, int] = {}
    for slug in slugs:
        with committee.committee_session(slug) as (_, found):
            counts[found.status.value] = counts.get(found.status.value, 0) + 1
    return counts


def output_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
