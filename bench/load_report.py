"""The load benchmark's figures as Markdown tables (pasted into bench/README.md)."""

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Protocol

import prefect

from bench import load_procs


class PhaseFigures(Protocol):
    name: str
    starts: int
    accepted_s: float
    suspended_s: float
    steady_s: float
    flow_cpu: float
    worker_cpu: float
    server_cpu: float
    postgres_cpu: float
    bench_cpu: float
    alive: int
    settled_s: float
    extra: str


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:.2f}" if seconds > 0 else "–"


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def phase_rows(phases: Sequence[PhaseFigures]) -> list[str]:
    rows = [
        "| phase | runs | accepted (s) | accepted/s | all suspended after (s) | runs/s "
        "| runs/s first→last suspend | flow CPU s/start | all CPU s/start "
        "| flow processes after | gone within (s) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for p in phases:
        total = p.flow_cpu + p.worker_cpu + p.server_cpu + p.postgres_cpu + p.bench_cpu
        rows.append(
            f"| {p.name} | {p.starts} | {p.accepted_s:.1f} | {rate(p.starts, p.accepted_s)} "
            f"| {p.suspended_s:.1f} | {rate(p.starts, p.suspended_s)} "
            f"| {rate(p.starts - 1, p.steady_s)} | {p.flow_cpu / p.starts:.2f} "
            f"| {total / p.starts:.2f} | {p.alive} | {p.settled_s:.1f} |"
        )
    return rows


def cpu_rows(phases: Sequence[PhaseFigures]) -> list[str]:
    rows = [
        "| phase | flow processes | worker | server | PostgreSQL | bench process | note |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for p in phases:
        rows.append(
            f"| {p.name} | {p.flow_cpu:.0f} | {p.worker_cpu:.0f} | {p.server_cpu:.0f} "
            f"| {p.postgres_cpu:.0f} | {p.bench_cpu:.0f} | {p.extra} |"
        )
    return rows


def table(
    args: argparse.Namespace, phases: Sequence[PhaseFigures], peaks: load_procs.Peaks, output: int
) -> str:
    limit = args.concurrency or "none"
    lines = [
        f"`python -m bench.load {' '.join(sys.argv[1:])}` — {args.committees} committees, "
        f"work-pool concurrency limit {limit}, {os.cpu_count()} cores, Prefect "
        f"{prefect.__version__}, server and app database on PostgreSQL",
        "",
        *phase_rows(phases),
        "",
        "CPU seconds per phase:",
        "",
        *cpu_rows(phases),
        "",
        "| peak memory (RSS, sampled every second) | |",
        "|---|--:|",
        f"| Prefect server (all its processes) | {mib(peaks.server_kib)} |",
        f"| worker (its own process) | {mib(peaks.worker_kib)} |",
        f"| flow processes at once (most) | {peaks.flow_processes} |",
        f"| flow processes together | {mib(peaks.flow_kib)} |",
        f"| output written | {output / 2**20:.0f} MiB |",
    ]
    return "\n".join(lines)
