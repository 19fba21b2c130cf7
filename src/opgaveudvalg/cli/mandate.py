"""Mandate commands: check the files, render the documents, launch the lifecycle, KB's decision."""

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer

from opgaveudvalg import committee, documents
from opgaveudvalg.cli.common import actor, status_once
from opgaveudvalg.db import session_scope
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.mandate.validation import load_mandate, milestone_warnings
from opgaveudvalg.meetings import plan
from opgaveudvalg.members import appointment
from opgaveudvalg.models import Decision
from opgaveudvalg.settings import get_settings
from opgaveudvalg.yamlinput import Lang

commands = typer.Typer()
mandate_app = typer.Typer(help="Kommissorier.", no_args_is_help=True)
targets_app = typer.Typer(help="Repræsentationsmål.", no_args_is_help=True)

LangOption = Annotated[Lang, typer.Option("--lang", help="da eller en")]


@commands.command()
def validate(files: list[Path], lang: LangOption = "da") -> None:
    """Tjek kommissorie-filer; hver fejl nævner fil, linje og felt. Politikerfilen
    (politikere/<slug>.yaml ved siden af kommissoriet) tjekkes mod sammensætningen, når den
    findes; mangler den, er det en advarsel – den skal først være der, når KB udpeger."""
    failed = 0
    for path in files:
        try:
            mandate = load_mandate(path, lang)
            warn_of_milestones(path, mandate, lang)
            politicians = check_politicians_file(path, mandate, lang)
        except UserError as exc:
            failed += 1
            typer.echo(str(exc), err=True)
            continue
        typer.echo(
            f"{path}: OK – {mandate.titel}, {len(mandate.kompetenceprofiler)} profiler, "
            f"{mandate.sammensætning.borgere} borgerpladser"
            + (f", {politicians} politikere" if politicians is not None else "")
        )
    if failed:
        raise UserError(
            f"{failed} af {len(files)} filer har fejl"
            if lang == "da"
            else f"{failed} of {len(files)} files have errors"
        )


def warn_of_milestones(path: Path, mandate: Mandate, lang: Lang) -> None:
    """A warning for each milestone that falls on none of the meeting days the plan proposes
    (or that the plan cannot be made: it fails later, when the meetings are planned)."""
    label = "advarsel" if lang == "da" else "warning"
    try:
        days = plan.meeting_days(mandate, get_settings())
    except UserError as exc:
        typer.echo(f"{label}: {path}: {exc}", err=True)
        return
    for problem in milestone_warnings(path, mandate, days, lang):
        typer.echo(f"{label}: {problem}", err=True)


def check_politicians_file(path: Path, mandate: Mandate, lang: Lang) -> int | None:
    """The number of politicians in the mandate's politicians file, or None (with a warning)
    when there is none yet though the mandate has politicians' seats."""
    politicians = appointment.politicians_path(path.parent, mandate.slug)
    if politicians.exists() or not mandate.sammensætning.politikere:
        return len(appointment.checked_politicians(politicians, mandate))
    typer.echo(
        f"advarsel: {politicians} findes ikke endnu – skriv KB's medlemmer i den, før KB udpeger"
        if lang == "da"
        else f"warning: {politicians} does not exist yet – list the council members in it "
        "before the appointment",
        err=True,
    )
    return None


@mandate_app.command("render")
def render(
    slug: str,
    lang: LangOption = "da",
    fmt: Annotated[
        Literal["pdf", "html", "md"] | None, typer.Option("--format", help="pdf, html eller md")
    ] = None,
) -> None:
    """Dan kommissoriet som PDF, HTML og Markdown (eller ét format)."""
    settings = get_settings()
    with session_scope() as session:
        files = committee.render_mandate_file(
            session,
            committee.mandate_path(settings.committees_dir, slug),
            settings.municipality,
            settings.output_dir,
            (lang,),
            (fmt,) if fmt else documents.FORMATS,
            date.today(),
        )
    for path in files:
        typer.echo(path)


@commands.command()
def launch(slug: str) -> None:
    """Start udvalgets livsforløb som et flowløb, som en worker kører; kommandoen vender straks
    tilbage. Afvises, hvis udvalget allerede har et aktivt flowløb."""
    settings = get_settings()
    load_mandate(committee.mandate_path(settings.committees_dir, slug), settings.language)
    from opgaveudvalg.orchestration import runs, setup

    setup.use_prefect(settings, server=True)
    run = runs.launch(slug)
    if not runs.worker_online(settings.work_pool):
        typer.echo(
            f"Bemærk: ingen worker i work pool '{settings.work_pool}' svarer – flowløbet starter, "
            "når en kører (`opgaveudvalg worker`)",
            err=True,
        )
    typer.echo(
        f"'{slug}' er startet som flowløb {run.name}: {runs.run_url(settings, run.id)}\n"
        f"En worker kører det (`opgaveudvalg worker`). Giv KB's beslutning i Prefect UI "
        f"eller med `opgaveudvalg approve {slug} …`"
    )


@commands.command()
def approve(
    slug: str,
    decision: Annotated[Decision, typer.Option(help="approved, amend eller rejected")],
    kb_date: Annotated[str, typer.Option(help="Dato for KB-mødet, ÅÅÅÅ-MM-DD")],
    item: Annotated[int, typer.Option(min=1, help="Punkt nr. på KB's dagsorden")],
    sagsnr: Annotated[str, typer.Option(help="Sagsnummer, fx 00.01.00-A00-12-27")],
    note: Annotated[str | None, typer.Option(help="Bemærkning (ingen personoplysninger)")] = None,
) -> None:
    """Giv KB's beslutning om kommissoriet til det ventende flowløb."""
    settings = get_settings()
    try:
        meeting = date.fromisoformat(kb_date)
    except ValueError:
        raise UserError(f"--kb-date: '{kb_date}' er ikke en dato som 2027-01-28") from None
    from opgaveudvalg.orchestration import inputs, runs, setup
    from opgaveudvalg.orchestration.waits import Wait

    setup.use_prefect(settings, server=True)
    given = committee.DecisionInput(decision, meeting, item, sagsnr, note)
    answer = inputs.MandateApproval.of(given)
    run_id = runs.submit_input(slug, answer, Wait.MANDATE_APPROVAL)
    with committee.committee_session(slug) as (session, found):
        committee.audit(
            session,
            found.id,
            actor(),
            "approval.submitted",
            flow_run_id=str(run_id),
            decision=decision.value,
        )
    typer.echo(f"Beslutningen ({decision.value}) er sendt til flowløb {run_id}")
    status = status_once(
        slug,
        lambda session, _: committee.decision_recorded(session, str(run_id)),
        settings.resume_wait_seconds,
    )
    typer.echo(
        f"'{slug}' har nu status: {status}"
        if status
        else "Flowløbet har ikke registreret beslutningen endnu – se `opgaveudvalg committees`"
    )


@targets_app.command("suggest")
def targets_suggest(
    slug: str,
    kommune: Annotated[str, typer.Option(help="Kommunekode, fx 157 for Gentofte")],
    periode: Annotated[
        str | None, typer.Option(help="Kvartal, fx 2025K3 (standard: nyeste)")
    ] = None,
    slack: Annotated[
        int, typer.Option(min=0, help="Ekstra pladser til hver side af det forholdsmæssige")
    ] = 1,
) -> None:
    """Forslag til repræsentationsmål ud fra befolkningen (Danmarks Statistik, FOLK1A)."""
    from opgaveudvalg.mandate import statbank

    settings = get_settings()
    mandate = load_mandate(committee.mandate_path(settings.committees_dir, slug), settings.language)
    bands = (
        statbank.age_bands_from_targets(mandate.repræsentationsmål) or statbank.DEFAULT_AGE_BANDS
    )
    with statbank.StatBankClient(settings.statbank_url) as client:
        population = client.population(kommune, periode)
    shares = statbank.population_shares(population.counts, bands, min_age=min(b[1] for b in bands))
    suggestions = statbank.proportional_targets(shares, mandate.sammensætning.borgere, slack)
    typer.echo(statbank.targets_yaml(suggestions, bands, source=population.source))
