"""The README's main job: the example committees through the lifecycle on a fresh demo database.

The demo plays the people around the flow, through the same functions as the CLI: KB approves
the mandate, the secretariat imports an export of ~150 applications (some of them bad) and
closes the call.
"""

import json
import threading
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from uuid import UUID

from prefect.input import RunInput
from sqlmodel import Session

from demo import delivery
from demo.applicants import write_demo_pool
from demo.runs import await_end, await_wait, committee_status, now
from opgaveudvalg import committee, documents
from opgaveudvalg.db import session_scope
from opgaveudvalg.delivery import followup
from opgaveudvalg.mandate.validation import load_mandate
from opgaveudvalg.meetings import agenda, changes, minutes, plan
from opgaveudvalg.members import appointment, letters, roster
from opgaveudvalg.models import Committee, Decision, ImportBatch, MeetingState
from opgaveudvalg.orchestration import imports, portfolio, runs
from opgaveudvalg.orchestration.inputs import AppointmentInput, MandateApproval, PublicDraw
from opgaveudvalg.orchestration.waits import Wait
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.recruitment import call, status
from opgaveudvalg.retention import schedule
from opgaveudvalg.selection import instance, reports
from opgaveudvalg.selection import runs as selection_runs
from opgaveudvalg.settings import Settings

DEMO_ACTOR = "demo"


def secretariat_recruits(slug: str, settings: Settings) -> ImportBatch:
    """The secretariat's part of recruitment: import the form export (a run of the import
    deployment, as `opgaveudvalg applications import`), then close the call."""
    batch = import_demo_export(slug, settings)
    with committee.committee_session(slug) as (session, found):
        call.request_close(session, found, DEMO_ACTOR)
    runs.wake(slug, Wait.CALL_CLOSE)
    return batch


def import_demo_export(slug: str, settings: Settings) -> ImportBatch:
    """A run of the import deployment, as `opgaveudvalg applications import` starts it."""
    return imports.import_file(slug, demo_export(slug, settings))


def run_committee(
    slug: str,
    given: committee.DecisionInput,
    while_recruiting: Callable[[], object] | None = None,
    later: Sequence[tuple[str, RunInput]] = (),
    in_session: Callable[[UUID], object] | None = None,
    timeout: float = 600,
) -> str:
    """Launch the lifecycle of `slug` (a worker runs it) and play the people around it: KB's
    decision; once the call is open `while_recruiting` (which must end by closing the call);
    each later wait (key, input) in turn — e.g. the public draw and the appointment — and then
    `in_session` (which must end the meetings). Returns the committee's final status."""
    started = now()
    run_id = runs.launch(slug).id
    if await_wait(slug, Wait.MANDATE_APPROVAL, run_id, timeout, started):
        runs.submit_input(slug, MandateApproval.of(given), Wait.MANDATE_APPROVAL)
    if while_recruiting and await_wait(slug, Wait.CALL_CLOSE, run_id, timeout, started):
        while_recruiting()
    for wait, answer in later:
        if await_wait(slug, wait, run_id, timeout, started):
            runs.submit_input(slug, answer, wait)
    if in_session:
        in_session(run_id)
    return await_end(slug, run_id, timeout)


def secretariat_holds_meetings(
    slug: str, settings: Settings, run_id: UUID, timeout: float = 600
) -> None:
    """The secretariat's part of the meetings: the agendas' own items, one meeting moved and
    one cancelled after the invitations went out, and the minutes of each meeting once its
    agenda has been sent — written as YAML files and recorded like `opgaveudvalg meetings`,
    each change waking the run as the commands do."""
    folder = settings.output_dir.parent / "moeder" / slug
    folder.mkdir(parents=True, exist_ok=True)
    if not await_wait(slug, f"{Wait.MINUTES}-1", run_id, timeout, now() - timedelta(days=1)):
        return
    with committee.committee_session(slug) as (session, found):
        mandate = committee.current_mandate(session, found)
        numbers = [m.number for m in plan.meetings(session, found)]
        for number in numbers:
            path = folder / f"dagsorden-{number}.yaml"
            path.write_text(demo_agenda(slug, mandate.opgaver, number), encoding="utf-8")
            agenda.set_agenda(session, found, number, path, DEMO_ACTOR)
    change_plan(slug, numbers)
    woken = now()
    runs.wake(slug, Wait.MINUTES)  # the first agenda again, with its items, and the changes
    for number in numbers:
        if not meeting_open(slug, number):
            continue
        if not await_wait(slug, f"{Wait.MINUTES}-{number}-", run_id, timeout, woken):
            return
        path = folder / f"referat-{number}.yaml"
        path.write_text(demo_minutes(slug, number), encoding="utf-8")
        with committee.committee_session(slug) as (session, found):
            minutes.record_minutes(session, found, number, path, DEMO_ACTOR)
        woken = now()
        runs.wake(slug, Wait.MINUTES)


def meeting_open(slug: str, number: int) -> bool:
    with committee.committee_session(slug) as (session, found):
        return plan.get_meeting(session, found, number).state != MeetingState.cancelled


def change_plan(slug: str, numbers: list[int]) -> None:
    """After the first invitations: meeting 3 moves a week, the last but one is cancelled."""
    with committee.committee_session(slug) as (session, found):
        third = plan.get_meeting(session, found, 3)
        later = third.starts_at + timedelta(days=7)
        changes.move_meeting(session, found, 3, later, DEMO_ACTOR)
        changes.cancel_meeting(session, found, numbers[-2], DEMO_ACTOR, "sammenlagt med næste møde")


AGENDA_TITLES = {
    "ny-svoemmehal": [
        ("Vision for svømmehallen", "A vision for the swimming hall"),
        ("Brugernes behov for vand og faciliteter", "What users need: water and facilities"),
        ("De tre mulige placeringer", "The three possible sites"),
        ("Retfærdig fordeling af bassintider", "Sharing pool time fairly"),
        ("En hal, der er tilgængelig for alle", "A hall open to everyone"),
        ("Bæredygtigt byggeri og drift", "Sustainable building and running"),
    ],
    "fn-verdensmaal": [
        ("Hvilke verdensmål prioriterer vi?", "Which Global Goals do we prioritise?"),
        ("Lokale ambitioner frem mod 2030", "Local ambitions towards 2030"),
        (
            "Borgere, foreninger og virksomheder som medspillere",
            "Citizens, clubs and businesses as partners",
        ),
        (
            "Verdensmålene i kommunens egne beslutninger",
            "The Global Goals in the council's own decisions",
        ),
        ("Idéer, vi afprøver i praksis", "Ideas we try out in practice"),
        ("Børn og unges perspektiv", "The perspective of children and young people"),
    ],
}
"""A short title per task of each example mandate (Danish, English): an agenda item is named
by a short title, and the task it works on is its description."""


def demo_agenda(slug: str, tasks: list[str], number: int) -> str:
    """Meeting `number`'s own item: the next task of the mandate, for discussion."""
    index = (number - 1) % len(tasks)
    title, english = AGENDA_TITLES[slug][index]
    item = {
        "titel": title,
        "art": "drøftelse",
        "indstilling": "Det indstilles, at udvalget drøfter opgaven og peger på de vigtigste anbefalinger.",
        "beskrivelse": f"Kommissoriets opgave {index + 1}: {tasks[index]}",
        "bilag": [f"Oplæg fra administrationen til møde {number}.pdf"],
        "en": {"titel": english},
    }
    return json.dumps({"punkter": [item]}, ensure_ascii=False, indent=2)  # JSON is YAML


def demo_minutes(slug: str, number: int) -> str:
    """The items that ask for a decision approved, the discussion of the meeting's own item;
    at meeting 2 one citizen is absent with notice."""
    with committee.committee_session(slug) as (session, found):
        meeting = plan.get_meeting(session, found, number)
        seated = [m for m in roster.members(session, found) if m.applicant_id]
        kinds = [item.get("art") for item in meeting.agenda]
    decisions = "".join(
        f"  {n}: Godkendt\n" for n, kind in enumerate(kinds, start=1) if kind == "beslutning"
    )
    absent = f"fravær:\n  - {{medlem: {seated[0].id}, afbud: true}}\n" if number == 2 else ""
    return (
        f"beslutninger:\n{decisions}"
        f"drøftelser:\n  {len(kinds) - 1}: Udvalget drøftede opgaven i grupper og samlede op i plenum.\n"
        f"{absent}"
    )


def demo_export(slug: str, settings: Settings) -> Path:
    """A seeded form-tool export of ~150 applications with some deliberately bad rows."""
    with session_scope() as session:
        mandate = committee.current_mandate(session, committee.get_committee(session, slug))
    path = settings.output_dir.parent / "eksporter" / f"{slug}-ansoegninger.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_demo_pool(mandate, path, postcodes=settings.postcodes, start=mandate.tidsplan.start)
    return path


def selection_report(session: Session, found: Committee, settings: Settings) -> str:
    """The public selection figures, where the reports and letters are, and the members."""
    run = selection_runs.current_run(session, found)
    files = CommitteeFiles.of(settings.output_dir, found.slug)
    rows = [tuple(row.values()) for row in reports.summary_rows(session, run)]
    lines = [f"Udvælgelse {run.id} ({run.status.value}):"]
    lines += documents.text_table(("emne", "værdi"), rows)
    lines.append(f"rapporter: {files.selection_report(run.id or 0, 'offentlig', 'da')}")
    queued = letters.letter_counts(session, found)
    lines.append(f"beskeder i udbakken: {queued} ({files.letters()})")
    lines.append("Medlemmer udpeget af KB:")
    labels = instance.profile_labels(committee.current_mandate(session, found))
    for member in roster.members(session, found):
        if member.applicant_id:
            lines.append(
                f"  borger (ansøger {member.applicant_id}): {labels[member.profile_key or '']}"
            )
        else:
            lines.append(
                f"  politiker: {member.politician_name} ({member.on_behalf_of}), {appointment.ROLE_NAMES[member.role]}"
            )
    return "\n".join(lines)


def meetings_report(session: Session, found: Committee, settings: Settings) -> str:
    """The meetings as the secretariat sees them, and where their documents and mails are."""
    rows = [
        (
            m.number,
            documents.local_time(m.starts_at, settings.timezone),
            plan.STATE_NAMES[m.state],
            m.sequence,
        )
        for m in plan.meetings(session, found)
    ]
    lines = ["Møder:", *documents.text_table(("nr.", "tid", "tilstand", "sekvens"), rows)]
    files = CommitteeFiles.of(settings.output_dir, found.slug)
    lines.append(f"dagsordener og referater: {files.meetings()}")
    lines.append(f"kalender (abonnement): {files.feed()}")
    lines.append(f"e-mails (.eml, med .ics til møderne): {settings.eml_dir / found.slug}")
    lines += [f"Advarsel: {w}" for w in minutes.attendance_warnings(session, found)]
    return "\n".join(lines)


def work_and_deliver(slug: str, settings: Settings, item: int, run_id: UUID) -> None:
    """The meetings, then the handover and the decisions on it."""
    secretariat_holds_meetings(slug, settings, run_id)
    folder = settings.output_dir.parent / "aflevering" / slug
    delivery.secretariat_hands_over(slug, folder, run_id, timeout=600)
    delivery.bodies_decide(slug, folder, run_id, timeout=600, item=item)


def delivery_report(session: Session, found: Committee, settings: Settings) -> str:
    """The handover, the decisions and the follow-up, and where the report and letters are."""
    files = CommitteeFiles.of(settings.output_dir, found.slug)
    lines = ["Anbefalinger (`opgaveudvalg recommendations status`):"]
    lines += followup.status_table(session, found)
    lines.append(f"afleveringsrapport: {files.handover('da')}")
    lines.append(f"afsluttende opsamling: {files.closing('da')}")
    queued = letters.letter_counts(session, found)
    sent = {kind: n for kind, n in queued.items() if "tilbagemelding" in kind or "opfoelg" in kind}
    lines.append(f"tilbagemeldinger og påmindelser i udbakken: {sent}")
    return "\n".join(lines)


def play(slug: str, item: int, settings: Settings, outcome: dict[str, str | BaseException]) -> None:
    year = date.today().strftime("%y")
    given = committee.DecisionInput(
        Decision.approved, date.today(), item, f"00.01.00-A00-{item}-{year}", "Godkendt af demoen"
    )
    # KB appoints at its first meeting after the call's deadline (the demo closes the call early)
    deadline = load_mandate(settings.committees_dir / f"{slug}.yaml").rekruttering.ansøgningsfrist
    kb_meets = deadline + timedelta(days=4)
    council = [
        (Wait.PUBLIC_DRAW, PublicDraw(public_number=4711 + item)),
        (Wait.APPOINTMENT, AppointmentInput(kb_meeting_date=kb_meets, agenda_item=item + 10)),
    ]
    try:
        run_committee(
            slug,
            given,
            partial(secretariat_recruits, slug, settings),
            council,
            partial(work_and_deliver, slug, settings, item),
        )
        delivery.secretariat_follows_up(slug, settings, timeout=600)
        outcome[slug] = f"{committee_status(slug)}, venter på næste opfølgningsdato"
    except BaseException as exc:  # re-raised by the main thread
        outcome[slug] = exc


def run_demo(settings: Settings) -> None:
    """Both committees at once, each played by its own thread; one worker runs their runs."""
    slugs = sorted(path.stem for path in settings.committees_dir.glob("*.yaml"))
    outcome: dict[str, str | BaseException] = {}
    threads = [
        threading.Thread(target=play, args=(slug, item, settings, outcome), name=slug)
        for item, slug in enumerate(slugs, start=1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for slug in slugs:
        if isinstance(outcome[slug], BaseException):
            raise outcome[slug]  # type: ignore[misc]
        print(f"{slug}: {outcome[slug]}")
    print()
    with session_scope() as session:
        for slug in slugs:
            found = committee.get_committee(session, slug)
            version = committee.latest_mandate(session, found.id).version  # type: ignore[arg-type, union-attr]
            folder = CommitteeFiles.of(settings.output_dir, slug).mandate(version, "da").parent
            print(f"== {slug}: status {found.status.value}")
            print(f"kommissorium: {folder}")
            print(f"opslag:       {settings.output_dir / slug / 'opslag'}")
            reports = sorted(CommitteeFiles.of(settings.output_dir, slug).rejects().glob("*.csv"))
            print(f"afviste rækker: {reports[-1] if reports else 'ingen'}")
            print(status.recruitment_status(session, found, settings).report())
            print()
            print(selection_report(session, found, settings))
            print()
            print(meetings_report(session, found, settings))
            print()
            print(delivery_report(session, found, settings))
            print()
    print("Porteføljen (`opgaveudvalg committees`):")
    print("\n".join(documents.text_table(portfolio.HEADERS, portfolio.rows(settings))))
    print()
    print(retention_plan(slugs, settings))
    print(f"Prefect-serverens og workerens log: {settings.output_dir.parent}/*.log")


def retention_plan(slugs: list[str], settings: Settings) -> str:
    """What the daily retention run will delete, on each of the committees' dates
    (`opgaveudvalg retention --dry-run --on DAY`)."""
    days: set[date] = set()
    with session_scope() as session:
        for slug in slugs:
            found = committee.get_committee(session, slug)
            appointed = schedule.appointed_on(session, found)
            if appointed is not None:
                days.update(
                    d for d in schedule.deadlines(settings, appointed, found.closed_on) if d
                )
                days.update([found.closed_on] if found.closed_on else [])
    lines = ["Sletning af personoplysninger (`opgaveudvalg retention --dry-run --on DAG`):"]
    for day in sorted(days):
        lines.append(schedule.run(settings, day, dry_run=True).text())
    return "\n".join(lines)
