"""Test set-up: every test gets its own app database and output folder; flow tests share one
temporary Prefect server. PostgreSQL tests run when OPGAVEUDVALG_TEST_POSTGRES_URL is set (CI)."""

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="opgaveudvalg-tests-"))
os.environ["PREFECT_HOME"] = str(_SESSION_DIR / "prefect")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
# Flows run with results persisted, as in production: a task that reads changing state must not
# be answered from Prefect's cache (the meetings loop would never advance).
os.environ["PREFECT_RESULTS_PERSIST_BY_DEFAULT"] = "true"
os.environ.pop("PREFECT_API_URL", None)
os.environ["OPGAVEUDVALG_PREFECT_HOME"] = str(_SESSION_DIR / "prefect")
os.environ["OPGAVEUDVALG_RESUME_WAIT_SECONDS"] = "0"

from helpers import CHROMIUM, SLUG, Mailbox, Restore, appoint_and_plan, start_smtp  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import text  # noqa: E402

from opgaveudvalg.db import engine_for  # noqa: E402
from opgaveudvalg.settings import get_settings  # noqa: E402

POSTGRES_URL = os.environ.get("OPGAVEUDVALG_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def app_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OPGAVEUDVALG_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("OPGAVEUDVALG_OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("OPGAVEUDVALG_COMMITTEES_DIR", str(tmp_path / "committees"))
    (tmp_path / "committees").mkdir()
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind; the app's settings point at it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
    else:
        if not POSTGRES_URL:
            pytest.skip("OPGAVEUDVALG_TEST_POSTGRES_URL is not set (CI sets it)")
        url = empty_postgres_schema(POSTGRES_URL)
    os.environ["OPGAVEUDVALG_DATABASE_URL"] = url
    get_settings.cache_clear()
    yield url
    engine_for.cache_clear()


def empty_postgres_schema(server_url: str) -> str:
    """The URL of a fresh schema of its own for this test worker, so parallel workers
    (pytest-xdist) never share tables."""
    from sqlalchemy.engine import make_url

    from opgaveudvalg.db import make_engine

    schema = f"test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    engine_for.cache_clear()
    engine = make_engine(server_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
    engine.dispose()
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def committees_dir() -> Path:
    return get_settings().committees_dir


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Restore:
    """`restore(name, build, tmp_path)` brings a test's app folder (database, output, mandates) to a
    stage that `build` creates: built by the first test of each worker that asks, copied for the
    others, so an expensive stage (a drawn and appointed committee) costs its time once."""
    built: dict[str, Path] = {}

    def restore(name: str, build: Callable[[Path], object], folder: Path) -> None:
        if name in built:
            shutil.copytree(built[name], folder, dirs_exist_ok=True)
            return
        build(folder)
        built[name] = tmp_path_factory.mktemp(name)
        shutil.copytree(folder, built[name], dirs_exist_ok=True)

    return restore


@pytest.fixture
def appointed(tmp_path: Path, snapshots: Restore) -> str:
    """The swimming-hall committee appointed, with its meetings planned."""
    snapshots("appointed", appoint_and_plan, tmp_path)
    return SLUG


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd on 127.0.0.1) the settings point at."""
    monkeypatch.setenv("OPGAVEUDVALG_EML_DIR", str(tmp_path / "eml"))
    mailbox, controller = start_smtp(monkeypatch)
    yield mailbox
    controller.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.fail("Chromium is missing: apt-get install chromium (`python3 dev.py test` does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()
