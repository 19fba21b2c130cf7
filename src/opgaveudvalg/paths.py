"""The output folder's layout: where each generated file of a committee goes, in one place."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CommitteeFiles:
    """`<output_dir>/<slug>/…` for one committee."""

    root: Path

    @classmethod
    def of(cls, output_dir: Path, slug: str) -> "CommitteeFiles":
        return cls(output_dir / slug)

    def mandate(self, version: int, lang: str) -> Path:
        return self.root / f"kommissorium-v{version}" / lang

    def call(self, lang: str) -> Path:
        return self.root / "opslag" / lang

    def rejects(self) -> Path:
        return self.root / "afviste-raekker"

    def reject_report(self, import_id: int) -> Path:
        return self.rejects() / f"afviste-raekker-import-{import_id}.csv"

    def selection_report(self, run_id: int, audience: str, lang: str) -> Path:
        return self.root / f"udvaelgelse-{run_id}" / audience / lang

    def letters(self) -> Path:
        return self.root / "breve"

    def meetings(self) -> Path:
        return self.root / "moeder"

    def meeting(self, number: int, lang: str) -> Path:
        return self.meetings() / f"moede-{number}" / lang

    def feed(self) -> Path:
        return self.root / "kalender.ics"

    def handover(self, lang: str) -> Path:
        return self.root / "aflevering" / lang

    def closing(self, lang: str) -> Path:
        return self.root / "afslutning" / lang
