"""`python -m demo` (what `python3 dev.py demo` runs): the example committees through the
lifecycle, on a fresh database under var/demo/ and with Prefect's temporary server."""

import os
import shutil
import sys

from opgaveudvalg import orchestration
from opgaveudvalg.errors import UserError
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
            "OPGAVEUDVALG_APPROVAL_POLL_SECONDS": "1",
        }
    )
    get_settings.cache_clear()
    return get_settings()


def main() -> None:
    try:
        get_settings()  # the operator's own settings must be valid, as for every command
        settings = demo_settings()
        orchestration.use_prefect(settings, server=False)
        from demo.lifecycle import run_demo  # imports the flows, now that Prefect is set up

        run_demo(settings)
    except UserError as exc:
        print(f"fejl: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
