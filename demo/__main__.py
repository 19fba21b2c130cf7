"""`python -m demo` (what `python3 dev.py demo` runs): the example committees through the
lifecycle, on a fresh database under var/demo/, with a Prefect server and a worker of its own
(logs in var/demo/*.log), stopped again at the end."""

import os
import shutil
import sys

from opgaveudvalg.errors import UserError
from opgaveudvalg.orchestration import deployments, setup
from opgaveudvalg.settings import PROJECT_ROOT, Settings, get_settings


def demo_settings() -> Settings:
    """Settings for a fresh demo database (removed first), its output and .eml files."""
    demo_dir = PROJECT_ROOT / "var" / "demo"
    shutil.rmtree(demo_dir, ignore_errors=True)  # the demo starts from a fresh database each time
    os.environ.update(
        {
            "OPGAVEUDVALG_DATABASE_URL": f"sqlite:///{demo_dir / 'opgaveudvalg.db'}",
            "OPGAVEUDVALG_OUTPUT_DIR": str(demo_dir / "output"),
            "OPGAVEUDVALG_EML_DIR": str(demo_dir / "outbox"),
            "OPGAVEUDVALG_MAIL_DRY_RUN": "true",
            "OPGAVEUDVALG_PREFECT_HOME": str(demo_dir / "prefect"),
        }
    )
    get_settings.cache_clear()
    return get_settings()


def main() -> None:
    try:
        get_settings()  # the operator's own settings must be valid, as for every command
        settings = demo_settings()
        setup.use_prefect(settings, server=False)
        from demo import services
        from demo.lifecycle import run_demo  # imports Prefect's client, now that it is set up

        logs = settings.output_dir.parent
        with services.prefect_server(settings, logs / "prefect-server.log"):
            settings = get_settings()  # now with the server's address
            setup.use_prefect(settings, server=True)
            deployments.deploy(settings)
            with services.worker(settings, logs / "worker.log"):
                run_demo(settings)
    except UserError as exc:
        print(f"fejl: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
