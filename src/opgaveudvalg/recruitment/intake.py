"""Writing application rows into the committee's applicants (`recruitment.imports` runs a
whole file through it; the web form one row).

Nothing is lost: every row is imported, updates an applicant, or is kept in quarantine with
the file, row, column and reason. Importing the same file again changes nothing.

The import commits every `COMMIT_ROWS` rows, so it never holds the database's write lock for
long, and what it has committed stays if it stops half-way: every row is keyed (an applicant by
committee and e-mail, a rejected row by its masked contents and column, a review by its pair),
so importing the file again adds the rest and duplicates nothing. The `ImportBatch` row is
committed with each chunk and counts what has been committed so far.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, true, update
from sqlalchemy import select as sa_select  # sqlmodel's select types at most four columns
from sqlmodel import Session, col, delete, select

from opgaveudvalg import models
from opgaveudvalg.recruitment.eligibility import eligibility
from opgaveudvalg.recruitment.rows import (
    Application,
    IntakeRules,
    RowProblem,
    household_key,
    mask_cpr,
    person_key,
    profile_lookup,
    raw_person_key,
    validate_row,
)
from opgaveudvalg.text import text_key

BATCH_SIZE = 1000  # new applicants inserted in one statement
COMMIT_ROWS = 2000  # rows per committed chunk


def _content_hash(application: Application) -> str:
    payload = json.dumps([application.values, application.profiles], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _meeting(only: Application | None) -> Any:
    """The applicants an import can meet: all, or those `only` shares an e-mail or home with."""
    if only is None:
        return true()
    same_email = col(models.Applicant.email_key) == only.email_key
    household = household_key(only.values["address"], only.values["postcode"])
    return (
        same_email | (col(models.Applicant.household_key) == household) if household else same_email
    )


class Importer:
    """Holds what one import needs to decide insert / update / unchanged / quarantine per row."""

    def __init__(
        self,
        session: Session,
        committee: models.Committee,
        rules: IntakeRules,
        batch: models.ImportBatch,
        mapping: dict[str, str],
        on_reject: Callable[[int, list[RowProblem]], None] = lambda number, problems: None,
        only: Application | None = None,
    ):
        """`only`: the one application to be added (the web form), so that only the applicants
        it can meet — the same e-mail or household — are read, not the whole pool."""
        self.session, self.committee, self.rules, self.batch = session, committee, rules, batch
        self.mapping, self.on_reject = mapping, on_reject
        self.profiles = profile_lookup(rules.mandate)
        existing = session.execute(
            sa_select(
                col(models.Applicant.email_key),
                col(models.Applicant.id),
                col(models.Applicant.content_hash),
                col(models.Applicant.name),
                col(models.Applicant.household_key),
            ).where(col(models.Applicant.committee_id) == committee.id, _meeting(only))
        ).all()
        self.by_email = {row[0]: (row[1], row[2]) for row in existing}
        self.initial = {key: digest for key, (_, digest) in self.by_email.items()}
        self.seen: set[str] = set()
        self.new_seen = 0  # e-mails in the file that were not applicants before this import
        self.changed: set[str] = set()  # applicants that now differ from before this import
        self.valid_rows = 0
        self.by_person = {(text_key(row[3]), row[4]): row[1] for row in existing if row[4]}
        self.new_rows: list[tuple[dict[str, Any], Application]] = []
        self.new_keys: set[str] = set()
        self.updated_keys: set[str] = set()  # applicants updated since the last commit

    def add(self, number: int, raw: dict[str, str]) -> None:
        self.batch.rows += 1
        application = validate_row(raw, self.mapping, self.rules, self.profiles)
        if application.problems:
            self._quarantine(number, raw, application)
            return
        digest = _content_hash(application)
        self.valid_rows += 1
        if application.email_key not in self.seen:
            self.seen.add(application.email_key)
            self.new_seen += application.email_key not in self.initial
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
        if rows := self._profile_rows(applicant_id, application):  # none: open seats only
            self.session.execute(insert(models.ApplicantProfile), rows)
        self.by_email[application.email_key] = (applicant_id, fields["content_hash"])
        self.updated_keys.add(application.email_key)
        if application.email_key in self.initial:
            if fields["content_hash"] == self.initial[application.email_key]:
                self.changed.discard(application.email_key)
            else:
                self.changed.add(application.email_key)
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
            inserted = self.session.execute(
                select(models.Applicant.email_key, models.Applicant.id).where(
                    models.Applicant.committee_id == self.committee.id,
                    col(models.Applicant.email_key).in_(self.new_keys),
                )
            ).all()
            ids: dict[str, int] = {email: applicant_id for email, applicant_id in inserted}
            profiles = []
            for row, application in self.new_rows:
                applicant_id = ids[row["email_key"]]
                self.by_email[row["email_key"]] = (applicant_id, row["content_hash"])
                profiles += self._profile_rows(applicant_id, application)
                self._flag_same_person(applicant_id, row["name"], row["household_key"])
            if profiles:  # applicants without a profile apply for the open seats only
                self.session.execute(insert(models.ApplicantProfile), profiles)
            self._resolve_rejects([application for _, application in self.new_rows])
        self.new_rows.clear()
        self.new_keys.clear()

    def commit(self) -> None:
        """Write what is pending, bring the batch's counts up to date and commit this chunk."""
        self.flush()
        self._count()
        self._stamp_changed()
        self.session.add(self.batch)
        self.session.commit()

    def _count(self) -> None:
        """Count per applicant against the state before this import, so that a file read twice
        counts as unchanged even when it holds the same e-mail more than once."""
        self.batch.inserted, self.batch.updated = self.new_seen, len(self.changed)
        self.batch.unchanged = len(self.seen) - self.new_seen - len(self.changed)
        self.batch.repeated = self.valid_rows - len(self.seen)

    def _stamp_changed(self) -> None:
        """`updated_at` of the applicants this chunk left different from before the import."""
        changed = list(self.updated_keys & self.changed)
        self.updated_keys.clear()
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

    def _quarantine(self, number: int, raw: dict[str, str], application: Application) -> None:
        self.batch.rejected += 1
        self.on_reject(number, application.problems)
        masked = mask_cpr(raw)
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
                    person_key=raw_person_key(raw, self.mapping),
                )
            )
