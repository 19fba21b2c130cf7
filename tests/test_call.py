"""The public call (opslag): content a citizen needs, privacy notice, escaping, three formats."""

import re
from datetime import date
from pathlib import Path

import pytest
from helpers import open_recruitment, row, run_import, write_csv
from pypdf import PdfReader

from opgaveudvalg import committee, documents, models
from opgaveudvalg.db import session_scope
from opgaveudvalg.meetings import plan
from opgaveudvalg.recruitment import call
from opgaveudvalg.settings import get_settings

MARKUP = "<script>alert(1)</script>"


def open_call_for(replacements: dict[str, str] | None = None) -> list[Path]:
    slug = open_recruitment(replacements)
    with committee.committee_session(slug) as (session, found):
        assert found.status == models.CommitteeStatus.recruiting
        return call.open_call(session, found, get_settings(), "test", plan.meeting_days)


def call_files(replacements: dict[str, str] | None = None) -> dict[str, Path]:
    """The call's files by 'lang/opslag.fmt'."""
    return {f"{p.parent.name}/{p.name}": p for p in open_call_for(replacements)}


def flat(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


@pytest.mark.slow
def test_call_in_three_formats_and_two_languages() -> None:
    files = open_call_for()
    names = sorted(f"{p.parent.name}/{p.name}" for p in files)
    assert names == sorted(
        f"{lang}/opslag.{fmt}" for lang in ("da", "en") for fmt in ("html", "pdf", "txt")
    )
    with session_scope() as session:
        assert (
            committee.get_committee(session, "ny-svoemmehal").status
            == models.CommitteeStatus.recruiting
        )
    by_name = {f"{p.parent.name}/{p.name}": p for p in files}
    pdf = "\n".join(page.extract_text() for page in PdfReader(by_name["da/opslag.pdf"]).pages)
    text = by_name["da/opslag.txt"].read_text(encoding="utf-8")
    for content in (pdf, text):
        flat = " ".join(content.split())
        assert "søndag den 24. januar 2027" in flat  # the deadline
        assert "6 møder à 3 timer over ca. 9 måneder" in flat  # time commitment from the mandate
        assert "CPR-nummer" in flat and "6 måneder" in flat  # privacy notice and retention
        assert "databeskyttelse@gentofte.dk" in flat and "litra e" in flat
        assert "Du skal være 15–24 år i 2027" in flat
        # the optional answer: asked in the form, and what the address is then used for
        assert "Du kan også vælge at få besked om, hvad der sker med udvalgets anbefalinger" in flat
        assert "gemmer vi dit navn og din e-mailadresse til det formål lige så længe som" in flat
    english = by_name["en/opslag.txt"].read_text(encoding="utf-8")
    assert "Sunday, 24 January 2027" in english and "Published" in english
    flat = " ".join(english.split())
    assert "You can also choose to be told what becomes of the committee’s recommendations" in flat
    assert "we keep your name and e-mail address for that purpose as long as the members" in flat


@pytest.mark.slow
def test_markup_is_escaped_in_every_generated_page(tmp_path: Path) -> None:
    """Markup typed into the mandate or an application never reaches a page as markup."""
    open_call_for(
        {
            "\nleverance: |\n": f"\nleverance: |\n  {MARKUP}\n",
            "\nformål: |\n": f"\nformål: |\n  {MARKUP}\n",
        }
    )
    run_import(
        "ny-svoemmehal", write_csv(tmp_path / "e.csv", [row(motivation=MARKUP, name=MARKUP)])
    )
    with session_scope() as session:
        committee.render_stored_mandate(
            session,
            committee.latest_mandate(session, 1),
            "Gentofte Kommune",
            get_settings().output_dir,
        )  # type: ignore[arg-type]
    pages = list(get_settings().output_dir.rglob("*.html"))
    assert len(pages) == 4  # kommissorium and opslag, da and en
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>" not in html and "&lt;script&gt;" in html, page


@pytest.mark.slow
def test_call_opens_with_why_to_join_and_the_apply_button() -> None:
    """A recruitment page, not a memo: why join, then the button to the form the mandate names,
    both before the committee's formal purpose and tasks."""
    files = call_files()
    for lang, why in (("da", "Her får du indflydelse"), ("en", "Have your say")):
        html = files[f"{lang}/opslag.html"].read_text(encoding="utf-8")
        [button] = re.findall(r'<a class="apply-button" id="ansoeg-link" href="([^"]+)"', html)
        assert button == "https://www.gentofte.dk/opgaveudvalg/ny-svoemmehal"
        assert html.index(why) < html.index('id="ansoeg-link"') < html.index("<main>")
        assert html.index("<main>") < html.index("Opgaveudvalgets formål er")
        assert why in flat(files[f"{lang}/opslag.txt"])


@pytest.mark.slow
def test_call_without_a_link_to_apply_shows_the_mandates_words_instead_of_a_button() -> None:
    by_phone = "Ring til sekretariatet på 39 98 00 00"
    ansøgning = 'https://www.gentofte.dk/opgaveudvalg/ny-svoemmehal – udfyld formularen "Meld dig som interesseret"'
    html = call_files({f"'{ansøgning}'": by_phone})["da/opslag.html"].read_text(encoding="utf-8")
    assert "ansoeg-link" not in html and 'class="apply-button"' not in html
    assert html.index(by_phone) < html.index("<main>")


@pytest.mark.slow
def test_call_gives_the_planned_meeting_days_time_place_pay_and_when_you_hear_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = call_files()
    da, en = flat(files["da/opslag.html"]), flat(files["en/opslag.txt"])
    # the very days the plan later gives the meetings
    with committee.committee_session("ny-svoemmehal") as (session, found):
        planned = plan.plan_meetings(session, found, get_settings(), "test")
        days = [documents.long_date(m.starts_at.date(), "da") for m in planned]
    assert days[0] == "tirsdag den 23. februar 2027" and len(days) == 6
    assert all(f"<li>{day}</li>" in da for day in days)
    assert "kl. 17.00–20.00, Gentofte Rådhus, Bernstorffsvej 161" in da
    assert "Der er intet honorar eller anden betaling for at være med." in da
    assert "forplejning" not in da  # only if the settings say so
    assert (
        "får svar på e-mail, når Kommunalbestyrelsen har udpeget medlemmerne – før det første "
        "møde tirsdag den 23. februar 2027" in da
    )
    assert "17:00–20:00, Gentofte Rådhus" in en and "There is no fee or other payment" in en
    assert "before the first meeting on Tuesday, 23 February 2027" in en

    monkeypatch.setenv("OPGAVEUDVALG_MEETING_MEALS", "true")
    get_settings.cache_clear()
    with committee.committee_session("ny-svoemmehal") as (session, found):
        call.write_call(session, found, get_settings(), date.today(), plan.meeting_days)
    assert "Der er intet honorar; du får forplejning ved møderne." in flat(files["da/opslag.txt"])


@pytest.mark.slow
def test_call_states_the_age_rule_once_and_never_repeats_about() -> None:
    """'Født 2014 eller tidligere' beside 'Ingen særlig aldersgrænse' contradicted itself, and
    'ca. 6 møder … over ca. 9 måneder' said 'about' twice."""
    files = call_files()
    for name in ("da/opslag.html", "da/opslag.txt"):
        text = flat(files[name])
        assert text.count("født i 2014 eller tidligere") == 1, name
        assert "fylder mindst 13 år i 2027" in text
        assert "aldersgrænse" not in text
        assert "Du skal være 15–24 år i 2027 (født 2003–2012)" in text  # a profile's own limit
        assert not sentences_saying_twice(text.replace("ca. ", "ca "), "ca "), name
    english = flat(files["en/opslag.txt"])
    assert english.count("born in 2014 or earlier") == 1 and "age limit" not in english
    assert "The committee holds 6 meetings of 3 hours each over about 9 months." in english


def sentences_saying_twice(text: str, word: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s", text) if s.count(word) > 1]
