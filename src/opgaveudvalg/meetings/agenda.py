"""A meeting's agenda: the secretariat's items from an agenda file, placed between the default
opening items and 'Eventuelt'.

The agenda file (YAML)::

    ordstyrer: Sara Holm Nielsen          # frivilligt; ellers kommissoriets kontaktperson
    referent: Jonas Bech Lindqvist
    punkter:
      - titel: Vision for svømmehallen
        art: drøftelse                    # beslutning, drøftelse (standard) eller orientering
        indstilling: Det indstilles, at udvalget drøfter visionen.
        beskrivelse: Administrationen præsenterer tre scenarier.
        bilag: [Scenarier.pdf, https://gentofte.dk/svoemmehal.pdf]
        en:                               # frivilligt: punktet på engelsk
          titel: A vision for the swimming hall

A title is written in full wherever it is shown; a short title and a description that adds
something read better than a whole task copied into the title.
"""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field
from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.committee import audit
from opgaveudvalg.meetings.plan import agenda_item, default_agenda, get_meeting
from opgaveudvalg.models import utcnow
from opgaveudvalg.yamlinput import Entry, empty_if_none, read_yaml, validate


class EnglishItem(Entry):
    titel: Annotated[str, empty_if_none("")] = ""
    indstilling: Annotated[str, empty_if_none("")] = ""
    beskrivelse: Annotated[str, empty_if_none("")] = ""


class AgendaItem(Entry):
    titel: str = Field(min_length=1)
    art: Literal["beslutning", "drøftelse", "orientering"] = "drøftelse"
    indstilling: Annotated[str, empty_if_none("")] = ""
    beskrivelse: Annotated[str, empty_if_none("")] = ""
    bilag: Annotated[list[str], empty_if_none([])] = []
    en: EnglishItem = EnglishItem()


class AgendaFile(Entry):
    ordstyrer: str = ""
    referent: str = ""
    punkter: list[AgendaItem]


def load_agenda(path: Path) -> AgendaFile:
    """The agenda file, validated; raises FileInvalid naming file, line and field."""
    document = read_yaml(path, "da", "'punkter:'", "'punkter:'")
    return validate(AgendaFile, document, str(path))


def set_agenda(
    session: Session, committee: models.Committee, number: int, path: Path, actor: str
) -> models.Meeting:
    """The secretariat's items between the default opening items and 'Eventuelt', and the
    meeting's facilitator (ordstyrer) and minute-taker (referent) when the file names them."""
    meeting = get_meeting(session, committee, number)
    given = load_agenda(path)
    items = [
        agenda_item(
            item.titel,
            item.indstilling,
            item.beskrivelse,
            item.bilag,
            item.art,
            item.en.model_dump(exclude_defaults=True),
        )
        for item in given.punkter
    ]
    opening = default_agenda(meeting.number)[:-1]
    meeting.agenda = [*opening, *items, default_agenda(1)[-1]]
    meeting.facilitators = [given.ordstyrer, given.referent]
    meeting.updated_at = utcnow()
    session.add(meeting)
    audit(session, committee.id, actor, "meeting.agenda", number=number, items=len(meeting.agenda))
    return meeting
