"""Settings: config/settings.toml, overridden by .env and OPGAVEUDVALG_* environment variables."""

import ipaddress
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
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
SMTPS_PORT = 465


class DateRange(BaseModel):
    """A period of days, both ends included (e.g. one school holiday)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    end: date
    name: str = ""

    @model_validator(mode="after")
    def _start_before_end(self) -> Self:
        if self.start > self.end:
            raise ValueError(f"start {self.start} ligger efter end {self.end}")
        return self

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


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
    prefect_database_url: str = ""
    work_pool: str = Field(min_length=1)
    resume_wait_seconds: int = Field(ge=0, le=3600)
    stale_wait_days: float = Field(gt=0)
    postcodes: list[str] = Field(min_length=1)
    applicant_min_age: int = Field(ge=0, le=30)
    retention_unselected_months: int = Field(ge=0, le=36)
    retention_members_months: int = Field(ge=0, le=36)
    retention_sent_mail_days: int = Field(ge=0, le=365)
    column_map: Path
    statbank_url: str = "https://api.statbank.dk/v1"
    meeting_weekday: Literal["mandag", "tirsdag", "onsdag", "torsdag", "fredag"] = "tirsdag"
    meeting_start_time: str = Field(default="17:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    meeting_location: str = Field(default="Rådhuset", min_length=2)
    member_fee_kr: int = Field(default=0, ge=0, description="a citizen member's fee per meeting")
    meeting_meals: bool = Field(default=False, description="the members eat at the meetings")
    school_holidays: list[DateRange]
    mail_dry_run: bool = True
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_starttls: bool = False
    smtp_ssl: bool | None = Field(default=None, description="implicit TLS; None: on port 465")
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_allow_plaintext_login: bool = False
    smtp_timeout: float = Field(default=30.0, gt=0)
    mail_from: EmailStr | None = Field(default=None, description="None: secretariat_email")
    send_batch_size: int = Field(default=50, gt=0)
    send_max_attempts: int = Field(default=5, gt=0)
    send_backoff_seconds: int = Field(default=60, ge=0)
    webhook_url: str | None = None
    eml_dir: Path = Path("var/outbox")
    documents_url: str = Field(
        default="https://www.gentofte.dk/opgaveudvalg",
        pattern=r"^https?://\S+[^/]$",
        description="Where the output folder is published: links in letters point below it",
    )
    # limits on one import file
    import_max_file_mb: int = Field(default=50, gt=0, le=1024)
    import_max_rows: int = Field(default=200_000, gt=0)
    import_max_columns: int = Field(default=200, gt=0, le=10_000)
    import_max_cell_chars: int = Field(default=10_000, gt=0, le=1_000_000)

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

    @field_validator("eml_dir")
    @classmethod
    def _eml_dir_relative_to_project(cls, value: Path) -> Path:
        return value if value.is_absolute() else PROJECT_ROOT / value

    @property
    def smtp_implicit_tls(self) -> bool:
        """SMTP over TLS from the first byte (SMTPS): `smtp_ssl`, or port 465 when it is unset."""
        return self.smtp_port == SMTPS_PORT if self.smtp_ssl is None else self.smtp_ssl

    @model_validator(mode="after")
    def _smtp_password_never_in_clear(self) -> Self:
        if self.smtp_implicit_tls and self.smtp_starttls:
            raise ValueError(
                "smtp_ssl (implicit TLS, port 465) og smtp_starttls kan ikke bruges sammen; "
                "vælg den ene, som serveren tilbyder"
            )
        encrypted = self.smtp_implicit_tls or self.smtp_starttls
        if self.smtp_username and not encrypted and not self.smtp_allow_plaintext_login:
            raise ValueError(
                "smtp_username er sat, men forbindelsen er ikke krypteret, så adgangskoden ville "
                "gå i klartekst over nettet; sæt smtp_starttls = true (port 587) eller "
                "smtp_ssl = true (port 465), eller smtp_allow_plaintext_login = true hvis "
                "serveren kun kan nås på et lukket netværk"
            )
        return self

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

    # answer mapping: free-text balance answers → the mandate's group names (config/answers.yaml)
    answer_map: Path = PROJECT_ROOT / "config" / "answers.yaml"

    @field_validator("answer_map")
    @classmethod
    def _answer_map_relative_to_project(cls, value: Path) -> Path:
        return value if value.is_absolute() else PROJECT_ROOT / value

    # the web form
    web_secret: SecretStr | None = Field(
        default=None, description="signs CSRF tokens; None: a random one per start"
    )
    web_secure_cookie: bool = Field(default=False, description="cookie only over HTTPS")
    web_trusted_proxies: list[str] = Field(
        default=[], description="reverse proxies (IPs or networks) whose X-Forwarded-For counts"
    )
    web_rate_limit: int = Field(default=10, ge=0, description="posts per address; 0: off")
    web_rate_window_seconds: int = Field(default=600, gt=0)
    web_max_body_bytes: int = Field(default=65_536, gt=0)
    web_max_field_chars: int = Field(default=200, gt=0)
    web_max_motivation_chars: int = Field(default=5_000, gt=0)

    @field_validator("web_trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        for proxy in value:
            try:
                ipaddress.ip_network(proxy.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{proxy!r} er ikke en IP-adresse eller et netværk") from None
        return value


@lru_cache
def get_settings() -> Settings:
    """Load the settings once; a wrong value stops the program with the setting's name."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"])
            if not name:  # a rule about several settings names them in its message
                problems.append(error["msg"].removeprefix("Value error, "))
                continue
            problems.append(f"indstillingen '{name}' ({ENV_PREFIX}{name.upper()}): {error['msg']}")
        raise UserError("Ugyldig indstilling – " + "; ".join(problems)) from None
