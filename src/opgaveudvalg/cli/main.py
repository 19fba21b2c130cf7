"""The `opgaveudvalg` command. Prefect is imported only inside the commands that need it,
after its environment (home folder, server address) is set from our settings."""

import getpass
import os
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from datetime import time as time_of_day
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse

import typer

from opgaveudvalg import committee, documents
from opgaveudvalg.db import engine_for, session_scope, upgrade
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import load_mandate
from opgaveudvalg.meetings import agenda, changes, feeds, invitations, minutes, plan
from opgaveudvalg.meetings.documents import write_meeting_document
from opgaveudvalg.models import Decision
from opgaveudvalg.settings import PROJECT_ROOT, Settings, get_settings
from opgaveudvalg.yamlinput import Lang

app = typer.Typer(
    help="Opgaveudvalg: kommissorium, rekruttering, udvælgelse og møder.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
mandate_app = typer.Typer(help="Kommissorier.", no_args_is_help=True)
db_app = typer.Typer(help="App-databasen.", no_args_is_help=True)
applications_app = typer.Typer(help="Ansøgninger.", no_args_is_help=True)
recruitment_app = typer.Typer(help="Rekruttering.", no_args_is_help=True)
selection_app = typer.Typer(help="Udvælgelse og lodtrækning.", no_args_is_help=True)
members_app = typer.Typer(help="Medlemmer.", no_args_is_help=True)
targets_app = typer.Typer(help="Repræsentationsmål.", no_args_is_help=True)
meetings_app = typer.Typer(
    help="Møder: plan, ændringer, dagsordener, referater.", no_args_is_help=True
)
outbox_app = typer.Typer(help="Udbakken: e-mails og kalenderinvitationer.", no_args_is_help=True)
app.add_typer(meetings_app, name="meetings")
app.add_typer(outbox_app, name="outbox")
app.add_typer(selection_app, name="selection")
app.add_typer(members_app, name="members")
app.add_typer(targets_app, name="targets")
app.add_typer(applications_app, name="applications")
app.add_typer(recruitment_app, name="recruitment")
app.add_typer(mandate_app, name="mandate")
app.add_typer(db_app, name="db")

LangOption = Annotated[Lang, typer.Option("--lang", help="da eller en")]


def use_prefect(settings: Settings, server: bool) -> None:
    """Point Prefect at our home folder and, for `server`, at the long-running local server."""
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(settings.prefect_home)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    # The first start builds Prefect's database, which can take a minute on a small machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    if server:
        os.environ["PREFECT_API_URL"] = settings.prefect_api_url
        from opgaveudvalg.orchestration import check_server

        check_server(settings.prefect_api_url)
    else:
        os.environ.pop("PREFECT_API_URL", None)


def actor() -> str:
    return f"cli:{getpass.getuser()}"


@app.command()
def validate(files: list[Path], lang: LangOption = "da") -> None:
    """Tjek kommissorie-filer; hver fejl nævner fil, linje og felt."""
    failed = 0
    for path in files:
        try:
            mandate = load_mandate(path, lang)
        except UserError as exc:
            failed += 1
            typer.echo(str(exc), err=True)
            continue
        typer.echo(
            f"{path}: OK – {mandate.titel}, {len(mandate.kompetenceprofiler)} profiler, "
            f"{mandate.sammensætning.borgere} borgerpladser"
        )
    if failed:
        raise UserError(
            f"{failed} af {len(files)} filer har fejl"
            if lang == "da"
            else f"{failed} of {len(files)} files have errors"
        )


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


@app.command()
def launch(slug: str) -> None:
    """Start udvalgets livsforløb; flowet venter på KB's godkendelse af kommissoriet."""
    settings = get_settings()
    load_mandate(committee.mandate_path(settings.committees_dir, slug), settings.language)
    use_prefect(settings, server=True)
    from flows.lifecycle import lifecycle_flow
    from opgaveudvalg.orchestration import find_waiting_run

    waiting = find_waiting_run(slug)
    if waiting is not None:
        raise UserError(f"'{slug}' kører allerede og venter i flowløb {waiting}")
    typer.echo(
        f"Starter '{slug}'. Godkend i Prefect UI ({settings.prefect_api_url.removesuffix('/api')}) "
        f"eller med `opgaveudvalg approve {slug} …`"
    )
    status = lifecycle_flow(slug=slug)
    typer.echo(f"'{slug}' har nu status: {status}")


@app.command()
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
    use_prefect(settings, server=True)
    from opgaveudvalg.orchestration import submit_approval

    given = committee.DecisionInput(decision, meeting, item, sagsnr, note)
    run_id = submit_approval(slug, given)
    with session_scope() as session:
        committee.audit(
            session,
            committee.get_committee(session, slug).id,
            actor(),
            "approval.submitted",
            flow_run_id=str(run_id),
            decision=decision.value,
        )
    typer.echo(f"Beslutningen ({decision.value}) er sendt til flowløb {run_id}")
    status = wait_for_recorded_decision(slug, str(run_id), settings.approval_poll_seconds * 3)
    typer.echo(
        f"'{slug}' har nu status: {status}"
        if status
        else "Flowløbet har ikke registreret beslutningen endnu – se `opgaveudvalg committees`"
    )


def wait_for_recorded_decision(slug: str, flow_run_id: str, seconds: int) -> str | None:
    """The committee's status once the resumed flow run has recorded the decision."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with session_scope() as session:
            if committee.decision_recorded(session, flow_run_id):
                return committee.get_committee(session, slug).status.value
        time.sleep(1)
    return None


@app.command("committees")
def list_committees() -> None:
    """Oversigt: slug, titel, status, seneste ændring."""
    settings = get_settings()
    with session_scope() as session:
        rows = [
            (c.slug, c.title, c.status.value, documents.local_time(c.updated_at, settings.timezone))
            for c in committee.list_committees(session)
        ]
    if not rows:
        typer.echo("Ingen udvalg endnu – start et med `opgaveudvalg launch SLUG`")
        return
    typer.echo(
        "\n".join(documents.text_table(("slug", "titel", "status", "seneste ændring"), rows))
    )


@applications_app.command("import")
def import_applications(slug: str, file: Path) -> None:
    """Importér en eksport (CSV, XLSX eller JSON) fra formularværktøjet som sit eget flowløb."""
    settings = get_settings()
    use_prefect(settings, server=True)
    from flows.recruitment import import_applications_flow

    counts = import_applications_flow(slug=slug, file=str(file.resolve()))
    typer.echo(import_summary(counts))


def import_summary(counts: dict[str, int]) -> str:
    return (
        f"{counts['rows']} rækker: {counts['inserted']} nye ansøgere, "
        f"{counts['updated']} opdaterede, {counts['unchanged']} uændrede; "
        f"{counts['rejected']} afviste rækker; {counts['repeated']} rækker erstattet af en "
        f"senere række med samme e-mail; {counts['flagged']} mulige dubletter til vurdering"
    )


@recruitment_app.command("status")
def recruitment_status(slug: str) -> None:
    """Ansøgere pr. profil og pr. repræsentationsmål, afviste rækker og advarsler."""
    from opgaveudvalg.recruitment import status

    with committee.committee_session(slug) as (session, found):
        typer.echo(status.recruitment_status(session, found, get_settings()).report())


@recruitment_app.command("close")
def recruitment_close(slug: str) -> None:
    """Luk opslaget før fristen; rekrutteringsflowet går derefter videre til udvælgelse."""
    from opgaveudvalg.recruitment import call

    with committee.committee_session(slug) as (session, found):
        call.request_close(session, found, actor())
    typer.echo(f"Opslaget for '{slug}' lukkes; flowet går videre til udvælgelse")


@selection_app.command("check")
def selection_check(slug: str) -> None:
    """Kan der sammensættes et udvalg? Ellers: hvilke mål strider mod hinanden, og mindste lempelse."""
    from opgaveudvalg.selection import runs as selection

    with session_scope() as session:
        instance = selection.check_feasible(session, committee.get_committee(session, slug))
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
    from opgaveudvalg.selection import lottery as sortition
    from opgaveudvalg.selection import runs as selection

    try:
        chosen = sortition.Method(method)
    except ValueError:
        raise UserError(f"--method: '{method}' er ikke leximin, maximin eller uniform") from None
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        run = selection.compute_selection(
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
    from opgaveudvalg.selection import reports as selection_documents
    from opgaveudvalg.selection import runs as selection

    with session_scope() as session:
        run = selection.current_run(session, committee.get_committee(session, slug))
        rows = selection_documents.summary_rows(session, run)
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
    use_prefect(get_settings(), server=True)
    from opgaveudvalg.orchestration import PUBLIC_DRAW, PublicDraw, submit_input

    run_id = submit_input(slug, PublicDraw(public_number=number), PUBLIC_DRAW)
    typer.echo(f"Tallet {number} er sendt til flowløb {run_id}")


@selection_app.command("verify")
def selection_verify(run: int) -> None:
    """Genberegn udvælgelse RUN fra de gemte input og frøet, og sig om panelet stemmer."""
    from opgaveudvalg.selection import runs as selection

    with session_scope() as session:
        result = selection.verify(session, run)
    typer.echo(result.report())
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def appoint(
    slug: str,
    kb_date: Annotated[str, typer.Option(help="Dato for KB-mødet, ÅÅÅÅ-MM-DD")],
    item: Annotated[int, typer.Option(min=1, help="Punkt nr. på KB's dagsorden")],
    replace: Annotated[
        list[str] | None,
        typer.Option(help="KB udpeger en anden: INDSTILLET:UDPEGET (ansøger-ID'er)"),
    ] = None,
) -> None:
    """Giv KB's udpegning af medlemmerne til det ventende flowløb (politikere fra config/committees/politikere/)."""
    try:
        meeting = date.fromisoformat(kb_date)
        changes = [tuple(int(x) for x in pair.split(":")) for pair in replace or []]
    except ValueError:
        raise UserError(
            "--kb-date skal være en dato som 2027-02-25 og --replace som 12:34"
        ) from None
    use_prefect(get_settings(), server=True)
    from opgaveudvalg.orchestration import (
        APPOINTMENT,
        AmendmentInput,
        AppointmentInput,
        submit_input,
    )

    answer = AppointmentInput(
        kb_meeting_date=meeting,
        agenda_item=item,
        amendments=[AmendmentInput(remove=a, add=b) for a, b in changes],
    )
    run_id = submit_input(slug, answer, APPOINTMENT)
    typer.echo(f"Udpegningen er sendt til flowløb {run_id}")


@members_app.command("list")
def members_list(slug: str) -> None:
    """Udvalgets medlemmer: borgere (profil) og politikere (parti, rolle)."""
    from opgaveudvalg import models
    from opgaveudvalg.members import roster

    with session_scope() as session:
        found = committee.get_committee(session, slug)
        rows = []
        for m in roster.members(session, found):
            person = session.get(models.Applicant, m.applicant_id) if m.applicant_id else None
            name = person.name if person else m.politician_name
            seat = m.profile_key or m.on_behalf_of or ""
            until = m.end_date.isoformat() if m.end_date else ""
            rows.append(
                (m.applicant_id or "", name, seat, m.role.value, m.start_date.isoformat(), until)
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

    with session_scope() as session:
        found = committee.get_committee(session, slug)
        successor = invitations.hand_over_seat(
            session, found, person, date.today(), reason, actor(), get_settings()
        )
        typer.echo(
            f"Ansøger {successor.applicant_id} overtager pladsen '{successor.profile_key}' fra {successor.start_date}"
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


def local_datetime(day: str, at: str, option: str) -> datetime:
    try:
        return plan.local(
            date.fromisoformat(day), time_of_day.fromisoformat(at), get_settings().timezone
        )
    except ValueError:
        raise UserError(
            f"{option}: '{day} {at}' er ikke en dato og et klokkeslæt som 2027-03-02 17:00"
        ) from None


@meetings_app.command("plan")
def meetings_plan(slug: str) -> None:
    """Foreslå møderne ud fra kommissoriets tidsplan (helligdage og skoleferier undgås)."""
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        planned = plan.plan_meetings(session, found, get_settings(), actor())
    typer.echo(f"{len(planned)} møder planlagt – se `opgaveudvalg meetings list {slug}`")


@meetings_app.command("list")
def meetings_list(slug: str) -> None:
    """Møderne med tid, sted, tilstand og SEQUENCE; advarsler om fravær."""
    settings = get_settings()
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        rows = [
            (
                x.number,
                documents.local_time(x.starts_at, settings.timezone),
                x.location,
                x.state.value,
                x.sequence,
                len(x.agenda),
            )
            for x in plan.meetings(session, found)
        ]
        warnings = minutes.attendance_warnings(session, found)
    typer.echo(
        "\n".join(
            documents.text_table(("nr.", "tid", "sted", "tilstand", "sekvens", "punkter"), rows)
        )
    )
    for warning in warnings:
        typer.echo(f"Advarsel: {warning}")


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
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        meeting = changes.move_meeting(session, found, number, starts, actor(), location)
    typer.echo(
        f"Møde {number} flyttet (sekvens {meeting.sequence}); send med `opgaveudvalg meetings invite {slug}`"
    )


@meetings_app.command("cancel")
def meetings_cancel(
    slug: str, number: int, reason: Annotated[str, typer.Option(help="Hvorfor")] = "aflyst"
) -> None:
    """Aflys et møde; inviterede medlemmer får en aflysning (METHOD:CANCEL)."""
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        changes.cancel_meeting(session, found, number, actor(), reason)
    typer.echo(f"Møde {number} aflyst; send med `opgaveudvalg meetings invite {slug}`")


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
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        meeting = changes.add_meeting(
            session, found, starts, hours, location or get_settings().meeting_location, actor()
        )
    typer.echo(f"Møde {meeting.number} tilføjet")


@meetings_app.command("agenda")
def meetings_agenda(slug: str, number: int, file: Path) -> None:
    """Sæt dagsordenens punkter fra en YAML-fil (punkter: titel, indstilling, beskrivelse, bilag)."""
    with session_scope() as session:
        found = committee.get_committee(session, slug)
        meeting = agenda.set_agenda(session, found, number, file, actor())
        files = write_meeting_document(session, found, meeting, get_settings(), minutes=False)
    typer.echo("\n".join(str(f) for f in files))


@meetings_app.command("minutes")
def meetings_minutes(slug: str, number: int, file: Path) -> None:
    """Registrér referatet fra en YAML-fil (beslutninger, drøftelser, fravær) og dan det."""
    with session_scope() as session:
        found = committee.get_committee(session, slug)
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

    with session_scope() as session:
        found = committee.get_committee(session, slug)
        queued = invitations.queue_invitations(session, found, get_settings(), date.today())
        committee_id = found.id
    report = outbox.send_pending(committee_id=committee_id, dry_run=dry_run)
    typer.echo(f"{len(queued)} nye beskeder i udbakken; {report.counts()}")


@meetings_app.command("feed")
def meetings_feed(slug: str) -> None:
    """Skriv udvalgets abonnérbare kalender (.ics, METHOD:PUBLISH) til output-mappen."""
    with session_scope() as session:
        found = committee.get_committee(session, slug)
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


@outbox_app.command("send")
def outbox_send(
    dry_run: Annotated[bool, typer.Option(help="Skriv .eml-filer i stedet for at sende")] = False,
) -> None:
    """Send alle ventende beskeder (gentagne forsøg sender aldrig det samme to gange)."""
    from opgaveudvalg.mail import outbox

    report = outbox.send_pending(dry_run=dry_run)
    typer.echo(str(report.counts()))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Opgradér app-databasens skema til nyeste version."""
    upgrade(engine_for(get_settings().database_url))
    typer.echo("Databasen er opdateret")


@app.command()
def server() -> None:
    """Start den lokale Prefect-server (UI og API), som CLI og flows deler."""
    settings = get_settings()
    use_prefect(settings, server=False)
    os.environ["PREFECT_UI_API_URL"] = settings.prefect_api_url  # else the UI calls port 4200
    address = urlparse(settings.prefect_api_url)
    typer.echo(f"Prefect UI: {settings.prefect_api_url.removesuffix('/api')}")
    raise typer.Exit(
        subprocess.call(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                address.hostname or "127.0.0.1",
                "--port",
                str(address.port or 4200),
            ]
        )
    )


@app.command()
def demo() -> None:
    """Kør eksempeludvalgene gennem livsforløbet med Prefects midlertidige server."""
    demo_dir = PROJECT_ROOT / "var" / "demo"
    shutil.rmtree(demo_dir, ignore_errors=True)  # the demo starts from a fresh database each time
    os.environ.update(
        {
            "OPGAVEUDVALG_DATABASE_URL": f"sqlite:///{demo_dir / 'opgaveudvalg.db'}",
            "OPGAVEUDVALG_OUTPUT_DIR": str(demo_dir / "output"),
            "OPGAVEUDVALG_EML_DIR": str(demo_dir / "outbox"),
            "OPGAVEUDVALG_MAIL_DRY_RUN": "true",
            "OPGAVEUDVALG_APPROVAL_POLL_SECONDS": "1",
        }
    )
    get_settings.cache_clear()
    settings = get_settings()
    use_prefect(settings, server=False)
    from demo.lifecycle import run_demo

    run_demo(settings)


def main() -> None:
    try:
        get_settings()
        app()
    except UserError as exc:
        typer.echo(f"fejl: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
