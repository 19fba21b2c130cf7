"""Settings: config/settings.toml, overridden by .env and OPGAVEUDVALG_* environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import EmailStr, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from opgaveudvalg.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = PROJECT_ROOT / "templates"
ENV_PREFIX = "OPGAVEUDVALG_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=PROJECT_ROOT / ".env",
        toml_file=PROJECT_ROOT / "config" / "settings.toml",
        extra="forbid",
    )

    municipality: str = Field(min_length=2)
    secretariat_email: EmailStr
    dpo_email: EmailStr
    language: Literal["da", "en"] = "da"
    timezone: str = "Europe/Copenhagen"
    database_url: str
    committees_dir: Path
    output_dir: Path
    prefect_api_url: str = ""
    prefect_home: Path
    approval_timeout_days: int = Field(gt=0)
    approval_poll_seconds: int = Field(gt=0, le=300)
    postcodes: list[str] = Field(min_length=1)
    applicant_min_age: int = Field(ge=0, le=30)
    retention_unselected_months: int = Field(ge=0, le=36)
    retention_members_months: int = Field(ge=0, le=36)
    column_map: Path
    statbank_url: str = "https://api.statbank.dk/v1"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"ukendt tidszone {value!r}") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql+psycopg://")):
            raise ValueError("skal begynde med sqlite:/// eller postgresql+psycopg://")
        if value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
            relative = value.removeprefix("sqlite:///")
            return f"sqlite:///{PROJECT_ROOT / relative}"
        return value

    @field_validator("committees_dir", "output_dir", "prefect_home", "column_map")
    @classmethod
    def _relative_to_project(cls, value: Path) -> Path:
        return value if value.is_absolute() else PROJECT_ROOT / value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            dotenv_settings,
            TomlConfigSettingsSource(settings_cls),
        )


@lru_cache
def get_settings() -> Settings:
    """Load the settings once; a wrong value stops the program with the setting's name."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"])
            problems.append(f"indstillingen '{name}' ({ENV_PREFIX}{name.upper()}): {error['msg']}")
        raise UserError("Ugyldig indstilling – " + "; ".join(problems)) from None
