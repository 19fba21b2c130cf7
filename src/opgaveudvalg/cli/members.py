"""Members commands: KB's appointment, the list of members, filling a seat from the reserves."""

from datetime import date
from typing import Annotated

import typer

from opgaveudvalg import committee, documents
from opgaveudvalg.cli.common import actor
from opgaveudvalg.errors import UserError
from opgaveudvalg.meetings import invitations
from opgaveudvalg.members import appointment, roster
from opgaveudvalg.settings import get_settings

commands = typer.Typer()
members_app = typer.Typer(help="Medlemmer.", no_args_is_help=True)


@commands.command()
def appoint(
    slug: str,
    kb_date: Annotated[str, typer.Option(help="Dato for KB-mødet, ÅÅÅÅ-MM-DD")],
    item: Annotated[int, typer.Option(min=1, help="Punkt nr. på KB's dagsorden")],
    replace: Annotated[
        list[str] | None,
        typer.Option(help="KB udpeger en anden: INDSTILLET:UDPEGET (ansøger-ID'er)"),
    ] = None,
) -> None:
    """Giv KB's udpegning af medlemmerne til det ventende flowløb (politikere fra
    config/committees/politikere/). Afvises, før noget sendes, hvis politikerfilen mangler eller
    ikke passer med kommissoriets sammensætning."""
    try:
        meeting = date.fromisoformat(kb_date)
        changes = [tuple(int(x) for x in pair.split(":")) for pair in replace or []]
    except ValueError:
        raise UserError(
            "--kb-date skal være en dato som 2027-02-25 og --replace som 12:34"
        ) from None
    settings = get_settings()
    with committee.committee_session(slug) as (session, found):
        mandate = committee.current_mandate(session, found)
        appointment.check_meeting_date(session, found, meeting)
    appointment.checked_politicians(
        appointment.politicians_path(settings.committees_dir, slug), mandate
    )
    from opgaveudvalg.orchestration import inputs, runs, setup
    from opgaveudvalg.orchestration.waits import Wait

    setup.use_prefect(settings, server=True)
    answer = inputs.AppointmentInput(
        kb_meeting_date=meeting,
        agenda_item=item,
        amendments=[inputs.AmendmentInput(remove=a, add=b) for a, b in changes],
    )
    run_id = runs.submit_input(slug, answer, Wait.APPOINTMENT)
    typer.echo(f"Udpegningen er sendt til flowløb {run_id}")


@members_app.command("list")
def members_list(slug: str) -> None:
    """Udvalgets medlemmer: borgere (profil) og politikere (parti, rolle)."""
    from opgaveudvalg import models

    with committee.committee_session(slug) as (session, found):
        rows = []
        for m in roster.members(session, found):
            person = session.get(models.Applicant, m.applicant_id) if m.applicant_id else None
            name = person.name if person else m.politician_name
            seat = m.profile_key or m.on_behalf_of or ""
            until = m.end_date.isoformat() if m.end_date else ""
            rows.append(
                (
                    m.applicant_id or "",
                    name,
                    seat,
                    appointment.ROLE_NAMES[m.role],
                    m.start_date.isoformat(),
                    until,
                )
            )
    typer.echo(
        "\n".join(documents.text_table(("ID", "navn", "plads/parti", "rolle", "fra", "til"), rows))
    )


@members_app.command("replace")
def members_replace(
    slug: str,
    person: Annotated[int, typer.Argument(help="Ansøger-ID på medlemmet, der træder ud")],
    reason: Annotated[
        str, typer.Option(help="Hvorfor (ingen helbreds- eller andre følsomme oplysninger)")
    ] = "udtrådt",
) -> None:
    """Fyld en ledig borgerplads fra reservelisten, så profil og mål stadig holder."""
    with committee.committee_session(slug) as (session, found):
        successor = invitations.hand_over_seat(
            session, found, person, date.today(), reason, actor(), get_settings()
        )
        typer.echo(
            f"Ansøger {successor.applicant_id} overtager pladsen '{successor.profile_key}' fra {successor.start_date}"
        )
