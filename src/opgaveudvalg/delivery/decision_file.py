"""A body's decisions written as a file, for `opgaveudvalg recommendations decide`::

møde: 2028-01-10        # the meeting's date
punkt: 7                # the item on its agenda
sagsnr: 00.01.00-A00-3-27
beslutninger:           # per recommendation: følges, følges-delvist, følges-ikke,
  1: {beslutning: følges, begrundelse: Fagudvalget er enigt.}   # budgetforhandlinger
  2: {beslutning: sendes-til-kb, indstilling: følges, begrundelse: …}  # or sendes-til-kb
"""

from datetime import date
from pathlib import Path

from pydantic import Field

from opgaveudvalg.delivery.consultation import BodyDecision, ItemDecision
from opgaveudvalg.delivery.records import Body, Outcome
from opgaveudvalg.yamlinput import Entry, read_yaml, validate


class ItemEntry(Entry):
    beslutning: Outcome
    begrundelse: str = Field(min_length=1, max_length=2000)
    indstilling: Outcome | None = None


class DecisionFile(Entry):
    møde: date
    punkt: int = Field(ge=1)
    sagsnr: str = Field(min_length=3, max_length=40)
    beslutninger: dict[int, ItemEntry] = Field(min_length=1)


def load_decisions(path: Path, body: Body) -> BodyDecision:
    document = read_yaml(
        path, "da", "møde, punkt, sagsnr og beslutninger", "møde, punkt, sagsnr and beslutninger"
    )
    given = validate(DecisionFile, document, str(path))
    items = tuple(
        ItemDecision(number, entry.beslutning, entry.begrundelse, entry.indstilling)
        for number, entry in sorted(given.beslutninger.items())
    )
    return BodyDecision(body, given.møde, given.punkt, given.sagsnr, items)
