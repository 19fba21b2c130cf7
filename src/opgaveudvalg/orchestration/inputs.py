"""The forms the people around a committee answer, in the Prefect UI or from the command line.

Everything that goes to Prefect from this package is an ID, a slug, a date, a count or a KB
decision — never a name or a contact detail.
"""

from datetime import date

from prefect.input import RunInput
from pydantic import BaseModel, Field

from opgaveudvalg.committee import DecisionInput
from opgaveudvalg.delivery.consultation import BODY_NAMES, BodyDecision, ItemDecision
from opgaveudvalg.delivery.records import Body, Outcome
from opgaveudvalg.models import Decision


class MandateApproval(RunInput):
    """The council's decision on the mandate, entered in the Prefect UI or by `opgaveudvalg approve`."""

    decision: Decision = Field(title="Beslutning (approved / amend / rejected)")
    kb_meeting_date: date = Field(title="Dato for KB-mødet")
    agenda_item: int = Field(ge=1, title="Punkt nr. på dagsordenen")
    case_number: str = Field(min_length=3, max_length=40, title="Sagsnr.")
    note: str | None = Field(
        default=None,
        max_length=2000,
        title="Bemærkning",
        description="Skriv ingen personoplysninger",
    )

    @classmethod
    def of(cls, given: DecisionInput) -> "MandateApproval":
        return cls(
            decision=given.decision,
            kb_meeting_date=given.meeting_date,
            agenda_item=given.agenda_item,
            case_number=given.case_number,
            note=given.note or "",
        )

    def as_decision(self) -> DecisionInput:
        return DecisionInput(
            self.decision, self.kb_meeting_date, self.agenda_item, self.case_number, self.note
        )


class PublicDraw(RunInput):
    """The number drawn at a public meeting; with KB's case number it is the lottery's seed."""

    public_number: int = Field(ge=0, title="Offentligt trukket tal")


class AmendmentInput(BaseModel):
    remove: int = Field(title="Indstillet ansøger (ID), der ikke udpeges")
    add: int = Field(title="Ansøger (ID), der udpeges i stedet")


class AppointmentInput(RunInput):
    """KB's appointment of the members, entered in the Prefect UI or by `opgaveudvalg appoint`."""

    kb_meeting_date: date = Field(title="Dato for KB-mødet")
    agenda_item: int = Field(ge=1, title="Punkt nr. på dagsordenen")
    amendments: list[AmendmentInput] = Field(
        default_factory=list, title="Ændringer i forhold til indstillingen (ansøger-ID'er)"
    )


def mandate_form(slug: str) -> type[MandateApproval]:
    return MandateApproval.with_initial_data(
        description=(
            f"**Kommunalbestyrelsens beslutning om kommissoriet for `{slug}`**\n\n"
            "Vælg *approved* (godkendt), *amend* (sendes tilbage til ændring) eller "
            "*rejected* (afvist), og angiv dato for KB-mødet, punktets nummer og sagsnummeret."
        )
    )


def draw_form(slug: str) -> type[PublicDraw]:
    return PublicDraw.with_initial_data(
        description=(
            f"**Offentlig lodtrækning for `{slug}`**\n\n"
            "Angiv tallet, der blev trukket på det offentlige møde. Sammen med KB's sagsnummer "
            "er det frøet, som panelet trækkes med – alle kan gentage trækningen."
        )
    )


def appointment_form(slug: str) -> type[AppointmentInput]:
    return AppointmentInput.with_initial_data(
        description=(
            f"**Kommunalbestyrelsens udpegning af medlemmerne af `{slug}`**\n\n"
            "Angiv dato og punkt. Udpeger KB en anden ansøger end den indstillede, angives "
            "begges ansøger-ID (aldrig navne)."
        )
    )


class RecommendationDecisionInput(BaseModel):
    anbefaling: int = Field(ge=1, title="Anbefaling nr.")
    beslutning: Outcome = Field(title="Beslutning")
    begrundelse: str = Field(
        min_length=1,
        max_length=2000,
        title="Begrundelse",
        description="Offentlig tekst, som medlemmerne får; skriv ingen personoplysninger",
    )
    indstilling: Outcome | None = Field(
        default=None, title="Fagudvalgets indstilling til KB (kun ved sendes-til-kb)"
    )


class ConsultationInput(RunInput):
    """A body's decision on each recommendation, in the Prefect UI or by
    `opgaveudvalg recommendations decide`."""

    møde: date = Field(title="Dato for mødet")
    punkt: int = Field(ge=1, title="Punkt nr. på dagsordenen")
    sagsnr: str = Field(min_length=3, max_length=40, title="Sagsnr.")
    beslutninger: list[RecommendationDecisionInput] = Field(
        min_length=1, title="Beslutning om hver anbefaling"
    )

    @classmethod
    def of(cls, given: BodyDecision) -> "ConsultationInput":
        return cls(
            møde=given.meeting_date,
            punkt=given.agenda_item,
            sagsnr=given.case_number,
            beslutninger=[
                RecommendationDecisionInput(
                    anbefaling=item.recommendation,
                    beslutning=item.outcome,
                    begrundelse=item.reason,
                    indstilling=item.proposal,
                )
                for item in given.items
            ],
        )

    def as_decision(self, body: Body) -> BodyDecision:
        items = tuple(
            ItemDecision(i.anbefaling, i.beslutning, i.begrundelse, i.indstilling)
            for i in self.beslutninger
        )
        return BodyDecision(body, self.møde, self.punkt, self.sagsnr, items)


def consultation_form(slug: str, body: Body, numbers: list[int]) -> type[ConsultationInput]:
    listed = ", ".join(str(n) for n in numbers)
    return ConsultationInput.with_initial_data(
        description=(
            f"**{BODY_NAMES[body].capitalize()}s beslutning om anbefalingerne fra `{slug}`**\n\n"
            f"Giv én beslutning for hver af anbefalingerne {listed}: følges, følges-delvist, "
            "følges-ikke, budgetforhandlinger"
            + (
                " eller sendes-til-kb (med fagudvalgets indstilling)"
                if body == Body.standing_committee
                else ""
            )
            + ", med en kort offentlig begrundelse. Angiv mødets dato, punktet og sagsnummeret."
        ),
        beslutninger=[
            {"anbefaling": n, "beslutning": Outcome.followed.value, "begrundelse": ""}
            for n in numbers
        ],
    )
