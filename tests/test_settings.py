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


def test_a_login_in_clear_text_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_USERNAME", "opgaveudvalg")
    with pytest.raises(UserError) as refused:
        get_settings()
    message = str(refused.value)
    assert message.startswith("Ugyldig indstilling – smtp_username er sat, men forbindelsen er ")
    assert "adgangskoden ville gå i klartekst" in message
    for name in ("smtp_starttls = true", "smtp_ssl = true", "smtp_allow_plaintext_login = true"):
        assert name in message


@pytest.mark.parametrize(
    "settings",
    [
        {"SMTP_STARTTLS": "true", "SMTP_PORT": "587"},
        {"SMTP_PORT": "465"},  # implicit TLS
        {"SMTP_SSL": "true"},
        {"SMTP_ALLOW_PLAINTEXT_LOGIN": "true"},
    ],
)
def test_a_login_over_tls_or_explicitly_in_clear_is_accepted(
    monkeypatch: pytest.MonkeyPatch, settings: dict[str, str]
) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_USERNAME", "opgaveudvalg")
    for name, value in settings.items():
        monkeypatch.setenv(f"OPGAVEUDVALG_{name}", value)
    assert get_settings().smtp_username == "opgaveudvalg"


@pytest.mark.parametrize(
    ("port", "ssl", "implicit"),
    [("465", None, True), ("465", "false", False), ("587", None, False), ("2465", "true", True)],
)
def test_implicit_tls_on_port_465_unless_smtp_ssl_says_otherwise(
    monkeypatch: pytest.MonkeyPatch, port: str, ssl: str | None, implicit: bool
) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_PORT", port)
    if ssl is not None:
        monkeypatch.setenv("OPGAVEUDVALG_SMTP_SSL", ssl)
    assert get_settings().smtp_implicit_tls is implicit


def test_starttls_and_implicit_tls_together_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_PORT", "465")
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_STARTTLS", "true")
    with pytest.raises(UserError, match="smtp_ssl .* og smtp_starttls kan ikke bruges sammen"):
        get_settings()
