"""The facts of the handover report and the closing summary, gathered from the stored handover,
the mandate, the meetings, the members, the appointed selection run and the decisions. Names
only where the law and the members allow: politicians always, citizens only when they agreed to
publication, otherwise by the profile of their seat."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from opgaveudvalg import committee, models
from opgaveudvalg.charts import Chart
from opgaveudvalg.delivery import charts, consultation
from opgaveudvalg.delivery.handover import (
    HandoverFile,
    Recommendation,
    handover_content,
    stored_handover,
)
from opgaveudvalg.delivery.records import Body, ConsultationDecision, FollowUp, Handover
from opgaveudvalg.errors import UserError
from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.meetings import plan
from opgaveudvalg.members import roster
from opgaveudvalg.members.appointment import ROLE_NAMES
from opgaveudvalg.models import AttendanceStatus, MeetingState
from opgaveudvalg.selection import reports, runs
from opgaveudvalg.selection.instance import profile_labels

LANGS = ("da", "en")


@dataclass(frozen=True)
class Person:
    """A member as the report may show them: `name` is None for a citizen who did not agree to
    publication (shown by `profile` instead)."""

    membership_id: int
    name: str | None
    politician: bool
    party: str | None
    role: str  # formand, næstformand, medlem
    profile: str | None  # the citizen's profile key
    left_on: date | None  # left before the committee closed


@dataclass(frozen=True)
class MeetingLine:
    number: int
    day: date
    held: bool
    cancelled: bool
    present: int
    seated: int

    @property
    def rate(self) -> float | None:
        return self.present / self.seated if self.held and self.seated else None


@dataclass(frozen=True)
class Selection:
    applicants: int
    eligible: int
    seats: int
    method: str
    minimum: float
    targets: list[reports.TargetRow]

    def bound(self, target: reports.TargetRow, lang: str) -> str:
        """The target in words: 'mindst 4', 'højst 3' or '4–6'."""
        return reports.target_bound(target, self.seats, lang)


@dataclass(frozen=True)
class Attachment:
    title: str
    source: Path
    href: str  # relative to the report


@dataclass(frozen=True)
class RecommendationView:
    item: Recommendation
    tasks: list[tuple[int, str]]
    dissenters: list[Person]
    attachments: list[Attachment]
    decisions: list[ConsultationDecision]  # in the order of the bodies
    final: ConsultationDecision | None
    follow_up: FollowUp | None


@dataclass(frozen=True)
class ReportFacts:
    mandate: Mandate
    mandate_version: int
    handover: HandoverFile
    stored: Handover
    recommendations: list[RecommendationView]
    unanswered: list[tuple[int, str, str]]  # task number, task, why
    meetings: list[MeetingLine]
    people: list[Person]
    selection: Selection | None
    case_number: str | None  # the mandate's approval by KB

    @property
    def decided(self) -> bool:
        return any(r.decisions for r in self.recommendations)

    @property
    def issued(self) -> date:
        """The report's date: the handover, or the last decision once there are decisions."""
        days = [d.meeting_date for r in self.recommendations for d in r.decisions]
        return max(days) if days else self.stored.delivered_on or self.stored.submitted_at.date()


def gather(session: Session, found: models.Committee) -> ReportFacts:
    stored = stored_handover(session, found)
    if stored is None:
        raise UserError(f"'{found.slug}' har ingen anbefalinger endnu")
    content = handover_content(stored)
    mandate = committee.current_mandate(session, found)
    mandate_row = committee.latest_mandate(session, found.id)  # type: ignore[arg-type]
    assert mandate_row is not None
    approval = committee.decision_for(session, mandate_row.id)  # type: ignore[arg-type]
    people = _people(session, found)
    by_id = {p.membership_id: p for p in people}
    views = [
        _view(session, found, recommendation, mandate, by_id, Path(stored.source_file).parent)
        for recommendation in content.anbefalinger
    ]
    unanswered = [
        (n, mandate.opgaver[n - 1], why) for n, why in sorted(content.ubesvarede_opgaver.items())
    ]
    return ReportFacts(
        mandate,
        mandate_row.version,
        content,
        stored,
        views,
        unanswered,
        _meetings(session, found),
        people,
        _selection(session, found),
        approval.case_number if approval else None,
    )


def _view(
    session: Session,
    found: models.Committee,
    item: Recommendation,
    mandate: Mandate,
    people: dict[int, Person],
    folder: Path,
) -> RecommendationView:
    decided = [d for d in consultation.decisions(session, found) if d.recommendation == item.nr]
    decided.sort(key=lambda d: list(Body).index(d.body))
    return RecommendationView(
        item,
        [(n, mandate.opgaver[n - 1]) for n in item.opgaver],
        [people[m] for m in (item.mindretal.medlemmer if item.mindretal else []) if m in people],
        [
            Attachment(a.titel, folder / a.fil, f"bilag/{item.nr}-{Path(a.fil).name}")
            for a in item.bilag
        ],
        decided,
        consultation.final_decisions(session, found).get(item.nr),
        latest_follow_up(session, found, item.nr),
    )


def latest_follow_up(session: Session, found: models.Committee, number: int) -> FollowUp | None:
    query = (
        select(FollowUp)
        .where(FollowUp.committee_id == found.id, FollowUp.recommendation == number)
        .order_by(col(FollowUp.on).desc(), col(FollowUp.id).desc())
    )
    return session.exec(query).first()


def _people(session: Session, found: models.Committee) -> list[Person]:
    closed = found.closed_on
    people = []
    for membership in roster.members(session, found):
        assert membership.id is not None
        ended = membership.end_date
        left = ended if ended is not None and (closed is None or ended < closed) else None
        if membership.politician_name is not None:
            name: str | None = membership.politician_name
        else:
            applicant = session.get(models.Applicant, membership.applicant_id)
            name = applicant.name if applicant is not None and applicant.publish_name else None
        people.append(
            Person(
                membership.id,
                name,
                membership.politician_name is not None,
                membership.on_behalf_of,
                ROLE_NAMES[membership.role],
                membership.profile_key,
                left,
            )
        )
    return people


def _meetings(session: Session, found: models.Committee) -> list[MeetingLine]:
    lines = []
    for meeting in plan.meetings(session, found):
        rows = session.exec(
            select(models.Attendance).where(models.Attendance.meeting_id == meeting.id)
        ).all()
        lines.append(
            MeetingLine(
                meeting.number,
                meeting.starts_at.date(),
                meeting.state == MeetingState.held,
                meeting.state == MeetingState.cancelled,
                sum(1 for r in rows if r.status == AttendanceStatus.present),
                len(rows),
            )
        )
    return lines


def _selection(session: Session, found: models.Committee) -> Selection | None:
    try:
        run = runs.appointed_run(session, found)
    except UserError:
        return None
    summary = reports.probability_summary(run)
    return Selection(
        reports.applicant_count(session, run.committee_id),
        summary.applicants,
        summary.seats,
        run.method,
        summary.minimum,
        reports.target_rows(run),
    )


# --- per language -----------------------------------------------------------------------------


def labels(facts: ReportFacts) -> dict[str, dict[str, str]]:
    """The profiles' labels per language."""
    return {lang: profile_labels(facts.mandate, lang) for lang in LANGS}


def report_charts(facts: ReportFacts, lang: str) -> dict[str, Chart]:
    """The charts that have data, by name: representation, attendance, evaluation."""
    found: dict[str, Chart] = {}
    if facts.selection and facts.selection.targets:
        found["representation"] = charts.representation(
            "chart-representation", facts.selection.targets, facts.selection.seats, lang
        )
    shown = [m for m in facts.meetings if m.held or m.cancelled]
    if shown:
        word = "Møde" if lang == "da" else "Meeting"
        found["attendance"] = charts.attendance(
            "chart-attendance",
            [
                charts.MeetingRate(m.number, f"{word} {m.number}\n{_day(m.day, lang)}", m.rate)
                for m in shown
            ],
            lang,
        )
    evaluation = facts.handover.evaluering
    if evaluation and evaluation.spørgsmål:
        found["evaluation"] = charts.evaluation(
            "chart-evaluation",
            [(q.spørgsmål, q.svar) for q in evaluation.spørgsmål],
            evaluation.besvarelser,
            lang,
        )
    return found


def _day(day: date, lang: str) -> str:
    return day.strftime("%d.%m.%Y") if lang == "da" else day.strftime("%d/%m/%Y")
