"""A meeting's agenda: the secretariat's items from an agenda file, placed between the default
opening items and 'Eventuelt'.

The agenda file (YAML)::

    punkter:
      - titel: Vision for svømmehallen
        indstilling: Det indstilles, at udvalget drøfter visionen.
        beskrivelse: Administrationen præsenterer tre scenarier.
        bilag: [Scenarier.pdf]
"""

from pathlib import Path
from typing import Annotated

from pydantic import Field
from sqlmodel import Session

from opgaveudvalg import models
from opgaveudvalg.committee import audit
from opgaveudvalg.meetings.plan import agenda_item, default_agenda, get_meeting
from opgaveudvalg.models import utcnow
from opgaveudvalg.yamlinput import Entry, empty_if_none, read_yaml, validate


class AgendaItem(Entry):
    titel: str = Field(min_length=1)
    indstilling: Annotated[str, empty_if_none("")] = ""
    beskrivelse: Annotated[str, empty_if_none("")] = ""
    bilag: Annotated[list[str], empty_if_none([])] = []


class AgendaFile(Entry):
    punkter: list[AgendaItem]


def load_agenda(path: Path) -> AgendaFile:
    """The agenda file, validated; raises FileInvalid naming file, line and field."""
    document = read_yaml(path, "da", "'punkter:'", "'punkter:'")
    return validate(AgendaFile, document, str(path))


def set_agenda(
    session: Session, committee: models.Committee, number: int, path: Path, actor: str
) -> models.Meeting:
    """The secretariat's items between the default opening items and 'Eventuelt'."""
    meeting = get_meeting(session, committee, number)
    items = [
        agenda_item(item.titel, item.indstilling, item.beskrivelse, item.bilag)
        for item in load_agenda(path).punkter
    ]
    opening = default_agenda(meeting.number)[:-1]
    meeting.agenda = [*opening, *items, default_agenda(1)[-1]]
    meeting.updated_at = utcnow()
    session.add(meeting)
    audit(session, committee.id, actor, "meeting.agenda", number=number, items=len(meeting.agenda))
    return meeting
