#!/usr/bin/env python3
"""The two set-up commands: `python3 dev.py demo` (main job) and `python3 dev.py test --all` (lint,
formatting, types and every test, as CI runs them). `python3 dev.py test` alone skips the tests
marked slow, for a quick run while developing; extra arguments go to pytest.

Each creates .venv and installs the project with its dev extras (which include the demo's) into
it on first use (again when pyproject.toml changes), so a machine with only Python 3.11 needs
nothing else. `demo` runs `python -m demo`; anything else after `dev.py` is passed to the
`opgaveudvalg` command, e.g. `python3 dev.py validate FILE`.
"""

import ctypes.util
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
# WeasyPrint renders PDFs with Pango; these come from the operating system, not PyPI.
SYSTEM_LIBRARIES = {
    "pango-1.0": "libpango-1.0-0",
    "pangoft2-1.0": "libpangoft2-1.0-0",
    "harfbuzz-subset": "libharfbuzz-subset0",
}
FONTS_PACKAGE = "fonts-dejavu-core"


def ensure_system_libraries() -> None:
    missing = [pkg for lib, pkg in SYSTEM_LIBRARIES.items() if not ctypes.util.find_library(lib)]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("PDF rendering needs these system packages: " + " ".join(missing))
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing, FONTS_PACKAGE], check=True)


def ensure_browser() -> None:
    """The tests open the web form in Debian's Chromium (driven by Playwright from the venv)."""
    if shutil.which("chromium"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("The browser tests need Chromium: apt-get install chromium")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True)


def ensure_environment() -> None:
    """Create .venv and install the project with its dev extras unless already up to date."""
    stamp = VENV / ".installed-from"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted and PYTHON.exists():
        return
    ensure_system_libraries()
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "--editable", f"{ROOT}[dev]"], check=True)
    stamp.write_text(wanted)


def run_checks(args: list[str]) -> int:
    """Lint, formatting, types (the import contracts run as a test), then the tests in parallel."""
    selection = [] if "--all" in args else ["-m", "not slow"]
    pytest_args = [arg for arg in args if arg != "--all"]
    checks = [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy", "src", "flows", "demo"],
        ["pytest", "-n", "auto", "--dist", "loadgroup", *selection, *pytest_args],
    ]
    codes = [subprocess.run([str(PYTHON), "-m", *check], cwd=ROOT).returncode for check in checks]
    return max(codes)


def main(args: list[str]) -> int:
    if not args:
        print(__doc__)
        return 2
    ensure_environment()
    if args[0] == "test":
        ensure_browser()
        return run_checks(args[1:])
    if args[0] == "demo":
        return subprocess.run([str(PYTHON), "-m", "demo", *args[1:]], cwd=ROOT).returncode
    return subprocess.run([str(VENV / "bin" / "opgaveudvalg"), *args], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
