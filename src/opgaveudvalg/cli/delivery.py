"""Recommendations commands: check and submit the handover, give the standing committee's and
KB's decisions, follow up on each recommendation."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from opgaveudvalg import committee
from opgaveudvalg.cli.common import actor, status_once, wake_lifecycle
from opgaveudvalg.delivery import consultation, decision_file, feedback, followup, handover
from opgaveudvalg.delivery.records import Body, FollowUpStatus
from opgaveudvalg.errors import UserError
from opgaveudvalg.members.roster import members
from opgaveudvalg.orchestration import waits
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.settings import get_settings

recommendations_app = typer.Typer(
    help="Anbefalinger: aflevering, fagudvalgets og KB's beslutninger, opfølgning.",
    no_args_is_help=True,
)


def parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(f"{option}: '{value}' er ikke en dato som 2028-03-01") from None


@recommendations_app.command("check")
def check(slug: str, file: Path) -> None:
    """Tjek afleveringsfilen mod kommissoriets opgaver og medlemmerne (gemmer intet)."""
    with committee.committee_session(slug) as (session, found):
        tasks = committee.current_mandate(session, found).opgaver
        ids = {m.id for m in members(session, found) if m.id is not None}
    content = handover.load_handover(file, tasks, ids)
    typer.echo("\n".join(coverage_lines(content, tasks)))


def coverage_lines(content: handover.HandoverFile, tasks: list[str]) -> list[str]:
    """Which recommendations answer each of the mandate's tasks."""
    lines = [f"{len(content.anbefalinger)} anbefalinger; kommissoriets opgaver:"]
    for number in range(1, len(tasks) + 1):
        answering = [r.nr for r in content.anbefalinger if number in r.opgaver]
        if answering:
            lines.append(f"  opgave {number}: anbefaling {', '.join(map(str, answering))}")
        else:
            lines.append(f"  opgave {number}: ikke besvaret – {content.ubesvarede_opgaver[number]}")
    outside = [r.nr for r in content.anbefalinger if not r.opgaver]
    if outside:
        lines.append(f"uden for opgaverne: anbefaling {', '.join(map(str, outside))}")
    dissent = [r.nr for r in content.anbefalinger if not r.consensus]
    lines.append(f"mindretalsudtalelse: {', '.join(map(str, dissent)) if dissent else 'ingen'}")
    return lines


@recommendations_app.command("submit")
def submit(slug: str, file: Path) -> None:
    """Aflevér anbefalingerne: filen tjekkes, gemmes, og flowløbet skriver rapporten."""
    with committee.committee_session(slug) as (session, found):
        stored = handover.submit_handover(session, found, file, actor())
        content = handover.handover_content(stored)
        tasks = committee.current_mandate(session, found).opgaver
    typer.echo("\n".join(coverage_lines(content, tasks)))
    typer.echo(f"Anbefalingerne er gemt for '{slug}'")
    wake_lifecycle(slug, Wait.HANDOVER)


@recommendations_app.command("decide")
def decide(
    slug: str,
    body: Annotated[str, typer.Option(help="fagudvalg eller kb")],
    file: Path,
) -> None:
    """Giv fagudvalgets eller KB's beslutning om hver anbefaling til det ventende flowløb."""
    try:
        deciding = Body(body)
    except ValueError:
        raise UserError(f"--body: '{body}' – skriv fagudvalg eller kb") from None
    given = decision_file.load_decisions(file, deciding)
    with committee.committee_session(slug) as (session, found):
        if problems := consultation.problems(session, found, given):
            raise UserError(f"{file}: " + "; ".join(problems))
    from opgaveudvalg.orchestration import inputs, runs, setup

    settings = get_settings()
    setup.use_prefect(settings, server=True)
    run_id = runs.submit_input(slug, inputs.ConsultationInput.of(given), waits.FOR_BODY[given.body])
    typer.echo(f"Beslutningen er sendt til flowløb {run_id}")
    status = status_once(
        slug,
        lambda session, found: bool(consultation.decisions(session, found, given.body)),
        settings.resume_wait_seconds,
    )
    typer.echo(
        f"'{slug}' har nu status: {status}"
        if status
        else "Flowløbet har ikke registreret beslutningen endnu – se `opgaveudvalg committees`"
    )


@recommendations_app.command("status")
def status(slug: str) -> None:
    """Hver anbefalings beslutning og status i opfølgningen."""
    with committee.committee_session(slug) as (session, found):
        if not followup.current_statuses(session, found):
            typer.echo(f"'{slug}' har ingen besluttede anbefalinger endnu")
            return
        typer.echo("\n".join(followup.status_table(session, found)))


@recommendations_app.command("follow-up")
def follow_up(
    slug: str,
    number: Annotated[int, typer.Argument(help="Anbefalingens nummer")],
    new_status: Annotated[
        FollowUpStatus, typer.Option("--status", help="besluttet, i-gang, gennemført, opgivet")
    ],
    text: Annotated[str, typer.Option(help="Kort offentlig tekst (ingen personoplysninger)")],
    unit: Annotated[str, typer.Option(help="Den ansvarlige enhed, fx Center for Ejendomme")],
    on: Annotated[str | None, typer.Option(help="Fra dato (standard: i dag)")] = None,
    next_review: Annotated[
        str | None,
        typer.Option("--next", help="Næste opfølgningsdato: sekretariatet mindes om den"),
    ] = None,
) -> None:
    """Sæt en anbefalings status; alle, der deltog, får besked."""
    settings = get_settings()
    since = parse_date(on, "--on") if on else date.today()
    review = parse_date(next_review, "--next") if next_review else None
    with committee.committee_session(slug) as (session, found):
        row = followup.record_status(
            session, found, number, new_status, since, text, unit, review, actor()
        )
        letters = feedback.queue_status_letters(session, found, row, settings)
    typer.echo(
        f"Anbefaling {number}: {new_status.value} fra {since}; {len(letters)} breve i udbakken"
    )
    wake_or_launch(slug)


def wake_or_launch(slug: str) -> None:
    """The committee's run sends the letters and keeps the follow-up dates: wake it, or start
    one if it has ended."""
    from opgaveudvalg.orchestration import runs, setup

    setup.use_prefect(get_settings(), server=True)
    if woken := runs.wake(slug, Wait.FOLLOW_UP):
        typer.echo(f"Flowløb {woken} sender brevene")
    elif runs.active_lifecycle(slug) is None:
        typer.echo(f"Flowløb {runs.launch(slug).name} sender brevene")
