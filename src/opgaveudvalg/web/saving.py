"""Saving a valid application through the import's own writer (`intake.Importer`), so the
same e-mail updates the application, households are flagged and old rejects resolved exactly as
for a file; then a confirmation e-mail is queued in the outbox.

Each submission is its own `ImportBatch` named `webformular`: its counts (1 row; inserted or
updated or unchanged) mean what they mean for a file, and the batch's number is the source
(`webformular:<n>`) and the confirmation's idempotency key.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from opgaveudvalg import models
from opgaveudvalg.mail.queue import enqueue
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.recruitment import intake, rows
from opgaveudvalg.settings import Settings
from opgaveudvalg.web.pages import render

WEB_BATCH = "webformular"


def save(
    session: Session,
    committee: models.Committee,
    rules: rows.IntakeRules,
    raw: dict[str, str],
    mapping: dict[str, str],
    application: rows.Application,
) -> models.ImportBatch:
    """Write one checked application (committed) and return its batch."""
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()
    batch = models.ImportBatch(
        committee_id=committee.id,  # type: ignore[arg-type]
        file_name=WEB_BATCH,
        file_sha256=digest,
    )
    session.add(batch)
    session.flush()
    importer = intake.Importer(session, committee, rules, batch, mapping, only=application)
    importer.add(batch.id, raw)  # type: ignore[arg-type]
    importer.commit()
    return batch


@dataclass(frozen=True)
class Receipt:
    """What the receipt says beyond the applicant: the mandate, the call's last day, the
    form's language."""

    mandate: Mandate
    last_day: date
    lang: str


def queue_confirmation(
    session: Session,
    committee: models.Committee,
    settings: Settings,
    batch: models.ImportBatch,
    application: rows.Application,
    receipt: Receipt,
) -> models.OutboxMessage:
    """The receipt to the applicant, in the form's language, with what they applied for."""
    applicant = session.exec(
        select(models.Applicant).where(
            models.Applicant.committee_id == committee.id,
            models.Applicant.email_key == application.email_key,
        )
    ).one()
    labels = {p.nøgle: p.betegnelse for p in receipt.mandate.kompetenceprofiler}
    lang = receipt.lang
    context = {
        "mandate": receipt.mandate,
        "applicant": applicant,
        "profiles": [labels[key] for key in application.profiles],
        "deadline": receipt.last_day,
        "secretariat_email": settings.secretariat_email,
        "municipality": settings.municipality,
    }
    subject = render("kvittering-emne.txt.j2", lang, **context).strip()
    return enqueue(
        session,
        committee_id=committee.id,  # type: ignore[arg-type]
        key=f"{WEB_BATCH}-{batch.id}",
        kind="kvittering-ansoegning",
        applicant_id=applicant.id,
        to_address=applicant.email,
        subject=subject,
        body_text=render("kvittering.txt.j2", lang, **context),
        body_html=render("kvittering.html.j2", lang, **context),
        language=lang,
    )
