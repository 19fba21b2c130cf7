"""Helpers the test modules share: example mandates, application files, a committee brought to a
stage, a real SMTP server (aiosmtpd) and outbox messages, the CLI as a separate process. Fixtures
stay in conftest.py; test modules import helpers only from here."""

import csv
import email
import re
import shutil
import socket
import ssl
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import col, select

from demo import handover as example_handover
from demo.applicants import write_demo_pool
from opgaveudvalg import committee, models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.db import session_scope
from opgaveudvalg.delivery import consultation, decision_file, handover
from opgaveudvalg.delivery.records import Body
from opgaveudvalg.meetings import minutes, plan
from opgaveudvalg.members import appointment, roster
from opgaveudvalg.models import Decision
from opgaveudvalg.recruitment import imports, status
from opgaveudvalg.selection import runs
from opgaveudvalg.settings import PROJECT_ROOT, get_settings

EXAMPLES = PROJECT_ROOT / "config" / "committees"
# The `snapshots` fixture: restore(stage name, build(folder), the test's folder)
Restore = Callable[[str, Callable[[Path], object], Path], None]


def example_text(slug: str = "ny-svoemmehal") -> str:
    return (EXAMPLES / f"{slug}.yaml").read_text(encoding="utf-8")


def mandate_file(
    folder: Path, slug: str, replacements: dict[str, str] | None = None, base: str = "ny-svoemmehal"
) -> Path:
    """An example mandate saved as `<folder>/<slug>.yaml` with text replacements applied."""
    text_ = example_text(base).replace(f"slug: {base}", f"slug: {slug}")
    for old, new in (replacements or {}).items():
        assert old in text_, f"test set-up: {old!r} not in the example"
        text_ = text_.replace(old, new, 1)
    path = folder / f"{slug}.yaml"
    path.write_text(text_, encoding="utf-8")
    return path


def line_of(path: Path, pattern: str) -> int:
    """1-based number of the first line matching the regular expression."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.search(pattern, line):
            return number
    raise AssertionError(f"{pattern!r} not found in {path}")


# --- applications ------------------------------------------------------------------------

HEADERS = [
    "Navn",
    "E-mail",
    "Telefon",
    "Adresse",
    "Postnummer",
    "Fødselsår",
    "Køn",
    "Kompetenceprofiler",
    "Motivation",
    "Bydel",
]
YOUNG = "unge-i-vandet"  # 15–24 years, residence required
CLUB = "forening-og-traening"  # no residence requirement
FAMILY = "familie-med-boern"


def row(
    name="Søren Ærø",
    email="soeren@example.dk",
    phone="",
    address="Strandvejen 1",
    postcode="2900",
    year="1990",
    gender="mand",
    profiles=FAMILY,
    motivation="Jeg svømmer",
    district="Hellerup og Tuborg",
) -> list[str]:
    return [name, email, phone, address, postcode, year, gender, profiles, motivation, district]


def write_csv(path: Path, rows: Iterable[list[str]], encoding="utf-8", delimiter=";") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


# a month back, so that no test run falls on it (a draw made today must not show this date)
MANDATE_APPROVED = date.today() - timedelta(days=30)


def open_recruitment(replacements: dict[str, str] | None = None) -> str:
    """The swimming-hall committee, approved and with its call open."""
    path = mandate_file(get_settings().committees_dir, "ny-svoemmehal", replacements)
    with session_scope() as session:
        mandate_id = committee.register_mandate(session, path, "test").id
        committee.record_decision(
            session,
            mandate_id,
            committee.DecisionInput(  # type: ignore[arg-type]
                Decision.approved, MANDATE_APPROVED, 4, "00.01.00-A00-1-26"
            ),
            "kb",
            "run",
        )
        found = committee.get_committee(session, "ny-svoemmehal")
        committee.transition(session, found, models.CommitteeStatus.recruiting, "test")
    return "ny-svoemmehal"


def applicants() -> list[models.Applicant]:
    with session_scope() as session:
        return list(session.exec(select(models.Applicant).order_by(models.Applicant.id)))


def quarantined() -> list[tuple[int, str, str]]:
    with session_scope() as session:
        rows = session.exec(
            select(models.QuarantinedRow).order_by(models.QuarantinedRow.row_number)
        )
        return [(r.row_number, r.column, r.reason) for r in rows]


def current_status(slug: str) -> status.RecruitmentStatus:
    with committee.committee_session(slug) as (session, found):
        return status.recruitment_status(session, found, get_settings())


def run_import(slug: str, path: Path) -> models.ImportBatch:
    settings = get_settings()
    with committee.committee_session(slug) as (session, found):
        return imports.import_applications(session, found, path, settings)


# --- selection -----------------------------------------------------------------------------

SLUG = "ny-svoemmehal"
CASE = "00.01.00-A00-1-26"  # the case number open_recruitment records for KB's approval


def selecting(
    tmp_path: Path, replacements: dict[str, str] | None = None, extra: tuple[list[str], ...] = ()
) -> models.Committee:
    """The swimming-hall committee with the demo's 150 applications (and the `extra` rows)
    imported and the call closed."""
    open_recruitment(replacements)
    with committee.committee_session(SLUG) as (session, found):
        mandate = current_mandate(session, found)
    export = tmp_path / "eksport.csv"
    write_demo_pool(
        mandate, export, postcodes=get_settings().postcodes, start=mandate.tidsplan.start
    )
    run_import(SLUG, export)
    if extra:
        run_import(SLUG, write_csv(tmp_path / "flere.csv", extra))
    with committee.committee_session(SLUG) as (session, found):
        committee.transition(session, found, models.CommitteeStatus.selecting, "test")
        return found


def compute_and_draw(number: int = 4711) -> int:
    with committee.committee_session(SLUG) as (session, found):
        run = runs.compute_selection(session, found)
        runs.draw_panel(session, run, number, "test")
        return run.id  # type: ignore[return-value]


def appoint(politicians: list[appointment.Politician] | None = None, amendments=()) -> None:  # type: ignore[no-untyped-def]
    """KB's appointment, with the example's five politicians unless others are given."""
    if politicians is None:
        politicians = appointment.load_politicians(appointment.politicians_path(EXAMPLES, SLUG))
    with committee.committee_session(SLUG) as (session, found):
        appointment.record_appointment(
            session, found, date(2027, 1, 28), 9, list(amendments), politicians, "run-1", "kb"
        )


def appoint_and_plan(folder: Path) -> None:
    """Appointed, with the meetings planned."""
    selecting(folder)
    compute_and_draw()
    appoint()
    with committee.committee_session(SLUG) as (session, found):
        plan.plan_meetings(session, found, get_settings(), "test")


def hold_meetings(folder: Path) -> None:
    """Appointed, the meetings planned and all of them held, with minutes: in session, ready
    to hand over."""
    selecting(folder)
    compute_and_draw()
    appoint()
    with committee.committee_session(SLUG) as (session, found):
        numbers = [m.number for m in plan.plan_meetings(session, found, get_settings(), "test")]
    for number in numbers:
        path = folder / f"referat-{number}.yaml"
        path.write_text("beslutninger:\n  1: Godkendt\n", encoding="utf-8")
        with committee.committee_session(SLUG) as (session, found):
            plan.get_meeting(session, found, number).agenda = [{"titel": "Opgaven"}]
            minutes.record_minutes(session, found, number, path, "test")


def member_ids() -> list[int]:
    with committee.committee_session(SLUG) as (session, found):
        return [m.id for m in roster.members(session, found) if m.id is not None]


def hand_over(folder: Path, text: str | None = None) -> Path:
    """The example handover submitted and delivered to the standing committee."""
    with committee.committee_session(SLUG) as (session, found):
        tasks = current_mandate(session, found).opgaver
    path = example_handover.write_handover(folder, SLUG, tasks, member_ids())
    if text:
        path.write_text(text, "utf-8")
    with committee.committee_session(SLUG) as (session, found):
        handover.submit_handover(session, found, path, "test")
        handover.mark_delivered(session, found, date(2027, 12, 6), "test")
    return path


def decide(folder: Path, body: Body, text: str | None = None) -> None:
    """The body's decisions as the example gives them (or `text`), recorded."""
    with committee.committee_session(SLUG) as (session, found):
        numbers = consultation.to_decide(session, found, body)
    default = example_handover.decisions_yaml(body.value, numbers, date(2028, 1, 10), 7)
    path = folder / f"beslutning-{body.value}.yaml"
    path.write_text(text or default, encoding="utf-8")
    given = decision_file.load_decisions(path, body)
    with committee.committee_session(SLUG) as (session, found):
        consultation.record(session, found, given, "test", None)


# --- the CLI ---------------------------------------------------------------------------------------


def opgaveudvalg(*args: str) -> subprocess.CompletedProcess[str]:
    """The `opgaveudvalg` command in its own process, with this test's settings."""
    return subprocess.run(
        [sys.executable, "-c", "from opgaveudvalg.cli.main import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- a real SMTP server and outbox messages --------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps every accepted message and refuses chosen recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def per_recipient(self) -> Counter[str]:
        return Counter(rcpt for _, rcpts, _ in self.messages for rcpt in rcpts)

    def parsed(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
            for _, _, raw in self.messages
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp(monkeypatch: pytest.MonkeyPatch, **options: Any) -> tuple[Mailbox, Controller]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OPGAVEUDVALG_SMTP_PORT", str(controller.port))
    get_settings.cache_clear()
    return mailbox, controller


def new_committee(slug: str = "ny-svoemmehal") -> int:
    with session_scope() as session:
        found = models.Committee(slug=slug, title="Ny svømmehal", parent_committee="Kultur")
        session.add(found)
        session.flush()
        assert found.id is not None
        return found.id


def address(n: int) -> str:
    return f"borger{n}@example.dk"


def add_messages(committee_id: int, numbers: range, **fields: Any) -> list[int]:
    ids = []
    with session_scope() as session:
        for n in numbers:
            row = models.OutboxMessage(
                committee_id=committee_id,
                idempotency_key=f"test-{committee_id}-{n}-{fields.get('kind', 'brev')}",
                kind=fields.get("kind", "brev"),
                to_address=fields.get("to_address", address(n)),
                language="da",
                subject=f"Brev nr. {n} – æøå",
                body_text=f"Kære borger {n}\n\nTak for din ansøgning.",
                body_html=f"<p>Kære borger {n}</p><p>Tak for din ansøgning.</p>",
                calendar=fields.get("calendar"),
                attachment=fields.get("attachment"),
            )
            session.add(row)
            session.flush()
            assert row.id is not None
            ids.append(row.id)
    return ids


def rows() -> dict[int, models.OutboxMessage]:
    with session_scope() as session:
        found = session.exec(select(models.OutboxMessage).order_by(col(models.OutboxMessage.id)))
        return {row.id: row for row in found if row.id is not None}


def statuses() -> dict[int, str]:
    return {i: row.status for i, row in rows().items()}


def self_signed_tls(folder: Path, host: str = "127.0.0.1") -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for `host` and the certificate file a client must trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address(host))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


# --- a real browser (Debian's Chromium) and axe-core -----------------------------------------

AXE = Path(__file__).parent / "data" / "axe-core" / "axe.min.js"
CHROMIUM = next(
    (
        p
        for p in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "")
        if Path(p).is_file()
    ),
    None,
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def assert_no_serious_violations(found: dict[str, list[dict[str, Any]]]) -> None:
    """Every page's axe violations printed; none of them serious or critical."""
    for name, violations in found.items():
        for v in violations:
            print(f"{name}: {v['impact']} {v['id']} {v['nodes'][:3]}")
    serious = {
        name: [v for v in violations if v["impact"] in ("serious", "critical")]
        for name, violations in found.items()
    }
    assert not any(serious.values()), serious


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(  # type: ignore[no-any-return]
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            window.__axePasses = result.passes.length;
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" "))
            }));
        }""",
        AXE_TAGS,
    )
