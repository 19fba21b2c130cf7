"""Prefect flows: orchestration only. Business rules live in src/opgaveudvalg."""
