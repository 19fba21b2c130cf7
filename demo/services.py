"""A Prefect server and a worker of our own, started for the demo (and the flow tests) and
stopped afterwards — what `opgaveudvalg server` and `opgaveudvalg worker` run in production."""

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from opgaveudvalg.orchestration import setup
from opgaveudvalg.settings import Settings, get_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def prefect_server(settings: Settings, log: Path, timeout: float = 240) -> Iterator[str]:
    """A Prefect server on a free port; yields its API URL, also set as the app's setting."""
    url = f"http://127.0.0.1:{free_port()}/api"
    os.environ["OPGAVEUDVALG_PREFECT_API_URL"] = url
    get_settings.cache_clear()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        upgrade = setup.upgrade_command(get_settings())
        subprocess.run(upgrade, stdout=out, stderr=subprocess.STDOUT, check=True)
    with background(setup.server_command(get_settings()), log):
        deadline = time.monotonic() + timeout
        while not healthy(url):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the Prefect server did not start within {timeout} s: {log}")
            time.sleep(1)
        yield url


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).is_success
    except httpx.HTTPError:
        return False


@contextmanager
def worker(settings: Settings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A worker of the deployments (`opgaveudvalg deploy`) that looks for runs every second."""
    setup.use_prefect(settings, server=True)
    os.environ["PREFECT_WORKER_QUERY_SECONDS"] = "1"
    with background(setup.worker_command(settings), log) as process:
        yield process


@contextmanager
def background(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()  # its children (runs) are left to end, or to the reaper
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
