"""Separate virtualenv for the *peer* selection implementation (stdlib only).

The peer is the Sortition Foundation's ``sortition-algorithms`` package (GPL-3.0).
It is never installed into the project's own environment and is not a dependency
of ``opgaveudvalg``: it lives in its own venv under ``var/`` (gitignored) and
``bench/peer_sortition.py`` is run with that venv's python, as a subprocess.

Usage::

    from bench.peer_env import peer_python
    py = peer_python()            # creates the venv on first use
    subprocess.run([py, "bench/peer_sortition.py", INSTANCE_DIR], ...)

or from a shell: ``python3 bench/peer_env.py`` prints the peer python's path.

``highspy`` (the HiGHS solver used by maximin/nash with the default
``solver_backend="highspy"``) is a hard dependency of ``sortition-algorithms``,
so no extra is needed; it is listed explicitly anyway so that a change upstream
cannot silently drop it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VENV_DIR = REPO_ROOT / "var" / "bench-peer-venv"
# Version the benchmark was written and checked against; bump deliberately.
REQUIREMENTS = ("sortition-algorithms==0.12.15", "highspy")
_STAMP_NAME = ".peer-requirements"


def venv_dir() -> Path:
    """Where the peer venv lives (override with ``BENCH_PEER_VENV``)."""
    override = os.environ.get("BENCH_PEER_VENV")
    return Path(override).resolve() if override else DEFAULT_VENV_DIR


def _venv_python(venv: Path) -> Path:
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def _stamp_text() -> str:
    return "\n".join(REQUIREMENTS) + "\n"


def peer_python(*, quiet: bool = True) -> Path:
    """Return the peer venv's python, creating and populating the venv if needed.

    Idempotent: when the venv exists and its stamp file matches ``REQUIREMENTS``
    this only stats two files. The stamp is written last, so an interrupted
    install is redone on the next call.
    """
    venv = venv_dir()
    python = _venv_python(venv)
    stamp = venv / _STAMP_NAME
    if python.exists() and stamp.exists() and stamp.read_text() == _stamp_text():
        return python

    out = subprocess.DEVNULL if quiet else None
    if not python.exists():
        venv.parent.mkdir(parents=True, exist_ok=True)
        # The base interpreter of whatever python runs this (a venv's python is fine).
        base = getattr(sys, "_base_executable", None) or sys.executable
        subprocess.run([base, "-m", "venv", str(venv)], check=True, stdout=out)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *REQUIREMENTS],
        check=True,
        stdout=out,
    )
    stamp.write_text(_stamp_text())
    return python


if __name__ == "__main__":
    print(peer_python(quiet=False))
