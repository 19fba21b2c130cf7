"""An import as the command line starts it: registered in the app database, run by a worker as
a run of the import deployment that knows only the batch's ID, and answered from the database."""

from pathlib import Path

from opgaveudvalg import models
from opgaveudvalg.committee import committee_session
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.orchestration import deployments, runs
from opgaveudvalg.recruitment import imports


def import_file(slug: str, path: Path) -> models.ImportBatch:
    """The batch as the run left it; a file that could not be read is the user's error."""
    with committee_session(slug) as (session, found):
        batch_id = imports.register_import(session, found, path).id
    runs.run_and_wait(deployments.IMPORT_FLOW, slug, {"slug": slug, "batch_id": batch_id})
    with session_scope() as session:
        batch = session.get(models.ImportBatch, batch_id)
        assert batch is not None
        session.expunge(batch)
    if batch.error:
        raise UserError(batch.error)
    return batch
