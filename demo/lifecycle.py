"""The README's main job: the example committees through the lifecycle on a fresh demo database.

The demo plays the people around the flow, through the same functions as the CLI: KB approves
the mandate, the secretariat imports an export of ~150 applications (some of them bad) and
closes the call.
"""

import contextvars
import json
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from prefect.input import RunInput
from sqlmodel import Session

from demo.applicants import write_demo_pool
from flows.lifecycle import lifecycle_flow
from flows.recruitment import import_applications_flow, reject_dir
from opgaveudvalg import committee, documents
from opgaveudvalg.db import session_scope
from opgaveudvalg.meetings import agenda, changes, minutes, plan
from opgaveudvalg.members import letters, roster
from opgaveudvalg.models import Committee, CommitteeStatus, Decision, MeetingState
from opgaveudvalg.orchestration import (
    APPOINTMENT,
    MANDATE_APPROVAL,
    PUBLIC_DRAW,
    AppointmentInput,
    PublicDraw,
    find_waiting_run,
    start_api,
    submit_approval,
    submit_input,
)
from opgaveudvalg.paths import CommitteeFiles
from opgaveudvalg.recruitment import call, status
from opgaveudvalg.selection import instance, reports, runs
from opgaveudvalg.settings import Settings

DEMO_ACTOR = "demo"


def wait_until(
    condition: Callable[[], bool], flow_running: Callable[[], bool], timeout: float
) -> bool:
    """True once `condition` holds; False if the flow ends first. Raises after `timeout` s."""
    deadline = time.monotonic() + timeout
    while flow_running():
        if condition():
            return True
        if time.monotonic() > deadline:
            raise TimeoutError(f"the flow did not get there within {timeout} s")
        time.sleep(0.5)
    return False


def waiting_for(slug: str, key: str) -> bool:
    return find_waiting_run(slug, key) is not None


def committee_status(slug: str) -> str | None:
    with session_scope() as session:
        found = committee.find_committee(session, slug)
        return found.status.value if found else None


def secretariat_recruits(slug: str, settings: Settings) -> dict[str, int]:
    """The secretariat's part of recruitment: import the form export, then close the call."""
    counts = import_applications_flow(slug=slug, file=str(demo_export(slug, settings)))
    with committee.committee_session(slug) as (session, found):
        call.request_close(session, found, DEMO_ACTOR)
    return counts


def run_committee(
    slug: str,
    given: committee.DecisionInput,
    while_recruiting: Callable[[], object] | None = None,
    later: Sequence[tuple[str, RunInput]] = (),
    in_session: Callable[[], object] | None = None,
    timeout: float = 300,
) -> str:
    """Run the lifecycle of `slug` in a worker thread; give KB's decision from this one, once
    the call is open run `while_recruiting` (which must end by closing the call), then answer
    each later pause (key, input) in turn — e.g. the public draw and the appointment — and
    once the members are appointed run `in_session` (which must end the meetings)."""
    start_api()
    outcome: dict[str, object] = {}
    context = contextvars.copy_context()  # the worker sees the same Prefect settings

    def run() -> None:
        try:
            outcome["status"] = context.run(lifecycle_flow, slug=slug)
        except BaseException as exc:  # re-raised in the calling thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"lifecycle-{slug}", daemon=True)
    worker.start()
    if wait_until(partial(waiting_for, slug, MANDATE_APPROVAL), worker.is_alive, timeout):
        submit_approval(slug, given)
    if while_recruiting and wait_until(
        lambda: committee_status(slug) == CommitteeStatus.recruiting, worker.is_alive, timeout
    ):
        while_recruiting()
    for key, answer in later:
        if wait_until(partial(waiting_for, slug, key), worker.is_alive, timeout):
            submit_input(slug, answer, key)
    if in_session and wait_until(
        lambda: committee_status(slug) == CommitteeStatus.appointed, worker.is_alive, timeout
    ):
        in_session()
    worker.join(timeout)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    if "status" not in outcome:
        raise TimeoutError(f"the lifecycle flow of {slug} did not finish within {timeout} s")
    return str(outcome["status"])


def secretariat_holds_meetings(slug: str, settings: Settings, timeout: float = 300) -> None:
    """The secretariat's part of the meetings: the agendas' own items, one meeting moved and
    one cancelled after the invitations went out, and the minutes of each meeting once its
    agenda has been sent — written as YAML files and recorded like `opgaveudvalg meetings`."""
    folder = settings.output_dir.parent / "moeder" / slug
    folder.mkdir(parents=True, exist_ok=True)
    wait_until(partial(has_meetings, slug), lambda: True, timeout)
    with committee.committee_session(slug) as (session, found):
        mandate = committee.current_mandate(session, found)
        numbers = [m.number for m in plan.meetings(session, found)]
        for number in numbers:
            path = folder / f"dagsorden-{number}.yaml"
            path.write_text(demo_agenda(mandate.opgaver, number), encoding="utf-8")
            agenda.set_agenda(session, found, number, path, DEMO_ACTOR)
    for number in numbers:
        agenda_dir = CommitteeFiles.of(settings.output_dir, slug).meeting(number, "da")
        if not wait_until(
            (agenda_dir / "dagsorden.pdf").exists, partial(meeting_open, slug, number), timeout
        ):
            continue  # cancelled
        if number == 1:
            change_plan(slug, numbers)
        path = folder / f"referat-{number}.yaml"
        path.write_text(demo_minutes(slug, number), encoding="utf-8")
        with committee.committee_session(slug) as (session, found):
            minutes.record_minutes(session, found, number, path, DEMO_ACTOR)


def has_meetings(slug: str) -> bool:
    with session_scope() as session:
        return bool(plan.meetings(session, committee.get_committee(session, slug)))


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


def demo_agenda(tasks: list[str], number: int) -> str:
    task = tasks[(number - 1) % len(tasks)]
    return (
        "punkter:\n"
        f"  - titel: {json.dumps(task[:80], ensure_ascii=False)}\n"
        f"    indstilling: {json.dumps('Det indstilles, at udvalget drøfter opgaven og peger på de vigtigste anbefalinger.', ensure_ascii=False)}\n"
        f"    beskrivelse: {json.dumps(task, ensure_ascii=False)}\n"
        f"    bilag: [{json.dumps(f'Oplæg fra administrationen til møde {number}.pdf', ensure_ascii=False)}]\n"
    )


def demo_minutes(slug: str, number: int) -> str:
    """Every item decided; at meeting 2 one citizen is absent with notice."""
    with committee.committee_session(slug) as (session, found):
        meeting = plan.get_meeting(session, found, number)
        seated = [m for m in roster.members(session, found) if m.applicant_id]
        items = len(meeting.agenda)
    decisions = "".join(f"  {n}: Godkendt\n" for n in range(1, items + 1))
    absent = f"fravær:\n  - {{medlem: {seated[0].id}, afbud: true}}\n" if number == 2 else ""
    return (
        f"beslutninger:\n{decisions}"
        f"drøftelser:\n  {items - 1}: Udvalget drøftede opgaven i grupper og samlede op i plenum.\n"
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
    run = runs.current_run(session, found)
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
                f"  politiker: {member.politician_name} ({member.on_behalf_of}), {member.role.value}"
            )
    return "\n".join(lines)


def meetings_report(session: Session, found: Committee, settings: Settings) -> str:
    """The meetings as the secretariat sees them, and where their documents and mails are."""
    rows = [
        (m.number, documents.local_time(m.starts_at, settings.timezone), m.state.value, m.sequence)
        for m in plan.meetings(session, found)
    ]
    lines = ["Møder:", *documents.text_table(("nr.", "tid", "tilstand", "sekvens"), rows)]
    files = CommitteeFiles.of(settings.output_dir, found.slug)
    lines.append(f"dagsordener og referater: {files.meetings()}")
    lines.append(f"kalender (abonnement): {files.feed()}")
    lines.append(f"e-mails (.eml, med .ics til møderne): {settings.eml_dir / found.slug}")
    lines += [f"Advarsel: {w}" for w in minutes.attendance_warnings(session, found)]
    return "\n".join(lines)


def run_demo(settings: Settings) -> None:
    slugs = sorted(path.stem for path in settings.committees_dir.glob("*.yaml"))
    year = date.today().strftime("%y")
    for item, slug in enumerate(slugs, start=1):
        given = committee.DecisionInput(
            Decision.approved,
            date.today(),
            item,
            f"00.01.00-A00-{item}-{year}",
            "Godkendt af demoen",
        )
        council = [
            (PUBLIC_DRAW, PublicDraw(public_number=4711 + item)),
            (APPOINTMENT, AppointmentInput(kb_meeting_date=date.today(), agenda_item=item + 10)),
        ]
        final_status = run_committee(
            slug,
            given,
            partial(secretariat_recruits, slug, settings),
            council,
            partial(secretariat_holds_meetings, slug, settings),
        )
        print(f"{slug}: {final_status}")
    print()
    with session_scope() as session:
        for slug in slugs:
            found = committee.get_committee(session, slug)
            version = committee.latest_mandate(session, found.id).version  # type: ignore[arg-type, union-attr]
            folder = CommitteeFiles.of(settings.output_dir, slug).mandate(version, "da").parent
            print(f"== {slug}: status {found.status.value}")
            print(f"kommissorium: {folder}")
            print(f"opslag:       {settings.output_dir / slug / 'opslag'}")
            reports = sorted(reject_dir(slug).glob("*.csv"))
            print(f"afviste rækker: {reports[-1] if reports else 'ingen'}")
            print(status.recruitment_status(session, found, settings).report())
            print()
            print(selection_report(session, found, settings))
            print()
            print(meetings_report(session, found, settings))
            print()
