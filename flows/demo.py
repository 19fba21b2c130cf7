"""The README's main job: the example committees through the lifecycle on a fresh demo database.

KB's decision is given by the demo itself, through the same path as `opgaveudvalg approve`.
"""

import contextvars
import threading
import time
from collections.abc import Callable
from datetime import date

from flows.lifecycle import lifecycle_flow
from opgaveudvalg import committee, documents
from opgaveudvalg.db import session_scope
from opgaveudvalg.models import Decision
from opgaveudvalg.orchestration import find_waiting_run, submit_approval
from opgaveudvalg.settings import Settings


def approve_when_waiting(
    slug: str, given: committee.DecisionInput, flow_running: Callable[[], bool], timeout: float
) -> None:
    """Give KB's decision once the flow run of `slug` pauses for it (unless the flow ends first)."""
    deadline = time.monotonic() + timeout
    while flow_running():
        if find_waiting_run(slug) is not None:
            submit_approval(slug, given)
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"no flow run for {slug} paused within {timeout} s")
        time.sleep(0.5)


def run_committee(slug: str, given: committee.DecisionInput, timeout: float = 300) -> str:
    """Run the lifecycle of `slug` in a worker thread and give KB's decision from this one."""
    outcome: dict[str, object] = {}
    context = contextvars.copy_context()  # the worker sees the same Prefect settings

    def run() -> None:
        try:
            outcome["status"] = context.run(lifecycle_flow, slug=slug)
        except BaseException as exc:  # re-raised in the calling thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"lifecycle-{slug}", daemon=True)
    worker.start()
    approve_when_waiting(slug, given, worker.is_alive, timeout)
    worker.join(timeout)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    if "status" not in outcome:
        raise TimeoutError(f"the lifecycle flow of {slug} did not finish within {timeout} s")
    return str(outcome["status"])


def run_demo(settings: Settings) -> None:
    slugs = sorted(path.stem for path in settings.committees_dir.glob("*.yaml"))
    year = date.today().strftime("%y")
    for item, slug in enumerate(slugs, start=1):
        given = committee.DecisionInput(
            Decision.approved,
            date.today(),
            item,
            f"00.01.00-A00-{item}-{year}",
            "Godkendt af demoen",
        )
        print(f"{slug}: {run_committee(slug, given)}")
    print()
    with session_scope() as session:
        for slug in slugs:
            found = committee.get_committee(session, slug)
            version = committee.latest_mandate(session, found.id).version  # type: ignore[arg-type, union-attr]
            folder = documents.mandate_document_dir(settings.output_dir, slug, version, "da").parent
            print(
                f"{slug}: status {found.status.value}; kommissoriet (da/en: pdf, html, md) i {folder}"
            )
