"""The portfolio: where every committee stands — its stage and warnings from the app database,
what its run waits for and since when, and the next date that will fire — for
`opgaveudvalg committees` and as the Prefect artifact "portefoelje"; and the reminder when a
committee has waited too long."""

from datetime import UTC, datetime
from uuid import UUID

from prefect import get_client
from prefect.artifacts import create_table_artifact
from prefect.client.schemas.objects import StateType

from opgaveudvalg import documents
from opgaveudvalg.committee import committee_session
from opgaveudvalg.db import session_scope
from opgaveudvalg.mail import outbox
from opgaveudvalg.orchestration import runs
from opgaveudvalg.orchestration.waits import describe_wait
from opgaveudvalg.portfolio import portfolio, remind_secretariat
from opgaveudvalg.settings import Settings, get_settings

HEADERS = ("udvalg", "fase", "flowløb", "venter på", "siden", "næste dato", "advarsler")
ARTIFACT_KEY = "portefoelje"


def rows(
    settings: Settings, reachable: bool = True, waits_now: dict[str, str] | None = None
) -> list[tuple[str, ...]]:
    """One row per committee; the Prefect columns say '?' when the server is not reachable.
    `waits_now` maps a committee to the wait its run is about to suspend on."""
    with session_scope() as session:
        lines = portfolio(session, settings)
    table: list[tuple[str, ...]] = []
    for line in lines:
        view = runs.overview(line.slug) if reachable else runs.RunOverview("?")
        if waits_now and line.slug in waits_now:
            view.state, view.since = "Suspended", datetime.now(UTC)
            view.waiting_for = describe_wait(waits_now[line.slug])
        dates = [d for d in (line.next_date, view.next_wake) if d]
        soonest = min(dates, default=None)
        what = line.next_what if soonest == line.next_date else "vækning"
        table.append(
            (
                line.slug,
                line.stage,
                view.state,
                view.waiting_for or "–",
                local(view.since, settings),
                f"{local(soonest, settings)} ({what})" if soonest else "–",
                str(len(line.warnings)),
            )
        )
    return table


def warnings(settings: Settings) -> list[str]:
    with session_scope() as session:
        return [f"{line.slug}: {w}" for line in portfolio(session, settings) for w in line.warnings]


def local(moment: datetime | None, settings: Settings) -> str:
    return documents.local_time(moment, settings.timezone) if moment else "–"


def publish_portfolio(waits_now: dict[str, str] | None = None) -> None:
    """The portfolio as a table artifact (aggregates, slugs and dates only)."""
    settings = get_settings()
    table = [dict(zip(HEADERS, row, strict=True)) for row in rows(settings, True, waits_now)]
    create_table_artifact(
        table=table,
        key=ARTIFACT_KEY,
        description="Portefølje: alle opgaveudvalg, fase, hvad de venter på og næste dato",
    )


def remind_if_still_waiting(flow_run_id: UUID) -> str:
    """Mail the secretariat if the committee's run is still suspended; returns what was done."""
    settings = get_settings()
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
    slugs = [t.removeprefix("committee:") for t in run.tags if t.startswith("committee:")]
    if run.state_type != StateType.PAUSED or not slugs or not run.state:
        return f"ingenting: tilstanden er {run.state_type}"
    view = runs.overview(slugs[0])
    with committee_session(slugs[0]) as (session, found):
        where = runs.run_url(settings, flow_run_id)
        remind_secretariat(session, found, settings, view.waiting_for, run.state.timestamp, where)
        committee_id = found.id
    report = outbox.send_pending(committee_id=committee_id, dry_run=settings.mail_dry_run)
    return f"sekretariatet påmindet om {view.waiting_for}: {report.counts()}"
