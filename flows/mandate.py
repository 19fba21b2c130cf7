"""Mandate stage: store the mandate version, render it, publish a summary, wait for KB's decision."""

from prefect import get_run_logger

from opgaveudvalg import committee
from opgaveudvalg.db import session_scope
from opgaveudvalg.mandate.model import summary_rows
from opgaveudvalg.models import Committee
from opgaveudvalg.orchestration import flowrun, inputs
from opgaveudvalg.orchestration.flowrun import step
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.settings import get_settings

KB = "kommunalbestyrelsen"


@step
def store_mandate_version(slug: str) -> int:
    settings = get_settings()
    with session_scope() as session:
        row = committee.register_mandate(
            session, committee.mandate_path(settings.committees_dir, slug), actor="flow:mandate"
        )
        return row.id  # type: ignore[return-value]


@step
def render_mandate(mandate_id: int, unless_rendered: bool = False) -> int:
    """The mandate's documents; with `unless_rendered`, nothing if the version has them (the
    run passes here again each time it resumes)."""
    settings = get_settings()
    with session_scope() as session:
        row = committee.get_mandate(session, mandate_id)
        slug = committee.mandate_content(row).slug
        folder = CommitteeFiles.of(settings.output_dir, slug).mandate(row.version, "da")
        if unless_rendered and (folder / "kommissorium.pdf").exists():
            return 0
        files = committee.render_stored_mandate(
            session,
            row,
            settings.municipality,
            settings.output_dir,
        )
    return len(files)


@step
def publish_mandate_summary(slug: str, mandate_id: int) -> None:
    with session_scope() as session:
        row = committee.get_mandate(session, mandate_id)
        rows = summary_rows(committee.mandate_content(row))
        version = row.version
    flowrun.publish_table(
        f"kommissorium-{slug}", rows, f"Kommissorium for {slug}, version {version} (nøgletal)"
    )


@step
def record_decision(mandate_id: int, decision: committee.DecisionInput, flow_run_id: str) -> str:
    with session_scope() as session:
        recorded = committee.record_decision(session, mandate_id, decision, KB, flow_run_id)
        return session.get(Committee, recorded.committee_id).status.value  # type: ignore[union-attr]


def mandate_stage(slug: str) -> str:
    """Returns the committee's status afterwards: 'mandated', or 'draft' on amend/reject."""
    logger = get_run_logger()
    mandate_id = store_mandate_version(slug)
    files = render_mandate(mandate_id, unless_rendered=True)
    publish_mandate_summary(slug, mandate_id)
    logger.info("Kommissorium %s gemt og %s dokumenter dannet; afventer KB", mandate_id, files)
    answer = flowrun.await_answer(
        slug, inputs.mandate_form(slug), f"{Wait.MANDATE_APPROVAL}-{mandate_id}"
    )
    decision = answer.as_decision()
    status = record_decision(mandate_id, decision, flowrun.current_flow_run_id())
    if status == "mandated":
        render_mandate(mandate_id)
    logger.info("KB's beslutning: %s; udvalget har nu status %s", decision.decision.value, status)
    return status
