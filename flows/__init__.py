"""Prefect flows: orchestration only. Business rules live in src/opgaveudvalg.

Every flow of this package logs a user's mistake as one line, never with a traceback."""

from opgaveudvalg.orchestration import flowrun

flowrun.report_user_errors_plainly()
