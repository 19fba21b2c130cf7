"""Settings come from config/settings.toml, overridden by OPGAVEUDVALG_* variables."""

import pytest

from opgaveudvalg.errors import UserError
from opgaveudvalg.settings import PROJECT_ROOT, Settings, get_settings


def test_defaults_from_the_toml_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPGAVEUDVALG_DATABASE_URL")
    settings = Settings()
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'opgaveudvalg.db'}"
    assert (settings.language, settings.timezone) == ("da", "Europe/Copenhagen")


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_MUNICIPALITY", "Odense Kommune")
    monkeypatch.setenv("OPGAVEUDVALG_LANGUAGE", "en")
    settings = get_settings()
    assert (settings.municipality, settings.language) == ("Odense Kommune", "en")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("timezone", "Europe/Copenhagn"),
        ("database_url", "mysql://localhost/db"),
        ("secretariat_email", "ikke-en-adresse"),
        ("resume_wait_seconds", "nul"),
        ("language", "de"),
    ],
)
def test_a_wrong_setting_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(f"OPGAVEUDVALG_{name.upper()}", value)
    with pytest.raises(
        UserError, match=f"indstillingen '{name}' \\(OPGAVEUDVALG_{name.upper()}\\)"
    ):
        get_settings()
