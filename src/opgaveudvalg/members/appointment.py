"""KB's appointment: the drawn panel (with KB's amendments) and the council members named in the
politicians file become the committee's members from its start date."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, RootModel, field_validator
from sqlmodel import Session, select

from opgaveudvalg import models, yamlinput
from opgaveudvalg.committee import audit, current_mandate, transition
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.models import CommitteeStatus, MemberRole, SelectionStatus
from opgaveudvalg.recruitment.call import last_day_of_call
from opgaveudvalg.recruitment.rows import email_problem
from opgaveudvalg.selection.instance import instance_from_json
from opgaveudvalg.selection.model import Seat, panel_is_valid
from opgaveudvalg.selection.runs import current_run
from opgaveudvalg.settings import get_settings


@dataclass(frozen=True)
class Amendment:
    """KB appoints applicant `add` in the place of the proposed member `remove`."""

    remove: int
    add: int


@dataclass(frozen=True)
class Politician:
    name: str
    party: str
    role: MemberRole = MemberRole.member
    email: str | None = None  # a work address: invitations, agendas and the committee's letters


ROLES = {
    "formand": MemberRole.chair,
    "næstformand": MemberRole.vice_chair,
    "medlem": MemberRole.member,
}
ROLE_NAMES = {role: word for word, role in ROLES.items()}


# --- the politicians file ----------------------------------------------------------------------


class PoliticianEntry(yamlinput.Entry):
    """One line of the politicians file: `- {navn: …, parti: …, rolle: …, e-mail: …}`; the
    e-mail is optional."""

    navn: str = Field(min_length=1)
    parti: str = Field(min_length=1)
    rolle: Literal["formand", "næstformand", "medlem"] = "medlem"
    # `e-mail`, or `email` as in the mandate's contact person
    email: str | None = Field(default=None, validation_alias=AliasChoices("e-mail", "email"))

    @field_validator("rolle", mode="before")
    @classmethod
    def _known_role(cls, value: object) -> object:
        if value not in ROLES:
            raise ValueError(f"'{value}' – rolle skal være formand, næstformand eller medlem")
        return value

    @field_validator("email")
    @classmethod
    def _valid_address(cls, value: str | None) -> str | None:
        """The application rows' own check; an empty value means no address."""
        if not value:
            return None
        if reason := email_problem(value):
            raise ValueError(reason)
        return value


class PoliticiansFile(RootModel[list[PoliticianEntry]]):
    pass


def politicians_path(committees_dir: Path, slug: str) -> Path:
    return committees_dir / "politikere" / f"{slug}.yaml"


def load_politicians(path: Path) -> list[Politician]:
    """The council members KB appoints; no file means none. Every problem is reported as
    file:line: field: message, e.g. `politikere/x.yaml:7: [2].rolle: …`."""
    if not path.exists():
        return []
    document = yamlinput.read_yaml(
        path, "da", "navn, parti, rolle og evt. e-mail", "navn, parti, rolle and e-mail", "list"
    )
    entries = yamlinput.validate(PoliticiansFile, document, str(path)).root
    chairs = [number for number, entry in enumerate(entries) if entry.rolle == "formand"]
    if len(chairs) > 1:
        second = (chairs[1], "rolle")
        problem = yamlinput.Problem(
            str(path),
            yamlinput.line_of(document, second),
            yamlinput.format_path(second),
            "der kan kun være én formand",
        )
        raise yamlinput.FileInvalid([problem])
    return [
        Politician(entry.navn, entry.parti, ROLES[entry.rolle], entry.email) for entry in entries
    ]


def politician_problems(mandate: Mandate, politicians: list[Politician]) -> list[str]:
    """How the named politicians differ from the mandate's composition: their number, and a
    chair (and a vice-chair) where the mandate names one."""
    wanted = mandate.sammensætning.politikere
    problems = []
    if len(politicians) != wanted:
        problems.append(
            f"nævner {len(politicians)} politikere, men kommissoriet har {wanted} "
            "politikerpladser (sammensætning.politikere)"
        )
    roles = Counter(politician.role for politician in politicians)
    if wanted and not roles[MemberRole.chair]:
        problems.append("ingen har rolle: formand, men kommissoriet nævner en formand")
    if wanted >= 2 and mandate.sammensætning.næstformand and not roles[MemberRole.vice_chair]:
        problems.append("ingen har rolle: næstformand, men kommissoriet nævner en næstformand")
    if roles[MemberRole.vice_chair] > 1:
        problems.append("der kan kun være én næstformand")
    names = Counter(politician.name.casefold() for politician in politicians)
    problems += [
        f"'{p.name}' står der mere end én gang" for p in politicians if names[p.name.casefold()] > 1
    ][:1]
    return problems


def checked_politicians(path: Path, mandate: Mandate) -> list[Politician]:
    """The politicians file, refused (UserError naming the file) when it is missing though the
    mandate has politicians' seats, or does not match the mandate's composition."""
    if not path.exists():
        if mandate.sammensætning.politikere == 0:
            return []
        raise UserError(
            f"{path} findes ikke – kommissoriet har {mandate.sammensætning.politikere} "
            "politikerpladser; skriv KB's medlemmer i filen (navn, parti, rolle) før udpegningen"
        )
    politicians = load_politicians(path)
    problems = politician_problems(mandate, politicians)
    if problems:
        raise UserError(f"{path}: " + "; ".join(problems))
    return politicians


# --- the appointment ---------------------------------------------------------------------------


def record_appointment(
    session: Session,
    committee: models.Committee,
    meeting_date: date,
    agenda_item: int,
    amendments: list[Amendment],
    politicians: list[Politician],
    flow_run_id: str | None,
    actor: str,
) -> models.Appointment:
    """KB's appointment of the drawn panel (with its amendments): members from the start date.
    Recording it again for the same flow run returns the first appointment."""
    done = _recorded(session, flow_run_id)
    if done:
        return done
    check_meeting_date(session, committee, meeting_date)
    problems = politician_problems(current_mandate(session, committee), politicians)
    if problems:
        raise UserError(
            f"politikere/{committee.slug}.yaml: {'; '.join(problems)} – udpegningen er ikke "
            "registreret, og intet er sendt"
        )
    run = current_run(session, committee)
    if run.status != SelectionStatus.drawn:
        raise UserError(f"Udvælgelse {run.id} for '{committee.slug}' er ikke trukket endnu")
    panel = _amended(run, amendments)
    _add_members(session, committee, panel, politicians)
    run.status = SelectionStatus.appointed
    session.add(run)
    appointment = models.Appointment(
        committee_id=committee.id,  # type: ignore[arg-type]
        selection_run_id=run.id,  # type: ignore[arg-type]
        meeting_date=meeting_date,
        agenda_item=agenda_item,
        amendments=[{"remove": str(a.remove), "add": str(a.add)} for a in amendments],
        flow_run_id=flow_run_id,
    )
    session.add(appointment)
    problems = panel_is_valid(instance_from_json(run.inputs), panel_seats(panel))
    transition(session, committee, CommitteeStatus.appointed, actor, "; ".join(problems) or None)
    audit(
        session,
        committee.id,
        actor,
        "members.appointed",
        run_id=run.id,
        citizens=len(panel),
        politicians=len(politicians),
        target_problems=problems,
    )
    return appointment


def check_meeting_date(session: Session, committee: models.Committee, meeting_date: date) -> None:
    """KB appoints the members after the call has closed: an earlier date is a typing mistake
    (and the letters would tell the applicants they were appointed before they could apply)."""
    last_day = last_day_of_call(session, committee, get_settings())
    if meeting_date <= last_day:
        raise UserError(
            f"KB-mødets dato {meeting_date} ligger ikke efter ansøgningsfristen {last_day} – "
            "udpegningen er ikke registreret, og intet er sendt"
        )


def _recorded(session: Session, flow_run_id: str | None) -> models.Appointment | None:
    if not flow_run_id:
        return None
    query = select(models.Appointment).where(models.Appointment.flow_run_id == flow_run_id)
    return session.exec(query).first()


def _add_members(
    session: Session,
    committee: models.Committee,
    panel: list[dict[str, str]],
    politicians: list[Politician],
) -> None:
    start = current_mandate(session, committee).tidsplan.start
    assert committee.id is not None
    for seat in panel:
        session.add(
            models.Membership(
                committee_id=committee.id,
                applicant_id=int(seat["applicant"]),
                profile_key=seat["profile"],
                start_date=start,
            )
        )
    for politician in politicians:
        session.add(
            models.Membership(
                committee_id=committee.id,
                politician_name=politician.name,
                on_behalf_of=politician.party,
                role=politician.role,
                email=politician.email,
                start_date=start,
            )
        )


def panel_seats(panel: list[dict[str, str]]) -> list[Seat]:
    """A stored panel (`{"applicant": …, "profile": …}` per seat) as the lottery's seats."""
    return [Seat(s["applicant"], s["profile"]) for s in panel]


def _amended(run: models.SelectionRun, amendments: list[Amendment]) -> list[dict[str, str]]:
    """KB may appoint another applicant in a proposed member's place, on the same profile."""
    panel = [dict(seat) for seat in run.panel]
    eligible = {p["id"]: set(p["profiles"]) for p in run.inputs["people"]}
    for change in amendments:
        seat = next((s for s in panel if s["applicant"] == str(change.remove)), None)
        if seat is None:
            raise UserError(f"Ansøger {change.remove} er ikke indstillet og kan ikke udskiftes")
        if seat["profile"] not in eligible.get(str(change.add), set()):
            raise UserError(f"Ansøger {change.add} er ikke egnet til profilen '{seat['profile']}'")
        if any(s["applicant"] == str(change.add) for s in panel):
            raise UserError(f"Ansøger {change.add} er allerede indstillet")
        seat["applicant"] = str(change.add)
    return panel
