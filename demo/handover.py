"""The example committees' handover and the decisions on it, as the secretariat would write the
files: recommendations (one with a minority statement, one that answers none of the mandate's
tasks), the work as recorded, the members' evaluation, then the standing committee's and KB's
decisions."""

import copy
from datetime import date
from io import StringIO
from pathlib import Path

from ruamel.yaml import YAML

SURVEY = "bilag/spoergeundersoegelse.csv"
SURVEY_TEXT = """spørgsmål;svar;antal
Hvor ofte bruger du en svømmehal?;hver uge;412
Hvor ofte bruger du en svømmehal?;hver måned;288
Hvor ofte bruger du en svømmehal?;sjældnere;301
Hvad mangler mest?;varmt vand;377
Hvad mangler mest?;flere baner;352
Hvad mangler mest?;bedre omklædning;272
"""

HANDOVERS: dict[str, dict[str, object]] = {
    "ny-svoemmehal": {
        "anbefalinger": [
            {
                "nr": 1,
                "titel": "En svømmehal for hele livet",
                "anbefaling": "Hallen bygges som et mødested for alle aldre med et 25-meter "
                "bassin, et varmtvandsbassin og et undervisningsbassin med hæve-sænkebund.",
                "begrundelse": "Dialogmøderne viste, at de største ventelister er til "
                "babysvømning og genoptræning, som kræver varmt vand og lav dybde.",
                "opgaver": [1, 2],
                "udgift": "5-20-mio",
                "bilag": [{"titel": "Svar fra spørgeundersøgelsen", "fil": SURVEY}],
                "en": {
                    "titel": "A swimming hall for the whole of life",
                    "anbefaling": "The hall is built as a meeting place for all ages, with a "
                    "25-metre pool, a warm-water pool and a teaching pool with a movable floor.",
                    "begrundelse": "The dialogue meetings showed that the longest waiting lists "
                    "are for baby swimming and rehabilitation, which need warm, shallow water.",
                },
            },
            {
                "nr": 2,
                "titel": "Placering ved Gentofte Sportspark",
                "anbefaling": "Hallen placeres ved Gentofte Sportspark.",
                "begrundelse": "Placeringen har den bedste kollektive trafik og kan dele "
                "parkering og omklædning med sportsparken.",
                "opgaver": [3],
                "mindretal": {
                    "udtalelse": "Et mindretal anbefaler placeringen i Vangede, fordi den "
                    "ligger tættere på de skoler, der i dag har længst til en svømmehal.",
                },
            },
            {
                "nr": 3,
                "titel": "Tilgængelig for alle fra dag ét",
                "anbefaling": "Hallen indrettes efter principperne for universelt design, med "
                "lift til alle bassiner, omklædning for familier og rolige tider.",
                "begrundelse": "Workshoppen med handicap-, patient- og seniorforeninger pegede "
                "på, at tilgængelighed skal tænkes ind fra starten for ikke at blive dyr.",
                "opgaver": [5, 6],
                "udgift": "1-5-mio",
            },
            {
                "nr": 4,
                "titel": "Et fast borgerpanel for hallen",
                "anbefaling": "Når hallen åbner, nedsættes et borgerpanel, der hvert år giver "
                "råd om åbningstider og fordeling af bassintid.",
                "begrundelse": "Udvalget ønsker, at brugerne også efter byggeriet har en stemme.",
                "opgaver": [],
                "udgift": "ingen",
            },
        ],
        "ubesvarede_opgaver": {
            4: "Udvalget nåede ikke at drøfte fordelingen af bassintider til bunds og "
            "anbefaler, at det sker i borgerpanelet (anbefaling 4)."
        },
        "arbejdsgrupper": [
            {"navn": "Brugerbehov og fordeling af bassintider", "møder": 4},
            {"navn": "Placering, trafik og samspil med nærområdet", "møder": 3},
        ],
        "dialogmøder": [
            {"titel": "Åbent borgermøde om visionen", "dato": "2027-04-20", "deltagere": 140},
        ],
        "evaluering": {
            "besvarelser": 12,
            "spørgsmål": [
                {
                    "spørgsmål": "Jeg kunne bidrage med det, jeg ved",
                    "svar": {"Helt enig": 7, "Enig": 4, "Hverken eller": 1, "Uenig": 0},
                },
                {
                    "spørgsmål": "Møderne var godt forberedt",
                    "svar": {"Helt enig": 5, "Enig": 5, "Hverken eller": 1, "Uenig": 1},
                },
            ],
            "læring": [
                "Arbejdsgrupperne mellem møderne gav de bedste forslag.",
                "Materialet skal sendes ud en uge før møderne, ikke tre dage.",
            ],
        },
    },
    "fn-verdensmaal": {
        "anbefalinger": [
            {
                "nr": 1,
                "titel": "Fem verdensmål, hvor Gentofte kan gøre en forskel",
                "anbefaling": "Kommunen prioriterer verdensmål 4 (kvalitetsuddannelse), 7 "
                "(bæredygtig energi), 11 (bæredygtige byer), 12 (ansvarligt forbrug) og 13 "
                "(klimaindsats) frem mod 2030.",
                "begrundelse": "Det er her, kommunen selv har størst indflydelse gennem "
                "skoler, bygninger, indkøb og planlægning, og her borgerne på dialogmøderne "
                "oftest pegede på, at de selv kan bidrage.",
                "opgaver": [1],
                "udgift": "ingen",
                "en": {
                    "titel": "Five Global Goals where Gentofte can make a difference",
                    "anbefaling": "The municipality gives priority to Goals 4 (quality "
                    "education), 7 (clean energy), 11 (sustainable cities), 12 (responsible "
                    "consumption) and 13 (climate action) until 2030.",
                    "begrundelse": "These are where the municipality has most influence of "
                    "its own – through schools, buildings, purchasing and planning – and where "
                    "citizens at the dialogue meetings most often said they could contribute.",
                },
            },
            {
                "nr": 2,
                "titel": "Et åbent verdensmålsregnskab hvert år",
                "anbefaling": "Kommunen sætter ti målbare lokale mål for 2030 og offentliggør "
                "hvert år et kort regnskab over fremdriften på hjemmesiden.",
                "begrundelse": "Borgerne skal kunne se, om det går den rigtige vej, og "
                "politikerne skal kunne justere undervejs.",
                "opgaver": [2],
                "udgift": "under-1-mio",
                "mindretal": {
                    "udtalelse": "Et mindretal ønsker, at regnskabet også omfatter "
                    "kommunens samlede CO2-udledning fra indkøb, selv om tallene er usikre.",
                },
            },
            {
                "nr": 3,
                "titel": "En pulje til lokale verdensmålsinitiativer",
                "anbefaling": "Der oprettes en pulje på 500.000 kr. om året, som foreninger, "
                "skoler og grupper af borgere kan søge til lokale initiativer.",
                "begrundelse": "Afprøvningen af byttemarkedet og skolehaverne viste, at små "
                "beløb og hurtig hjælp fra kommunen får mange i gang.",
                "opgaver": [3, 5],
                "udgift": "under-1-mio",
            },
            {
                "nr": 4,
                "titel": "Verdensmål i budget, indkøb og skoler",
                "anbefaling": "Alle sager til de politiske udvalg beskriver, hvilke verdensmål "
                "de påvirker; indkøbspolitikken stiller krav om genbrug og lavt "
                "klimaaftryk; alle skoler får et verdensmålsforløb i udskolingen.",
                "begrundelse": "Verdensmålene skal være en del af de almindelige "
                "beslutninger, ikke et projekt ved siden af.",
                "opgaver": [4, 6],
                "udgift": "1-5-mio",
            },
            {
                "nr": 5,
                "titel": "Et ungepanel for verdensmålene",
                "anbefaling": "Ungerådet får hvert år mandat til at pege på én indsats, "
                "som kommunen afprøver.",
                "begrundelse": "Dialogmødet med elevrådene viste, at de unge vil mere end at "
                "blive hørt – de vil se deres idéer prøvet af.",
                "opgaver": [],
                "udgift": "ingen",
            },
        ],
        "arbejdsgrupper": [
            {"navn": "Klima, natur og ressourcer", "møder": 5},
            {"navn": "Sundhed, lighed og fællesskaber", "møder": 3},
            {"navn": "Partnerskaber og lokal handling", "møder": 4},
        ],
        "dialogmøder": [
            {
                "titel": "Åbent borgermøde på hovedbiblioteket",
                "dato": "2027-04-27",
                "deltagere": 85,
            },
            {
                "titel": "Dialogmøde med elevråd og ungdomsuddannelser",
                "dato": "2027-09-22",
                "deltagere": 40,
            },
        ],
        "evaluering": {
            "besvarelser": 11,
            "spørgsmål": [
                {
                    "spørgsmål": "Jeg kunne bidrage med det, jeg ved",
                    "svar": {"Helt enig": 6, "Enig": 4, "Hverken eller": 1, "Uenig": 0},
                },
                {
                    "spørgsmål": "Jeg ved, hvad der sker med anbefalingerne",
                    "svar": {"Helt enig": 2, "Enig": 5, "Hverken eller": 3, "Uenig": 1},
                },
            ],
            "læring": [
                "Afprøvningerne i praksis gjorde drøftelserne konkrete.",
                "Flere unge skal med fra starten, ikke kun til ét dialogmøde.",
            ],
        },
    },
}


def handover_yaml(slug: str, tasks: list[str], member_ids: list[int]) -> str:
    """The committee's handover file; the minority is the last two members given."""
    content = copy.deepcopy(HANDOVERS.get(slug)) or _generic(tasks)
    for recommendation in content["anbefalinger"]:  # type: ignore[attr-defined]
        if "mindretal" in recommendation:
            recommendation["mindretal"]["medlemmer"] = member_ids[-2:]
    return dump(content)


def _generic(tasks: list[str]) -> dict[str, object]:
    return {
        "anbefalinger": [
            {
                "nr": number,
                "titel": f"Anbefaling til opgave {number}",
                "anbefaling": f"Udvalget anbefaler en indsats for: {task}",
                "begrundelse": "Udvalgets drøftelser og dialogmøder.",
                "opgaver": [number],
                **(
                    {"mindretal": {"udtalelse": "Et mindretal ønsker en anden løsning."}}
                    if number == 2
                    else {}
                ),
            }
            for number, task in enumerate(tasks, start=1)
        ]
    }


STANDING_COMMITTEE_DECISIONS = [
    {
        "beslutning": "følges",
        "begrundelse": "Fagudvalget tilslutter sig anbefalingen og beder administrationen om at "
        "indarbejde den i det videre arbejde.",
    },
    {
        "beslutning": "sendes-til-kb",
        "indstilling": "følges",
        "begrundelse": "Anbefalingen har betydning for kommunens samlede planlægning og afgøres "
        "derfor af Kommunalbestyrelsen.",
    },
    {
        "beslutning": "budgetforhandlinger",
        "begrundelse": "Anbefalingen kræver en bevilling og indgår i forhandlingerne om næste "
        "års budget.",
    },
    {
        "beslutning": "følges-delvist",
        "begrundelse": "Fagudvalget følger anbefalingens hensigt, men beder administrationen om "
        "at finde en løsning inden for de eksisterende rammer.",
    },
    {
        "beslutning": "følges-ikke",
        "begrundelse": "Fagudvalget går ikke videre med anbefalingen nu, men tager den op igen, "
        "når erfaringerne med de øvrige anbefalinger foreligger.",
    },
]
COUNCIL_DECISION = {
    "beslutning": "følges-delvist",
    "begrundelse": "Kommunalbestyrelsen følger anbefalingen, men beder administrationen om også "
    "at belyse et alternativ, før sagen afsluttes.",
}


def decisions_yaml(body: str, numbers: list[int], day: date, item: int) -> str:
    """The standing committee follows the first recommendation, sends the second on to KB
    (proposing that it be followed), sends the third to the budget talks, follows the fourth
    in part and not the fifth; KB follows the second only in part."""
    if body == "kb":
        chosen = {number: dict(COUNCIL_DECISION) for number in numbers}
    else:
        chosen = {
            number: dict(STANDING_COMMITTEE_DECISIONS[min(position, 4)])
            for position, number in enumerate(numbers)
        }
    document = {
        "møde": day.isoformat(),
        "punkt": item,
        "sagsnr": f"00.01.00-A00-{item}-27",
        "beslutninger": chosen,
    }
    return dump(document)


def write_handover(folder: Path, slug: str, tasks: list[str], member_ids: list[int]) -> Path:
    """The handover file and its attachments in `folder`."""
    write(folder / SURVEY, SURVEY_TEXT)
    return write(folder / "aflevering.yaml", handover_yaml(slug, tasks, member_ids))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dump(document: object) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.width = 100
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    out = StringIO()
    yaml.dump(document, out)
    return out.getvalue()
