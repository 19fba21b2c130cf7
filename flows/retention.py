"""The daily retention run: deletes what the privacy notice says goes by today (see
`opgaveudvalg.retention.schedule`). Only counts per committee reach Prefect."""

from prefect import flow

from opgaveudvalg.orchestration import flowrun
from opgaveudvalg.orchestration.flowrun import step
from opgaveudvalg.retention import schedule
from opgaveudvalg.settings import get_settings

flowrun.report_user_errors_plainly()


@step
def delete_what_is_due(dry_run: bool) -> schedule.Report:
    settings = get_settings()
    return schedule.run(settings, schedule.today_in(settings), dry_run)


@flow(name="retention", flow_run_name="sletning")
def retention_flow(dry_run: bool = False) -> str:
    report = delete_what_is_due(dry_run)
    flowrun.publish_table("sletning", report.rows(), report.text().splitlines()[0])
    return report.text()
