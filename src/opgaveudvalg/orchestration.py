"""The one module where the domain meets Prefect: approvals, artifacts and the server.

Everything that goes to Prefect from here is an ID, a slug, a date, a count or a KB decision —
never a name or a contact detail.
"""

import os
from datetime import date
from typing import TypeVar
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
from prefect.context import refresh_global_settings_context
from prefect.flow_runs import pause_flow_run, resume_flow_run
from prefect.input import RunInput
from pydantic import BaseModel, Field

from opgaveudvalg.committee import DecisionInput
from opgaveudvalg.errors import UserError
from opgaveudvalg.models import Decision
from opgaveudvalg.settings import Settings

T = TypeVar("T", bound=RunInput)
MANDATE_APPROVAL = "mandate-approval"
PUBLIC_DRAW = "public-draw"
APPOINTMENT = "appointment"
WAITING_FOR = {
    MANDATE_APPROVAL: "KB's beslutning om kommissoriet",
    PUBLIC_DRAW: "det offentligt trukne tal",
    APPOINTMENT: "KB's udpegning af medlemmerne",
}


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


class PublicDraw(RunInput):
    """The number drawn at a public meeting; with KB's case number it is the lottery's seed."""

    public_number: int = Field(ge=0, title="Offentligt trukket tal")


class AmendmentInput(BaseModel):
    remove: int = Field(title="Indstillet ansøger (ID), der ikke udpeges")
    add: int = Field(title="Ansøger (ID), der udpeges i stedet")


class AppointmentInput(RunInput):
    """KB's appointment of the members, entered in the Prefect UI or by `opgaveudvalg appoint`."""

    kb_meeting_date: date = Field(title="Dato for KB-mødet")
    agenda_item: int = Field(ge=1, title="Punkt nr. på dagsordenen")
    amendments: list[AmendmentInput] = Field(
        default_factory=list, title="Ændringer i forhold til indstillingen (ansøger-ID'er)"
    )


def use_prefect(settings: Settings, server: bool) -> None:
    """Point Prefect at our home folder and, for `server`, at the long-running local server.

    Prefect reads its environment when it is imported (by this module), so its settings are
    read again here once the environment is set."""
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(settings.prefect_home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    # The first start builds Prefect's database, which can take a minute on a small machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    if server:
        os.environ["PREFECT_API_URL"] = settings.prefect_api_url
    else:
        os.environ.pop("PREFECT_API_URL", None)
    refresh_global_settings_context()
    if server:
        check_server(settings.prefect_api_url)


def committee_tag(slug: str) -> str:
    return f"committee:{slug}"


def _wait_for(
    slug: str, form: type[T], key: str, description: str, timeout_days: int, poll_seconds: int
) -> T:
    """Tag the current run with the committee, then pause it until `form` is answered."""
    _tag_current_run(slug)
    return pause_flow_run(
        wait_for_input=form.with_initial_data(description=description),
        timeout=timeout_days * 24 * 3600,
        poll_interval=poll_seconds,
        key=key,
    )


def wait_for_mandate_approval(slug: str, timeout_days: int, poll_seconds: int) -> DecisionInput:
    """Pause the current flow run until KB's decision arrives from the UI or the CLI."""
    description = (
        f"**Kommunalbestyrelsens beslutning om kommissoriet for `{slug}`**\n\n"
        "Vælg *approved* (godkendt), *amend* (sendes tilbage til ændring) eller "
        "*rejected* (afvist), og angiv dato for KB-mødet, punktets nummer og sagsnummeret."
    )
    answer = _wait_for(
        slug, MandateApproval, MANDATE_APPROVAL, description, timeout_days, poll_seconds
    )
    return answer.as_decision()


def _tag_current_run(slug: str) -> None:
    flow_run_id = runtime.flow_run.id
    with get_client(sync_client=True) as client:
        tags = set(client.read_flow_run(flow_run_id).tags) | {committee_tag(slug)}
        client.update_flow_run(flow_run_id, tags=sorted(tags))


def wait_for_public_draw(slug: str, timeout_days: int, poll_seconds: int) -> int:
    description = (
        f"**Offentlig lodtrækning for `{slug}`**\n\n"
        "Angiv tallet, der blev trukket på det offentlige møde. Sammen med KB's sagsnummer "
        "er det frøet, som panelet trækkes med – alle kan gentage trækningen."
    )
    answer = _wait_for(slug, PublicDraw, PUBLIC_DRAW, description, timeout_days, poll_seconds)
    return answer.public_number


def wait_for_appointment(slug: str, timeout_days: int, poll_seconds: int) -> AppointmentInput:
    description = (
        f"**Kommunalbestyrelsens udpegning af medlemmerne af `{slug}`**\n\n"
        "Angiv dato og punkt. Udpeger KB en anden ansøger end den indstillede, angives "
        "begges ansøger-ID (aldrig navne)."
    )
    return _wait_for(slug, AppointmentInput, APPOINTMENT, description, timeout_days, poll_seconds)


def current_flow_run_id() -> str:
    return str(runtime.flow_run.id)


def find_waiting_run(slug: str, key: str | None = None) -> UUID | None:
    """The committee's flow run paused for input `key` (e.g. 'mandate-approval'; None: any)."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[committee_tag(slug)]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])),
            ),
            sort=FlowRunSort.START_TIME_DESC,
        )
    waiting = [
        run
        for run in runs
        if key is None or (run.state and run.state.state_details.pause_key == key)
    ]
    return waiting[0].id if waiting else None


def submit_input(slug: str, answer: RunInput, key: str) -> UUID:
    """Resume the committee's flow run paused for `key` with `answer`."""
    flow_run_id = find_waiting_run(slug, key)
    if flow_run_id is None:
        raise UserError(
            f"Intet flowløb for '{slug}' venter på {WAITING_FOR[key]} – "
            f"start det med `opgaveudvalg launch {slug}`"
        )
    resume_flow_run(flow_run_id, run_input=answer.model_dump(mode="json"))
    return flow_run_id


def submit_approval(slug: str, given: DecisionInput) -> UUID:
    """Resume the waiting flow run with KB's decision; the flow records it in the app database."""
    approval = MandateApproval(
        decision=given.decision,
        kb_meeting_date=given.meeting_date,
        agenda_item=given.agenda_item,
        case_number=given.case_number,
        note=given.note or "",
    )
    return submit_input(slug, approval, MANDATE_APPROVAL)


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
