"""Where a committee stands, read fresh from the app database at every call."""

from opgaveudvalg import committee
from opgaveudvalg.db import session_scope
from opgaveudvalg.orchestration.flowrun import step


@step
def committee_status(slug: str) -> str:
    """The committee's status, or 'draft' for a committee not registered yet."""
    with session_scope() as session:
        found = committee.find_committee(session, slug)
        return found.status.value if found else "draft"
