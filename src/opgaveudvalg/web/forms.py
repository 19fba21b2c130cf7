"""The application form: its fields, reading a posted form, and checking it with the import's
own row rules (`rows.validate_row`), so one rule set decides for a file and for the form.

A posted form becomes the raw row an export would give, keyed by field name, with the identity
mapping (plus `kategori:<name>` for each balance question); a `RowProblem`'s column is then the
field's name, which tells which input the error belongs to.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qs

from opgaveudvalg.mandate.model import Mandate
from opgaveudvalg.recruitment import rows
from opgaveudvalg.recruitment.columns import CATEGORY_PREFIX
from opgaveudvalg.settings import Settings

# HTML name → application field of the row rules (config/columns.yaml's field names)
TEXT_FIELDS = {
    "navn": "navn",
    "email": "email",
    "telefon": "telefon",
    "adresse": "adresse",
    "postnummer": "postnummer",
    "foedselsaar": "fødselsår",
    "koen": "køn",
    "motivation": "motivation",
}
PROFILES = "profiler"
PUBLISH = "offentliggoer"
UPDATES = "orientering"  # optional: hear what becomes of the committee's recommendations
CONSENT = "samtykke"
HONEYPOT = "hjemmeside"
GENDERS = ("kvinde", "mand", "andet", "ønsker ikke at oplyse")
SHORT_LIMITS = {"telefon": 40, "postnummer": 10, "foedselsaar": 10, "koen": 40, "email": 254}
MAX_FIELDS = 200  # form fields in one post; more is refused as too large
# Categories asked in other words: gender and birth year
ASKED_OTHERWISE = {"køn", "alder"}


@dataclass(frozen=True)
class Question:
    """One balance question: the applicant picks a group, or writes an answer if there are none."""

    name: str  # the input's name, kategori-<n>
    category: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class FormSpec:
    mandate: Mandate
    questions: tuple[Question, ...]
    max_chars: int
    max_motivation_chars: int

    @classmethod
    def of(cls, mandate: Mandate, settings: Settings) -> "FormSpec":
        questions = []
        for number, category in enumerate(mandate.balance_categories, start=1):
            if category.casefold() in ASKED_OTHERWISE:
                continue
            groups = [t.gruppe for t in mandate.repræsentationsmål if t.kategori == category]
            questions.append(Question(f"kategori-{number}", category, tuple(groups)))
        return cls(
            mandate,
            tuple(questions),
            settings.web_max_field_chars,
            settings.web_max_motivation_chars,
        )

    def limit(self, name: str) -> int:
        if name == "motivation":
            return self.max_motivation_chars
        return SHORT_LIMITS.get(name, self.max_chars)

    def ordered_errors(self, submission: "Submission") -> list[tuple[str, str]]:
        """(input, message) in the order the inputs stand in the form, for the summary."""
        order = [*TEXT_FIELDS, PROFILES, *(q.name for q in self.questions), CONSENT]
        order.remove("motivation")
        order.insert(order.index(CONSENT), "motivation")
        rank = {name: number for number, name in enumerate(order)}
        names = sorted(submission.errors, key=lambda name: rank.get(name, len(rank)))
        return [(name, message) for name in names for message in submission.errors[name]]

    def category_of(self, name: str) -> str:
        return next((q.category for q in self.questions if q.name == name), name)

    def anchor(self, name: str) -> str:
        """The id of the input an error summary's link leads to (a group's first choice)."""
        if name == "koen":
            return "koen-1"
        if name == PROFILES:
            return f"profil-{self.mandate.kompetenceprofiler[0].nøgle}"
        if any(q.name == name and q.choices for q in self.questions):
            return f"{name}-1"
        return name

    def input_for(self, column: str) -> str | None:
        """The input a row problem's column (a field name) belongs to."""
        by_field = {f: name for name, f in TEXT_FIELDS.items()}
        by_field[PROFILES] = PROFILES
        by_field |= {CATEGORY_PREFIX + q.category: q.name for q in self.questions}
        return by_field.get(column)


@dataclass
class Submission:
    """What the applicant typed (kept to show again) and the errors per input."""

    values: dict[str, str] = field(default_factory=dict)
    profiles: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)  # errors that belong to no input
    csrf: str = ""

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def valid(self) -> bool:
        return not self.errors and not self.general

    @property
    def bot(self) -> bool:
        return bool(self.values.get(HONEYPOT))


class FormUnreadable(Exception):
    """Not a UTF-8 url-encoded form, or too many fields."""


def parse(body: bytes, spec: FormSpec) -> Submission:
    """The posted form (`application/x-www-form-urlencoded`, read with the standard library)."""
    try:
        posted = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise FormUnreadable from None
    names = [*TEXT_FIELDS, PUBLISH, UPDATES, CONSENT, HONEYPOT, *(q.name for q in spec.questions)]
    submission = Submission(
        {name: posted.get(name, [""])[0] for name in names},
        [key for key in posted.get(PROFILES, []) if key],
        csrf=posted.get("csrf", [""])[0],
    )
    return submission


def posted_token(body: bytes) -> str:
    """The CSRF field of a posted form ("" if it has none or cannot be read)."""
    try:
        posted = parse_qs(body.decode("utf-8"), max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return ""
    return posted.get("csrf", [""])[0]


def raw_row(submission: Submission, spec: FormSpec) -> tuple[dict[str, str], dict[str, str]]:
    """The row an export would give, keyed by field name, and its identity mapping."""
    raw = {TEXT_FIELDS[name]: submission.values[name] for name in TEXT_FIELDS}
    raw[PROFILES] = ";".join(submission.profiles)
    raw["navn_må_offentliggøres"] = "ja" if submission.values[PUBLISH] else "nej"
    raw[rows.WANTS_UPDATES] = "ja" if submission.values[UPDATES] else "nej"
    for question in spec.questions:
        raw[CATEGORY_PREFIX + question.category] = submission.values[question.name]
    return raw, {name: name for name in raw}


def _form_problems(submission: Submission, spec: FormSpec) -> None:
    """What only the form asks: sizes, consent, and answers among the offered choices."""
    for name, value in submission.values.items():
        if len(value) > spec.limit(name):
            submission.error(name, f"må højst være {spec.limit(name)} tegn")
    for key in submission.profiles:
        if len(key) > spec.max_chars:
            submission.error(PROFILES, f"må højst være {spec.max_chars} tegn")
    for question in spec.questions:
        answer = submission.values[question.name]
        if question.choices and answer and answer not in question.choices:
            submission.error(question.name, "vælg en af mulighederne")
    if not submission.values[CONSENT]:
        submission.error(CONSENT, "du skal give samtykke til behandlingen af dine oplysninger")


def check(submission: Submission, spec: FormSpec, rules: rows.IntakeRules) -> rows.Application:
    """Check the form with the import's row rules; errors go to `submission`. A value that
    looks like a CPR number is removed from what is shown again."""
    _form_problems(submission, spec)
    raw, mapping = raw_row(submission, spec)
    application = rows.validate_row(raw, mapping, rules, rows.profile_lookup(rules.mandate))
    for problem in application.problems:
        name = spec.input_for(problem.column)
        if name is None:
            submission.general.append(problem.reason)
            continue
        submission.error(name, problem.reason)
        if rows.CPR_LIKE.search(raw.get(problem.column, "")):
            if name == PROFILES:
                submission.profiles = []
            else:
                submission.values[name] = ""
    return application
