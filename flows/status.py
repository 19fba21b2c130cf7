"""Where a committee stands, read fresh from the app database at every call."""

from prefect import task
from prefect.cache_policies import NO_CACHE

from opgaveudvalg import committee
from opgaveudvalg.db import session_scope


# Every task in flows/ reads or changes the app database, which changes between calls: none may
# be answered from Prefect's result cache (with results persisted, a cached `next_meeting` would
# keep returning the same meeting and the meetings loop would never advance).
@task(cache_policy=NO_CACHE)
def committee_status(slug: str) -> str:
    """The committee's status, or 'draft' for a committee not registered yet."""
    with session_scope() as session:
        found = committee.find_committee(session, slug)
        return found.status.value if found else "draft"
