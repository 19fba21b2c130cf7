"""Selection commands: can a panel be formed, the lottery, the public draw, verification."""

from typing import Annotated

import typer

from opgaveudvalg import committee, documents
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.selection.model import Method
from opgaveudvalg.settings import get_settings

selection_app = typer.Typer(help="Udvælgelse og lodtrækning.", no_args_is_help=True)


@selection_app.command("check")
def selection_check(slug: str) -> None:
    """Kan der sammensættes et udvalg? Ellers: hvilke mål strider mod hinanden, og mindste lempelse."""
    from opgaveudvalg.selection import runs

    with committee.committee_session(slug) as (session, found):
        instance = runs.check_feasible(session, found)
    typer.echo(f"'{slug}': {len(instance.people)} egnede ansøgere; et udvalg kan sammensættes")


@selection_app.command("compute")
def selection_compute(
    slug: str,
    method: Annotated[
        str, typer.Option(help="leximin (standard), maximin eller uniform")
    ] = "leximin",
    fixed: Annotated[
        list[int] | None,
        typer.Option("--fast", help="Ansøger-ID, der skal være med (fx genudpeget)"),
    ] = None,
    excluded: Annotated[
        list[int] | None, typer.Option("--udeluk", help="Ansøger-ID, der ikke kan udvælges")
    ] = None,
) -> None:
    """Beregn lodtrækningen igen før trækningen; den erstatter den ventende beregning."""
    from opgaveudvalg.selection import runs

    try:
        chosen = Method(method)
    except ValueError:
        raise UserError(f"--method: '{method}' er ikke leximin, maximin eller uniform") from None
    with committee.committee_session(slug) as (session, found):
        run = runs.compute_selection(
            session,
            found,
            chosen,
            frozenset(str(i) for i in fixed or []),
            frozenset(str(i) for i in excluded or []),
        )
        minimum = min(run.probabilities.values())
    typer.echo(f"Udvælgelse {run.id} ({chosen.value}): mindste sandsynlighed {minimum:.2%}")


@selection_app.command("show")
def selection_show(slug: str) -> None:
    """Udvælgelsens offentlige tal: metode, frø, mål mod opnået, sandsynligheder."""
    from opgaveudvalg.selection import reports, runs

    with committee.committee_session(slug) as (session, found):
        run = runs.current_run(session, found)
        rows = reports.summary_rows(session, run)
    typer.echo(f"Udvælgelse {run.id} ({run.status.value})")
    typer.echo(
        "\n".join(documents.text_table(("emne", "værdi"), [tuple(r.values()) for r in rows]))
    )


@selection_app.command("draw")
def selection_draw(
    slug: str,
    number: Annotated[int, typer.Argument(min=0, help="Tallet trukket på det offentlige møde")],
) -> None:
    """Giv det offentligt trukne tal til det ventende flowløb; panelet trækkes med det."""
    from opgaveudvalg.orchestration import inputs, runs, setup
    from opgaveudvalg.orchestration.waits import Wait

    setup.use_prefect(get_settings(), server=True)
    answer = inputs.PublicDraw(public_number=number)
    run_id = runs.submit_input(slug, answer, Wait.PUBLIC_DRAW)
    typer.echo(f"Tallet {number} er sendt til flowløb {run_id}")


@selection_app.command("verify")
def selection_verify(run: int) -> None:
    """Genberegn udvælgelse RUN fra de gemte input og frøet, og sig om panelet stemmer."""
    from opgaveudvalg.selection import runs

    with session_scope() as session:
        result = runs.verify(session, run)
    typer.echo(result.report())
    if not result.ok:
        raise typer.Exit(1)
