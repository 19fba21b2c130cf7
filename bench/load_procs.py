"""What the load benchmark measures from /proc: the processes of the Prefect server, the worker
and its flow runs, their memory (RSS) and CPU time."""

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
FLOW_PROCESS = "prefect.engine"


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (field 3 onwards); [] if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text[text.rindex(")") + 2 :].split()


def parents() -> dict[int, int]:
    """Every live process and its parent."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))):
            found[int(entry.name)] = int(fields[1])
    return found


def descendants(pid: int) -> list[int]:
    """The live processes below `pid` (children, their children, …)."""
    tree = parents()
    found: list[int] = []
    level = [pid]
    while level:
        level = [child for child, parent in tree.items() if parent in level]
        found += level
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def flow_processes(worker_pid: int) -> list[int]:
    """The worker's flow-run processes alive now (`python -m prefect.engine`)."""
    return [pid for pid in descendants(worker_pid) if FLOW_PROCESS in command_line(pid)]


def rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int, reaped_children: bool = False) -> float:
    """User + system CPU of `pid`; with `reaped_children`, also of its ended (waited-for)
    descendants."""
    fields = _stat_fields(pid)
    if not fields:
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17 of /proc/<pid>/stat (11-14 here)
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process tree so far: the root with its ended children, and the live ones."""
    return cpu_seconds(pid, reaped_children=True) + sum(cpu_seconds(p) for p in descendants(pid))


def tree_rss_kib(pid: int) -> int:
    return rss_kib(pid) + sum(rss_kib(p) for p in descendants(pid))


@dataclass
class Peaks:
    server_kib: int = 0
    worker_kib: int = 0
    flow_processes: int = 0
    flow_kib: int = 0


@dataclass
class MemorySampler:
    """Samples every `every` seconds in a thread: the server's tree RSS, the worker's own RSS,
    and how many flow processes the worker has and their RSS; keeps the peaks."""

    server_pid: int
    worker_pid: int
    every: float = 1.0
    peaks: Peaks = field(default_factory=Peaks)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> "MemorySampler":
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def sample(self) -> None:
        flows = flow_processes(self.worker_pid)
        peaks = self.peaks
        peaks.server_kib = max(peaks.server_kib, tree_rss_kib(self.server_pid))
        peaks.worker_kib = max(peaks.worker_kib, rss_kib(self.worker_pid))
        peaks.flow_processes = max(peaks.flow_processes, len(flows))
        peaks.flow_kib = max(peaks.flow_kib, sum(rss_kib(p) for p in flows))


def postmaster_pid(data_dir: Path = Path("/var/lib/postgresql/15/main")) -> int | None:
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
