"""Mandate stage: store the mandate version, render it, publish a summary, wait for KB's decision."""

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from opgaveudvalg import committee, orchestration
from opgaveudvalg.db import session_scope
from opgaveudvalg.mandate.model import summary_rows
from opgaveudvalg.models import Committee
from opgaveudvalg.settings import get_settings

KB = "kommunalbestyrelsen"


@task(cache_policy=NO_CACHE)
def store_mandate_version(slug: str) -> int:
    settings = get_settings()
    with session_scope() as session:
        row = committee.register_mandate(
            session, committee.mandate_path(settings.committees_dir, slug), actor="flow:mandate"
        )
        return row.id  # type: ignore[return-value]


@task(cache_policy=NO_CACHE)
def render_mandate(mandate_id: int) -> int:
    settings = get_settings()
    with session_scope() as session:
        files = committee.render_stored_mandate(
            session,
            committee.get_mandate(session, mandate_id),
            settings.municipality,
            settings.output_dir,
        )
    return len(files)


@task(cache_policy=NO_CACHE)
def publish_mandate_summary(slug: str, mandate_id: int) -> None:
    with session_scope() as session:
        row = committee.get_mandate(session, mandate_id)
        rows = summary_rows(committee.mandate_content(row))
        version = row.version
    orchestration.publish_table(
        f"kommissorium-{slug}", rows, f"Kommissorium for {slug}, version {version} (nøgletal)"
    )


@task(cache_policy=NO_CACHE)
def record_decision(mandate_id: int, decision: committee.DecisionInput, flow_run_id: str) -> str:
    with session_scope() as session:
        recorded = committee.record_decision(session, mandate_id, decision, KB, flow_run_id)
        return session.get(Committee, recorded.committee_id).status.value  # type: ignore[union-attr]


@flow(name="mandate", flow_run_name="mandate-{slug}")
def mandate_flow(slug: str) -> str:
    """Returns the committee's status afterwards: 'mandated', or 'draft' on amend/reject."""
    settings = get_settings()
    logger = get_run_logger()
    mandate_id = store_mandate_version(slug)
    files = render_mandate(mandate_id)
    publish_mandate_summary(slug, mandate_id)
    logger.info("Kommissorium %s gemt og %s dokumenter dannet; afventer KB", mandate_id, files)
    decision = orchestration.wait_for_mandate_approval(
        slug, settings.approval_timeout_days, settings.approval_poll_seconds
    )
    status = record_decision(mandate_id, decision, orchestration.current_flow_run_id())
    if status == "mandated":
        render_mandate(mandate_id)
    logger.info("KB's beslutning: %s; udvalget har nu status %s", decision.decision.value, status)
    return status
