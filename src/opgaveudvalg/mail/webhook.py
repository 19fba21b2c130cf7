"""Telling another system how a send run went: a POST with IDs and counts, never addresses."""

import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = 10.0


def post_webhook(url: str, summary: dict[str, Any]) -> str | None:
    """POST the run's summary; a failure is logged and returned, never raised."""
    try:
        response = httpx.post(url, json=summary, timeout=WEBHOOK_TIMEOUT)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        error = f"webhooken svarede {exc.response.status_code}"
    except httpx.HTTPError as exc:
        error = f"webhooken kunne ikke nås ({type(exc).__name__})"
    else:
        return None
    logger.warning("outbox: %s", error)
    return error
