"""Recruitment: reading form-tool exports into clean, deduplicated, eligible applicants.

Nothing is lost: every row is imported, updates an applicant, or is kept in quarantine with
the file, row, column and reason. Importing the same file again changes nothing.
"""

import codecs
import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from ruamel.yaml import YAML
from sqlalchemy import insert, update
from sqlalchemy import select as sa_select  # sqlmodel's select types at most four columns
from sqlmodel import Session, col, delete, select

from opgaveudvalg import models
from opgaveudvalg.committee import current_mandate
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import Kompetenceprofil, Mandate
from opgaveudvalg.text import text_key

REQUIRED_FIELDS = ("navn", "email", "postnummer", "fødselsår", "køn", "profiler")
GENDERS = {
    "kvinde": "kvinde",
    "k": "kvinde",
    "female": "kvinde",
    "f": "kvinde",
    "woman": "kvinde",
    "mand": "mand",
    "m": "mand",
    "male": "mand",
    "man": "mand",
    "andet": "andet",
    "other": "andet",
    "nonbinær": "andet",
    "non-binær": "andet",
    "ønsker ikke at oplyse": "ikke oplyst",
    "vil ikke oplyse": "ikke oplyst",
    "prefer not to say": "ikke oplyst",
    "": "ikke oplyst",
}
YES = {"ja", "yes", "true", "1", "x", "j", "y"}
# DDMMYY-SSSS with a valid day and month, the separator optional; digits must not continue.
CPR_LIKE = re.compile(r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}[-\s]?\d{4}(?!\d)")
CPR_REMOVED = "[CPR-lignende tal fjernet]"
BATCH_SIZE = 1000


@dataclass(frozen=True)
class IntakeRules:
    """What a valid application must satisfy, from the mandate and the settings."""

    mandate: Mandate
    postcodes: frozenset[str]
    min_age: int

    @property
    def reference_year(self) -> int:
        """Ages are counted in the year the committee starts."""
        return self.mandate.tidsplan.start.year


@dataclass
class RowProblem:
    column: str
    reason: str


@dataclass
class Application:
    """One valid row, normalised."""

    email_key: str
    values: dict[str, Any]
    profiles: list[str]
    problems: list[RowProblem] = field(default_factory=list)


def normalise_header(header: str) -> str:
    return " ".join(str(header).casefold().strip().rstrip(":?").split())


def load_column_map(path: Path) -> dict[str, str]:
    """Header alias (normalised) → application field."""
    try:
        fields = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: kolonneoversigten kan ikke læses ({exc.strerror})") from None
    return {normalise_header(alias): name for name, aliases in fields.items() for alias in aliases}


# --- reading files ---------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else Windows-1252."""
    with path.open("rb") as stream:
        if stream.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        stream.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _csv_rows(path: Path) -> Iterator[Any]:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        sample = stream.read(64 * 1024)
        stream.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(stream, dialect)
        headers = next(reader, None)
        if headers is None:
            raise UserError(f"{path}: filen er tom")
        yield headers
        for number, values in enumerate(reader, start=2):
            if any(value.strip() for value in values):
                yield number, dict(zip(headers, values, strict=False))


def _xlsx_rows(path: Path) -> Iterator[Any]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        headers = [str(h) if h is not None else "" for h in next(rows, ())]
        yield headers
        for number, values in enumerate(rows, start=2):
            cells = [
                ""
                if v is None
                else str(int(v))
                if isinstance(v, float) and v.is_integer()
                else str(v)
                for v in values
            ]
            if any(cell.strip() for cell in cells):
                yield number, dict(zip(headers, cells, strict=False))
    finally:
        workbook.close()


def _json_rows(path: Path) -> Iterator[Any]:
    try:
        records = json.loads(path.read_text(encoding=detect_encoding(path)))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: ugyldig JSON i linje {exc.lineno}: {exc.msg}") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise UserError(f"{path}: JSON-filen skal være en liste af objekter")
    headers = list(dict.fromkeys(key for record in records for key in record))
    yield headers
    for number, record in enumerate(records, start=2):
        yield number, {k: "" if v is None else str(v) for k, v in record.items()}


# Each reader yields the header list first, then (row number, header → value) per data row;
# row 1 is the header, as in a spreadsheet.
READERS: dict[str, Callable[[Path], Iterator[Any]]] = {
    ".csv": _csv_rows,
    ".txt": _csv_rows,
    ".tsv": _csv_rows,
    ".xlsx": _xlsx_rows,
    ".json": _json_rows,
}


def read_export(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The file's headers and a stream of (row number, header → value); row 1 is the header."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UserError(f"{path}: ukendt filtype – brug .csv, .xlsx eller .json")
    if not path.exists():
        raise UserError(f"{path}: filen findes ikke")
    rows = reader(path)
    return next(rows), rows


def map_columns(
    path: Path, headers: list[str], column_map: dict[str, str], categories: list[str]
) -> dict[str, str]:
    """File header → field or balance category; a missing required column is an error."""
    category_keys = {normalise_header(c): c for c in categories}
    mapping: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        if key in column_map:
            mapping[header] = column_map[key]
        elif key in category_keys:
            mapping[header] = "kategori:" + category_keys[key]
    missing = [f for f in REQUIRED_FIELDS if f not in mapping.values()]
    if missing:
        accepted = {f: [a for a, name in column_map.items() if name == f] for f in missing}
        raise UserError(
            f"{path}: mangler kolonnen "
            + "; ".join(
                f"'{f}' (accepterede overskrifter: {', '.join(accepted[f])})" for f in missing
            )
        )
    return mapping


# --- validating rows -------------------------------------------------------------------------


def email_key(value: str) -> str:
    return value.strip().casefold()


def household_key(address: str | None, postcode: str) -> str | None:
    """Same address and postcode → same household, however the address was typed."""
    if not address or not address.strip():
        return None
    text = text_key(address).replace(" st th", " stth").replace(" st tv", " sttv")
    return hashlib.sha256(f"{text}|{postcode}".encode()).hexdigest()[:16]


def person_key(name: str, postcode: str) -> str:
    return hashlib.sha256(f"{text_key(name)}|{postcode.strip()}".encode()).hexdigest()[:16]


def _profile_lookup(mandate: Mandate) -> dict[str, Kompetenceprofil]:
    lookup = {}
    for profile in mandate.kompetenceprofiler:
        lookup[text_key(profile.nøgle)] = profile
        lookup[text_key(profile.betegnelse)] = profile
    return lookup


def validate_row(
    raw: dict[str, str],
    mapping: dict[str, str],
    rules: IntakeRules,
    profiles: dict[str, Kompetenceprofil],
) -> Application:
    """Normalise one row; any problem goes to `problems` with the file's column name."""
    by_field = {name: (header, raw.get(header, "").strip()) for header, name in mapping.items()}
    problems: list[RowProblem] = []

    def value(name: str) -> str:
        return by_field.get(name, ("", ""))[1]

    def column(name: str) -> str:
        return by_field.get(name, (name, ""))[0]

    for header, text in raw.items():
        if CPR_LIKE.search(text or ""):
            problems.append(
                RowProblem(
                    header,
                    "indeholder noget, der ligner et CPR-nummer; "
                    "CPR-numre må ikke indsendes, og værdien er ikke gemt",
                )
            )
    if problems:
        return Application("", {}, [], problems)

    if not value("navn"):
        problems.append(RowProblem(column("navn"), "navn mangler"))
    if not value("email"):
        problems.append(RowProblem(column("email"), "e-mail mangler"))
    else:
        try:
            validate_email(value("email"), check_deliverability=False)
        except EmailNotValidError:
            problems.append(
                RowProblem(column("email"), f"'{value('email')}' er ikke en gyldig e-mailadresse")
            )
    postcode = value("postnummer")
    if not re.fullmatch(r"\d{4}", postcode):
        problems.append(
            RowProblem(column("postnummer"), f"'{postcode}' er ikke et dansk postnummer")
        )
    year = value("fødselsår")
    oldest, youngest = rules.reference_year - 110, rules.reference_year - rules.min_age
    if not re.fullmatch(r"\d{4}", year) or not oldest <= int(year) <= youngest:
        problems.append(
            RowProblem(
                column("fødselsår"),
                f"fødselsår '{year}' skal være et årstal mellem {oldest} og {youngest}",
            )
        )
    gender = GENDERS.get(value("køn").casefold())
    if gender is None:
        problems.append(
            RowProblem(
                column("køn"),
                f"ukendt køn '{value('køn')}' – brug kvinde, "
                "mand, andet eller ønsker ikke at oplyse",
            )
        )
    chosen: list[str] = []
    for label in filter(None, (part.strip() for part in re.split(r"[;\n]", value("profiler")))):
        profile = profiles.get(text_key(label))
        if profile is None:
            problems.append(RowProblem(column("profiler"), f"ukendt profil '{label}'"))
        elif profile.nøgle not in chosen:
            chosen.append(profile.nøgle)
    if not chosen and not problems:
        problems.append(RowProblem(column("profiler"), "vælg mindst én kompetenceprofil"))
    if (
        not problems
        and postcode not in rules.postcodes
        and all(profiles[text_key(key)].hårde_kriterier.bopæl_i_kommunen for key in chosen)
    ):
        problems.append(
            RowProblem(
                column("postnummer"),
                f"postnummer {postcode} ligger uden for "
                "kommunen, og de valgte profiler kræver bopæl i kommunen",
            )
        )
    if problems:
        return Application(email_key(value("email")), {}, [], problems)
    values = {
        "name": " ".join(value("navn").split()),
        "email": value("email"),
        "phone": value("telefon") or None,
        "address": value("adresse") or None,
        "postcode": postcode,
        "birth_year": int(year),
        "gender": gender,
        "motivation": value("motivation"),
        "publish_name": value("navn_må_offentliggøres").casefold() in YES,
        "attributes": {
            name.removeprefix("kategori:"): text
            for name, (_, text) in by_field.items()
            if name.startswith("kategori:") and text
        },
    }
    return Application(email_key(value("email")), values, chosen)


def eligibility(
    profile: Kompetenceprofil, birth_year: int, postcode: str, rules: IntakeRules
) -> tuple[bool, str]:
    """The profile's hard criteria for one applicant, with the reason in Danish."""
    age = rules.reference_year - birth_year
    band = profile.hårde_kriterier.alder
    if band and (
        (band.min is not None and age < band.min) or (band.max is not None and age > band.max)
    ):
        wanted = f"{band.min or 0}–{band.max}" if band.max is not None else f"mindst {band.min}"
        return False, f"er {age} år i {rules.reference_year}; profilen kræver {wanted} år"
    if profile.hårde_kriterier.bopæl_i_kommunen and postcode not in rules.postcodes:
        return False, f"bor uden for kommunen (postnr. {postcode})"
    return True, "opfylder de hårde kriterier"


# --- importing -------------------------------------------------------------------------------


def _content_hash(application: Application) -> str:
    payload = json.dumps([application.values, application.profiles], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _mask_cpr(raw: dict[str, str]) -> dict[str, str]:
    return {key: CPR_LIKE.sub(CPR_REMOVED, text or "") for key, text in raw.items() if key}


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class _Importer:
    """Holds what one import needs to decide insert / update / unchanged / quarantine per row."""

    def __init__(
        self,
        session: Session,
        committee: models.Committee,
        rules: IntakeRules,
        batch: models.ImportBatch,
        mapping: dict[str, str],
    ):
        self.session, self.committee, self.rules, self.batch = session, committee, rules, batch
        self.mapping = mapping
        self.profiles = _profile_lookup(rules.mandate)
        existing = session.execute(
            sa_select(
                col(models.Applicant.email_key),
                col(models.Applicant.id),
                col(models.Applicant.content_hash),
                col(models.Applicant.name),
                col(models.Applicant.household_key),
            ).where(col(models.Applicant.committee_id) == committee.id)
        ).all()
        self.by_email = {row[0]: (row[1], row[2]) for row in existing}
        self.initial = {key: digest for key, (_, digest) in self.by_email.items()}
        self.seen: set[str] = set()
        self.valid_rows = 0
        self.by_person = {(text_key(row[3]), row[4]): row[1] for row in existing if row[4]}
        self.new_rows: list[tuple[dict[str, Any], Application]] = []
        self.new_keys: set[str] = set()

    def add(self, number: int, raw: dict[str, str]) -> None:
        self.batch.rows += 1
        application = validate_row(raw, self.mapping, self.rules, self.profiles)
        if application.problems:
            self._quarantine(number, raw, application)
            return
        digest = _content_hash(application)
        self.valid_rows += 1
        self.seen.add(application.email_key)
        if application.email_key in self.new_keys:
            self.flush()  # the same e-mail twice in one file: the later row updates the earlier
        known = self.by_email.get(application.email_key)
        if known and known[1] == digest:
            return
        values = application.values
        fields = dict(
            values,
            content_hash=digest,
            source=f"{self.batch.file_name}:{number}",
            household_key=household_key(values["address"], values["postcode"]),
        )
        if known:
            self._update(known[0], fields, application)
            return
        now = models.utcnow()
        self.new_rows.append(
            (
                dict(
                    fields,
                    committee_id=self.committee.id,
                    email_key=application.email_key,
                    created_at=now,
                    updated_at=now,
                ),
                application,
            )
        )
        self.new_keys.add(application.email_key)
        if len(self.new_rows) >= BATCH_SIZE:
            self.flush()

    def _update(self, applicant_id: int, fields: dict[str, Any], application: Application) -> None:
        applicant = self.session.get(models.Applicant, applicant_id)
        assert applicant is not None
        for name, value in fields.items():
            setattr(applicant, name, value)
        self.session.exec(
            delete(models.ApplicantProfile).where(
                col(models.ApplicantProfile.applicant_id) == applicant_id
            )
        )
        self.session.flush()
        self.session.execute(
            insert(models.ApplicantProfile), self._profile_rows(applicant_id, application)
        )
        self.by_email[application.email_key] = (applicant_id, fields["content_hash"])
        self._flag_same_person(applicant_id, applicant.name, applicant.household_key)
        self._resolve_rejects([application])

    def _profile_rows(self, applicant_id: int, application: Application) -> list[dict[str, Any]]:
        rows = []
        for key in application.profiles:
            ok, reason = eligibility(
                self.profiles[text_key(key)],
                application.values["birth_year"],
                application.values["postcode"],
                self.rules,
            )
            rows.append(
                {"applicant_id": applicant_id, "profile_key": key, "eligible": ok, "reason": reason}
            )
        return rows

    def flush(self) -> None:
        """Insert the new applicants of this batch in bulk, then their profiles."""
        if self.new_rows:
            self.session.execute(insert(models.Applicant), [row for row, _ in self.new_rows])
            ids = dict(
                self.session.execute(
                    select(models.Applicant.email_key, models.Applicant.id).where(
                        models.Applicant.committee_id == self.committee.id,
                        col(models.Applicant.email_key).in_(self.new_keys),
                    )
                ).all()
            )
            profiles = []
            for row, application in self.new_rows:
                applicant_id = ids[row["email_key"]]
                self.by_email[row["email_key"]] = (applicant_id, row["content_hash"])
                profiles += self._profile_rows(applicant_id, application)
                self._flag_same_person(applicant_id, row["name"], row["household_key"])
            self.session.execute(insert(models.ApplicantProfile), profiles)
            self._resolve_rejects([application for _, application in self.new_rows])
        self.new_rows.clear()
        self.new_keys.clear()

    def finish(self) -> None:
        """Count per applicant against the state before this import, so that a file read twice
        counts as unchanged even when it holds the same e-mail more than once."""
        self.flush()
        changed = [
            k for k in self.seen if k in self.initial and self.by_email[k][1] != self.initial[k]
        ]
        self.batch.inserted = sum(key not in self.initial for key in self.seen)
        self.batch.updated = len(changed)
        self.batch.unchanged = len(self.seen) - self.batch.inserted - self.batch.updated
        self.batch.repeated = self.valid_rows - len(self.seen)
        now = models.utcnow()
        for start in range(0, len(changed), BATCH_SIZE):
            self.session.execute(
                update(models.Applicant)
                .where(
                    col(models.Applicant.committee_id) == self.committee.id,
                    col(models.Applicant.email_key).in_(changed[start : start + BATCH_SIZE]),
                )
                .values(updated_at=now)
            )

    def _resolve_rejects(self, applications: list[Application]) -> None:
        """A valid row for the same e-mail, or the same name and postcode, resolves old rejects."""
        emails = [a.email_key for a in applications]
        people = [person_key(a.values["name"], a.values["postcode"]) for a in applications]
        self.session.execute(
            update(models.QuarantinedRow)
            .where(
                col(models.QuarantinedRow.committee_id) == self.committee.id,
                col(models.QuarantinedRow.resolved).is_(False),
                col(models.QuarantinedRow.email_key).in_(emails)
                | col(models.QuarantinedRow.person_key).in_(people),
            )
            .values(resolved=True)
        )

    def _flag_same_person(self, applicant_id: int, name: str, household: str | None) -> None:
        if not household:
            return
        other = self.by_person.setdefault((text_key(name), household), applicant_id)
        if other == applicant_id:
            return
        first, second = sorted((other, applicant_id))
        exists = self.session.exec(
            select(models.DuplicateReview.id).where(
                models.DuplicateReview.applicant_id == first,
                models.DuplicateReview.other_applicant_id == second,
            )
        ).first()
        if exists is None:
            self.session.add(
                models.DuplicateReview(
                    committee_id=self.committee.id,  # type: ignore[arg-type]
                    applicant_id=first,
                    other_applicant_id=second,
                )
            )
            self.batch.flagged += 1

    def _raw_person_key(self, raw: dict[str, str]) -> str | None:
        fields = {name: raw.get(header, "") for header, name in self.mapping.items()}
        if not fields.get("navn") or not fields.get("postnummer"):
            return None
        return person_key(fields["navn"], fields["postnummer"])

    def _quarantine(self, number: int, raw: dict[str, str], application: Application) -> None:
        self.batch.rejected += 1
        masked = _mask_cpr(raw)
        raw_hash = hashlib.sha256(json.dumps(masked, sort_keys=True).encode()).hexdigest()
        for problem in application.problems:
            known = self.session.exec(
                select(models.QuarantinedRow).where(
                    models.QuarantinedRow.committee_id == self.committee.id,
                    models.QuarantinedRow.raw_hash == raw_hash,
                    models.QuarantinedRow.column == problem.column,
                )
            ).first()
            if known is not None:
                known.file_name, known.row_number = self.batch.file_name, number
                known.import_id = self.batch.id  # type: ignore[assignment]
                self.session.add(known)
                continue
            self.session.add(
                models.QuarantinedRow(
                    committee_id=self.committee.id,  # type: ignore[arg-type]
                    import_id=self.batch.id,  # type: ignore[arg-type]
                    file_name=self.batch.file_name,
                    row_number=number,
                    column=problem.column,
                    reason=problem.reason,
                    raw=masked,
                    raw_hash=raw_hash,
                    email_key=application.email_key or None,
                    person_key=self._raw_person_key(raw),
                )
            )  # type: ignore[arg-type]


def import_applications(
    session: Session,
    committee: models.Committee,
    path: Path,
    settings: Any,
    report_dir: Path,
    progress: Callable[[int], None] = lambda n: None,
) -> models.ImportBatch:
    """Import one export file; returns its counts and writes the reject report if rows were
    rejected (see `reject_report_path`)."""
    if committee.status != models.CommitteeStatus.recruiting:
        raise UserError(
            f"'{committee.slug}' tager ikke imod ansøgninger (status '{committee.status.value}')"
        )
    rules = intake_rules(session, committee, settings)
    headers, rows = read_export(path)
    mapping = map_columns(
        path, headers, load_column_map(settings.column_map), rules.mandate.balance_categories
    )
    batch = models.ImportBatch(
        committee_id=committee.id,  # type: ignore[arg-type]
        file_name=path.name,
        file_sha256=file_digest(path),
    )
    session.add(batch)
    session.flush()
    importer = _Importer(session, committee, rules, batch, mapping)
    for number, raw in rows:
        importer.add(number, raw)
        if batch.rows % BATCH_SIZE == 0:
            progress(batch.rows)
    importer.finish()
    progress(batch.rows)
    if batch.rejected:
        write_reject_report(session, batch, report_dir)
    return batch


def reject_report_path(report_dir: Path, import_id: int) -> Path:
    return report_dir / f"afviste-raekker-import-{import_id}.csv"


def write_reject_report(session: Session, batch: models.ImportBatch, report_dir: Path) -> Path:
    """A CSV the secretariat opens in Excel: file, row, column, reason — no personal data."""
    report_dir.mkdir(parents=True, exist_ok=True)
    path = reject_report_path(report_dir, batch.id)  # type: ignore[arg-type]
    rows = session.exec(
        select(models.QuarantinedRow)
        .where(models.QuarantinedRow.import_id == batch.id)
        .order_by(col(models.QuarantinedRow.row_number))
    )
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(["fil", "række", "kolonne", "begrundelse"])
        for row in rows:
            writer.writerow([row.file_name, row.row_number, row.column, row.reason])
    return path


# --- the committee's recruitment -------------------------------------------------------------


def intake_rules(session: Session, committee: models.Committee, settings: Any) -> IntakeRules:
    return IntakeRules(
        current_mandate(session, committee),
        frozenset(settings.postcodes),
        settings.applicant_min_age,
    )


@dataclass(frozen=True)
class CallInfo:
    """What the public call says beyond the mandate itself (render context `call`)."""

    deadline: date
    how_to_apply: str
    questions: list[str]
    postcodes: list[str]
    min_age: int
    retention_unselected_months: int
    retention_members_months: int
    secretariat_email: str
    dpo_email: str


@dataclass(frozen=True)
class GroupCount:
    category: str
    group: str
    count: int
    share: float
    min_seats: int
    max_seats: int
    warning: str | None


@dataclass(frozen=True)
class RecruitmentStatus:
    applicants: int
    eligible_applicants: int
    per_profile: list[tuple[str, str, int, int]]  # key, label, applied, eligible
    groups: list[GroupCount]
    open_rejects: int
    open_reviews: int
    warnings: list[str]

    def report(self) -> str:
        """The status as plain text for the terminal."""
        from opgaveudvalg.documents import text_table

        rows = [(r["emne"], r["antal"], r["bemærkning"]) for r in self.rows()]
        lines = text_table(("", "antal", ""), rows)
        lines += ["", "Advarsler:" if self.warnings else "Ingen advarsler."]
        return "\n".join(lines + [f"  - {warning}" for warning in self.warnings])

    def rows(self) -> list[dict[str, object]]:
        """The aggregates as table rows (no names) for the CLI and the Prefect artifact."""
        table: list[dict[str, object]] = [
            {"emne": "ansøgere i alt", "antal": self.applicants, "bemærkning": ""},
            {
                "emne": "ansøgere med mindst én opfyldt profil",
                "antal": self.eligible_applicants,
                "bemærkning": "",
            },
        ]
        table += [
            {
                "emne": f"profil {key}",
                "antal": eligible,
                "bemærkning": f"{applied} har valgt profilen, {eligible} opfylder kravene",
            }
            for key, _, applied, eligible in self.per_profile
        ]
        table += [
            {
                "emne": f"{g.category}: {g.group}",
                "antal": g.count,
                "bemærkning": f"{g.share * 100:.0f} % af de egnede; mål {g.min_seats}–{g.max_seats} pladser",
            }
            for g in self.groups
        ]
        table += [
            {"emne": "afviste rækker (uløste)", "antal": self.open_rejects, "bemærkning": ""},
            {
                "emne": "mulige dubletter til vurdering",
                "antal": self.open_reviews,
                "bemærkning": "",
            },
        ]
        return table


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def recruitment_status(
    session: Session, committee: models.Committee, settings: Any
) -> RecruitmentStatus:
    """Applicants per profile and per balance group against the mandate's targets, with warnings."""
    rules = intake_rules(session, committee, settings)
    mandate = rules.mandate
    applicants = session.exec(
        select(models.Applicant).where(models.Applicant.committee_id == committee.id)
    ).all()
    choices = session.exec(
        select(models.ApplicantProfile)
        .join(models.Applicant)
        .where(models.Applicant.committee_id == committee.id)
    ).all()
    eligible_ids = {c.applicant_id for c in choices if c.eligible}
    warnings = []
    per_profile = []
    for profile in mandate.kompetenceprofiler:
        picked = [c for c in choices if c.profile_key == profile.nøgle]
        ok = sum(c.eligible for c in picked)
        per_profile.append((profile.nøgle, profile.betegnelse, len(picked), ok))
        if ok == 0:
            warnings.append(f"Ingen egnede ansøgere til profilen '{profile.nøgle}'")
        elif ok < profile.pladser:
            warnings.append(
                f"Kun {ok} egnede ansøgere til profilen '{profile.nøgle}', "
                f"som har {profile.pladser} pladser"
            )
    pool = [a for a in applicants if a.id in eligible_ids]
    groups = []
    for target in mandate.repræsentationsmål:
        low, high = target.seat_bounds(mandate.sammensætning.borgere)
        count = sum(
            target.includes(rules.reference_year - a.birth_year, a.gender, a.attributes)
            for a in pool
        )
        share = count / len(pool) if pool else 0.0
        warning = None
        wanted = target.min_procent  # a share of the seats: compare with the share of the pool
        if count < low:
            warning = (
                f"{_sentence(target.gruppe)} ({target.kategori}): kun {count} egnede "
                f"ansøgere – målet kræver mindst {low}"
            )
        elif wanted and share * 100 < wanted:
            warning = (
                f"{_sentence(target.gruppe)} ({target.kategori}) udgør {share * 100:.0f} % af de "
                f"egnede ansøgere – målet er mindst {wanted:.0f} %"
            )
        if warning:
            warnings.append(warning)
        groups.append(GroupCount(target.kategori, target.gruppe, count, share, low, high, warning))
    open_rejects = len(
        session.exec(
            select(models.QuarantinedRow.raw_hash)
            .where(
                models.QuarantinedRow.committee_id == committee.id,
                col(models.QuarantinedRow.resolved).is_(False),
            )
            .distinct()
        ).all()
    )
    open_reviews = len(
        session.exec(
            select(models.DuplicateReview.id).where(
                models.DuplicateReview.committee_id == committee.id,
                col(models.DuplicateReview.resolved).is_(False),
            )
        ).all()
    )
    if open_rejects:
        warnings.append(
            f"{open_rejects} afviste rækker venter på at blive rettet og importeret igen"
        )
    if open_reviews:
        warnings.append(f"{open_reviews} mulige dubletter (samme navn og adresse) skal vurderes")
    return RecruitmentStatus(
        len(applicants), len(pool), per_profile, groups, open_rejects, open_reviews, warnings
    )


def call_info(mandate: Mandate, settings: Any) -> CallInfo:
    return CallInfo(
        mandate.rekruttering.ansøgningsfrist,
        mandate.rekruttering.ansøgning,
        mandate.balance_categories,
        settings.postcodes,
        settings.applicant_min_age,
        settings.retention_unselected_months,
        settings.retention_members_months,
        settings.secretariat_email,
        settings.dpo_email,
    )


def request_close(session: Session, committee: models.Committee, actor: str) -> None:
    """Ask the waiting recruitment flow to close the call before the deadline."""
    if committee.status != models.CommitteeStatus.recruiting:
        raise UserError(f"'{committee.slug}' rekrutterer ikke (status '{committee.status.value}')")
    from opgaveudvalg.committee import audit

    audit(session, committee.id, actor, "recruitment.close_requested")


def close_requested(session: Session, committee: models.Committee) -> bool:
    """Whether someone asked to close the call early (`opgaveudvalg recruitment close`)."""
    return (
        session.exec(
            select(models.AuditEvent.id).where(
                models.AuditEvent.committee_id == committee.id,
                models.AuditEvent.action == "recruitment.close_requested",
            )
        ).first()
        is not None
    )


def close_reason(session: Session, committee: models.Committee, today: date) -> str | None:
    """Why the call is closed now: the deadline has passed or a close was requested; else None."""
    if today > current_mandate(session, committee).rekruttering.ansøgningsfrist:
        return "ansøgningsfristen er udløbet"
    if close_requested(session, committee):
        return "lukket på kommando"
    return None


def open_call(
    session: Session, committee: models.Committee, settings: Any, actor: str
) -> list[Path]:
    """Move a mandated committee to `recruiting` and render its call; again if already open."""
    from opgaveudvalg import committee as record
    from opgaveudvalg import documents

    if committee.status == models.CommitteeStatus.mandated:
        record.transition(
            session, committee, models.CommitteeStatus.recruiting, actor, "opslag åbnet"
        )
    row = record.latest_mandate(session, committee.id)  # type: ignore[arg-type]
    decision = record.decision_for(session, row.id)  # type: ignore[arg-type, union-attr]
    mandate = record.mandate_content(row)  # type: ignore[arg-type]
    return documents.write_call(
        mandate,
        call_info(mandate, settings),
        row.version,  # type: ignore[union-attr]
        date.today(),  # the call is dated the day it is published
        decision.case_number if decision else None,
        settings.municipality,
        settings.output_dir,
    )


def close_recruitment(
    session: Session, committee: models.Committee, actor: str, reason: str
) -> None:
    from opgaveudvalg import committee as record

    record.transition(session, committee, models.CommitteeStatus.selecting, actor, reason)
