"""What one send run of the outbox did, and — when something was not delivered — what a person
should do about it, in one line the CLI prints and the flows can use to mark their step failed.

Only IDs, counts and the server's answers without addresses: safe for logs, Prefect and the
webhook."""

from dataclasses import asdict, dataclass, field
from typing import Any

RESOLVE = "opgaveudvalg outbox resolve"
SHOWN_IDS = 10


@dataclass
class SendFailure:
    """A message that was not delivered this run: its ID, new status and why (no addresses)."""

    message_id: int
    status: str
    error: str


@dataclass
class SendReport:
    """What one send run did, in IDs and counts only (safe for Prefect logs and artifacts)."""

    committee_id: int | None
    dry_run: bool = False
    sent: int = 0
    failed: int = 0
    dead: int = 0
    unknown: int = 0
    written: list[str] = field(default_factory=list)
    failures: list[SendFailure] = field(default_factory=list)
    error: str | None = None
    webhook_error: str | None = None

    @property
    def ok(self) -> bool:
        """True when everything that was due went out (or was written, in a dry run)."""
        return self.problem() is None

    def problem(self) -> str | None:
        """What was not delivered and what to do about it, in one line; None when nothing.

        The SMTP server unusable (`error`: unreachable or login refused), messages in doubt
        (`unknown`), given up (`dead`), refused and waiting for a retry (`failed`), or in a dry
        run messages that could not be built. A webhook that failed is not a delivery problem."""
        parts = [self.error] if self.error else []
        if self.unknown:
            parts.append(
                f"{self.unknown} i tvivl (unknown, {self._ids('unknown')}): de kan være nået "
                "frem og sendes derfor ikke igen af sig selv; spørg modtageren og afklar hver "
                f"med '{RESOLVE} ID --delivered' eller '--not-delivered'"
            )
        if self.dead:
            parts.append(
                f"{self.dead} opgivet (dead, {self._ids('dead')}) efter send_max_attempts "
                f"afvisninger; ret årsagen (fejlen står ovenfor) og send igen med "
                f"'{RESOLVE} ID --not-delivered'"
            )
        if self.failed:
            parts.append(
                f"{self.failed} afvist (failed, {self._ids('failed')}); de prøves igen ved en "
                "senere kørsel (send_backoff_seconds), se fejlen ovenfor"
            )
        if self.dry_run and self.failures:
            ids = self._ids(None)
            parts.append(f"{len(self.failures)} kunne ikke dannes ({ids}), se fejlen ovenfor")
        return "; ".join(parts) or None

    def _ids(self, status: str | None) -> str:
        ids = [f.message_id for f in self.failures if status is None or f.status == status]
        shown = ", ".join(str(i) for i in ids[:SHOWN_IDS])
        return f"id {shown}{', …' if len(ids) > SHOWN_IDS else ''}"

    def counts(self) -> dict[str, int]:
        """The run's numbers, for the CLI and Prefect."""
        return {
            "sent": self.sent,
            "failed": self.failed,
            "dead": self.dead,
            "unknown": self.unknown,
            "written": len(self.written),
        }

    def summary(self) -> dict[str, Any]:
        """The webhook's JSON body."""
        return {
            "committee_id": self.committee_id,
            "sent": self.sent,
            "failed": self.failed,
            "dead": self.dead,
            "unknown": self.unknown,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def add_failure(self, message_id: int, status: str, error: str) -> None:
        """Count a message that ended `failed`, `dead` or `unknown` this run."""
        status = str(status)  # a Status member counts as its plain name
        setattr(self, status, getattr(self, status) + 1)
        self.failures.append(SendFailure(message_id, status, error))
