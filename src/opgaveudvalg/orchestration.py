"""The one module where the domain meets Prefect: approvals, artifacts and the server.

Everything that goes to Prefect from here is an ID, a slug, a date, a count or a KB decision —
never a name or a contact detail.
"""

from datetime import date
from uuid import UUID

import httpx
from prefect import get_client, runtime
from prefect.artifacts import create_table_artifact
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.flow_runs import pause_flow_run, resume_flow_run
from prefect.input import RunInput
from pydantic import Field

from opgaveudvalg.committee import DecisionInput
from opgaveudvalg.errors import UserError
from opgaveudvalg.models import Decision


class MandateApproval(RunInput):
    """The council's decision on the mandate, entered in the Prefect UI or by `opgaveudvalg approve`."""

    decision: Decision = Field(title="Beslutning (approved / amend / rejected)")
    kb_meeting_date: date = Field(title="Dato for KB-mødet")
    agenda_item: int = Field(ge=1, title="Punkt nr. på dagsordenen")
    case_number: str = Field(min_length=3, max_length=40, title="Sagsnr.")
    note: str | None = Field(
        default=None,
        max_length=2000,
        title="Bemærkning",
        description="Skriv ingen personoplysninger",
    )

    def as_decision(self) -> DecisionInput:
        return DecisionInput(
            self.decision, self.kb_meeting_date, self.agenda_item, self.case_number, self.note
        )


def committee_tag(slug: str) -> str:
    return f"committee:{slug}"


def wait_for_mandate_approval(slug: str, timeout_days: int, poll_seconds: int) -> DecisionInput:
    """Pause the current flow run until KB's decision arrives from the UI or the CLI."""
    flow_run_id = runtime.flow_run.id
    with get_client(sync_client=True) as client:
        tags = set(client.read_flow_run(flow_run_id).tags) | {committee_tag(slug)}
        client.update_flow_run(flow_run_id, tags=sorted(tags))
    form = MandateApproval.with_initial_data(
        description=(
            f"**Kommunalbestyrelsens beslutning om kommissoriet for `{slug}`**\n\n"
            "Vælg *approved* (godkendt), *amend* (sendes tilbage til ændring) eller "
            "*rejected* (afvist), og angiv dato for KB-mødet, punktets nummer og sagsnummeret."
        )
    )
    answer = pause_flow_run(
        wait_for_input=form,
        timeout=timeout_days * 24 * 3600,
        poll_interval=poll_seconds,
        key="mandate-approval",
    )
    return answer.as_decision()


def current_flow_run_id() -> str:
    return str(runtime.flow_run.id)


def find_waiting_run(slug: str) -> UUID | None:
    """The paused flow run waiting for a decision on this committee, if there is one."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[committee_tag(slug)]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
            ),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
    return runs[0].id if runs else None


def submit_approval(slug: str, given: DecisionInput) -> UUID:
    """Resume the waiting flow run with KB's decision; the flow records it in the app database."""
    flow_run_id = find_waiting_run(slug)
    if flow_run_id is None:
        raise UserError(
            f"Intet flowløb venter på KB's beslutning om '{slug}' – "
            f"start det med `opgaveudvalg launch {slug}`"
        )
    approval = MandateApproval(
        decision=given.decision,
        kb_meeting_date=given.meeting_date,
        agenda_item=given.agenda_item,
        case_number=given.case_number,
        note=given.note or "",
    )
    resume_flow_run(flow_run_id, run_input=approval.model_dump(mode="json"))
    return flow_run_id


def publish_table(key: str, rows: list[dict[str, object]], description: str) -> None:
    """A Prefect table artifact; `rows` must hold aggregates only."""
    create_table_artifact(table=rows, key=key, description=description)


def check_server(api_url: str) -> None:
    """Fail with a clear message if the long-running Prefect server is not answering."""
    try:
        httpx.get(f"{api_url.rstrip('/')}/health", timeout=3).raise_for_status()
    except httpx.HTTPError:
        raise UserError(
            f"Prefect-serveren på {api_url} svarer ikke – start den med `opgaveudvalg server`"
        ) from None


def start_api() -> None:
    """Make one API call so Prefect's temporary server (if any) starts now, in this thread,
    rather than in two threads at once."""
    with get_client(sync_client=True) as client:
        client.hello()
