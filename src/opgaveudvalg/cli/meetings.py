"""Meetings commands: the plan, changes, agendas, minutes, invitations and the calendar feeds."""

from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

import typer

from opgaveudvalg import committee, documents
from opgaveudvalg.cli import mail
from opgaveudvalg.cli.common import actor, wake_lifecycle
from opgaveudvalg.errors import UserError
from opgaveudvalg.meetings import agenda, changes, feeds, invitations, minutes, plan
from opgaveudvalg.meetings.documents import write_meeting_document
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.settings import get_settings

meetings_app = typer.Typer(
    help="Møder: plan, ændringer, dagsordener, referater.", no_args_is_help=True
)


def local_datetime(day: str, at: str, option: str) -> datetime:
    try:
        return plan.local(date.fromisoformat(day), time.fromisoformat(at), get_settings().timezone)
    except ValueError:
        raise UserError(
            f"{option}: '{day} {at}' er ikke en dato og et klokkeslæt som 2027-03-02 17:00"
        ) from None


def warn_if_holiday(starts: datetime) -> None:
    """A meeting moved or added onto a public holiday or into a school holiday: allowed, noted."""
    warning = plan.holiday_warning(starts.date(), get_settings().school_holidays)
    if warning:
        typer.echo(f"{warning} – mødet er lagt der alligevel", err=True)


@meetings_app.command("plan")
def meetings_plan(slug: str) -> None:
    """Foreslå møderne ud fra kommissoriets tidsplan (helligdage og skoleferier undgås)."""
    with committee.committee_session(slug) as (session, found):
        planned = plan.plan_meetings(session, found, get_settings(), actor())
    typer.echo(f"{len(planned)} møder planlagt – se `opgaveudvalg meetings list {slug}`")


@meetings_app.command("list")
def meetings_list(slug: str) -> None:
    """Møderne med tid, sted, tilstand og SEQUENCE; advarsler om fravær."""
    settings = get_settings()
    with committee.committee_session(slug) as (session, found):
        rows = [
            (
                x.number,
                documents.local_time(x.starts_at, settings.timezone),
                x.location,
                plan.STATE_NAMES[x.state],
                x.sequence,
                len(x.agenda),
            )
            for x in plan.meetings(session, found)
        ]
        warnings = minutes.attendance_warnings(session, found)
        unreachable = invitations.address_warning(session, found, date.today())
    typer.echo(
        "\n".join(
            documents.text_table(("nr.", "tid", "sted", "tilstand", "sekvens", "punkter"), rows)
        )
    )
    for warning in [*warnings, *([unreachable] if unreachable else [])]:
        typer.echo(f"Advarsel: {warning}")
    wake_lifecycle(slug, Wait.MINUTES)


@meetings_app.command("move")
def meetings_move(
    slug: str,
    number: int,
    day: Annotated[str, typer.Option("--date", help="ÅÅÅÅ-MM-DD")],
    at: Annotated[str, typer.Option("--time", help="TT:MM")],
    location: Annotated[str | None, typer.Option(help="Nyt sted")] = None,
) -> None:
    """Flyt et møde; inviterede medlemmer får en opdatering med samme UID."""
    starts = local_datetime(day, at, "--date/--time")
    with committee.committee_session(slug) as (session, found):
        meeting = changes.move_meeting(session, found, number, starts, actor(), location)
    typer.echo(
        f"Møde {number} flyttet (sekvens {meeting.sequence}); send med `opgaveudvalg meetings invite {slug}`"
    )
    warn_if_holiday(starts)
    wake_lifecycle(slug, Wait.MINUTES)


@meetings_app.command("cancel")
def meetings_cancel(
    slug: str, number: int, reason: Annotated[str, typer.Option(help="Hvorfor")] = changes.NO_REASON
) -> None:
    """Aflys et møde; inviterede medlemmer får en aflysning (METHOD:CANCEL)."""
    with committee.committee_session(slug) as (session, found):
        changes.cancel_meeting(session, found, number, actor(), reason)
    typer.echo(f"Møde {number} aflyst; send med `opgaveudvalg meetings invite {slug}`")
    wake_lifecycle(slug, Wait.MINUTES)


@meetings_app.command("add")
def meetings_add(
    slug: str,
    day: Annotated[str, typer.Option("--date", help="ÅÅÅÅ-MM-DD")],
    at: Annotated[str, typer.Option("--time", help="TT:MM")],
    hours: Annotated[float, typer.Option(min=0.5, max=12)] = 3,
    location: Annotated[
        str | None, typer.Option(help="Sted (standard: indstillingen meeting_location)")
    ] = None,
) -> None:
    """Tilføj et møde."""
    starts = local_datetime(day, at, "--date/--time")
    with committee.committee_session(slug) as (session, found):
        meeting = changes.add_meeting(
            session, found, starts, hours, location or get_settings().meeting_location, actor()
        )
    typer.echo(f"Møde {meeting.number} tilføjet")
    warn_if_holiday(starts)
    wake_lifecycle(slug, Wait.MINUTES)


@meetings_app.command("agenda")
def meetings_agenda(slug: str, number: int, file: Path) -> None:
    """Sæt dagsordenens punkter fra en YAML-fil (ordstyrer, referent og punkter: titel, art,
    indstilling, beskrivelse, bilag, en)."""
    with committee.committee_session(slug) as (session, found):
        meeting = agenda.set_agenda(session, found, number, file, actor())
        files = write_meeting_document(session, found, meeting, get_settings(), minutes=False)
    typer.echo("\n".join(str(f) for f in files))
    wake_lifecycle(slug, Wait.MINUTES)


@meetings_app.command("minutes")
def meetings_minutes(slug: str, number: int, file: Path) -> None:
    """Registrér referatet fra en YAML-fil (beslutninger, drøftelser, fravær) og dan det."""
    with committee.committee_session(slug) as (session, found):
        meeting = minutes.record_minutes(session, found, number, file, actor())
        files = write_meeting_document(session, found, meeting, get_settings(), minutes=True)
        warnings = minutes.attendance_warnings(session, found)
    typer.echo("\n".join(str(f) for f in files))
    for warning in warnings:
        typer.echo(f"Advarsel: {warning}")


@meetings_app.command("invite")
def meetings_invite(
    slug: str,
    dry_run: Annotated[bool, typer.Option(help="Skriv .eml-filer i stedet for at sende")] = False,
) -> None:
    """Læg invitationer, opdateringer og aflysninger i udbakken og send dem."""
    from opgaveudvalg.mail import outbox

    with committee.committee_session(slug) as (session, found):
        queued = invitations.queue_invitations(session, found, get_settings(), date.today())
        unreachable = invitations.address_warning(session, found, date.today())
        committee_id = found.id
    report = outbox.send_pending(committee_id=committee_id, dry_run=dry_run)
    typer.echo(f"{len(queued)} nye beskeder i udbakken")
    if unreachable:
        typer.echo(f"Advarsel: {unreachable}", err=True)
    typer.echo("\n".join(mail.report_lines(report)))


@meetings_app.command("feed")
def meetings_feed(slug: str) -> None:
    """Skriv udvalgets abonnérbare kalender (.ics, METHOD:PUBLISH) til output-mappen."""
    with committee.committee_session(slug) as (session, found):
        path = invitations.write_feed(session, found, get_settings())
    typer.echo(path)


@meetings_app.command("serve-feeds")
def meetings_serve_feeds(
    host: Annotated[str, typer.Option(help="Adresse at lytte på")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8088,
) -> None:
    """Server udvalgenes kalendere (/<slug>.ics), så medlemmer og borgere kan abonnere."""
    server = feeds.feed_server(get_settings().output_dir, host, port)
    typer.echo(f"Kalendere på http://{host}:{port}/<slug>.ics – stop med Ctrl+C")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()
