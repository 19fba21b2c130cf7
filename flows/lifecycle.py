"""A committee's whole life, stage by stage. Each stage is skipped once the committee is past it,
so launching again after a crash resumes where the committee stands."""

from prefect import flow

from flows.mandate import mandate_flow
from flows.meetings import meetings_flow
from flows.recruitment import recruitment_flow
from flows.selection import selection_flow
from flows.status import committee_status


@flow(name="committee-lifecycle", flow_run_name="lifecycle-{slug}")
def lifecycle_flow(slug: str) -> str:
    status = committee_status(slug)
    if status == "draft":
        status = mandate_flow(slug)
    if status in ("mandated", "recruiting"):
        status = recruitment_flow(slug)
    if status == "selecting":
        status = selection_flow(slug)
    if status in ("appointed", "in_session"):
        status = meetings_flow(slug)
    return status
