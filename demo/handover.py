"""The example committees' handover and the decisions on it, as the secretariat would write the
files: recommendations (one with a minority statement, one that answers none of the mandate's
tasks), the work as recorded, the members' evaluation, then the standing committee's and KB's
decisions."""

from datetime import date
from io import StringIO
from pathlib import Path

from ruamel.yaml import YAML

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
            {"titel": "Åbent borgermøde om visionen", "dato": "2027-04-13", "deltagere": 140},
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
}


def handover_yaml(slug: str, tasks: list[str], member_ids: list[int]) -> str:
    """The committee's handover file; the minority is the last two members given."""
    content = HANDOVERS.get(slug) or _generic(tasks)
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


def decisions_yaml(body: str, numbers: list[int], day: date, item: int) -> str:
    """The standing committee follows the first, sends the second on to KB (proposing that
    it be followed), the rest to the budget talks; KB follows the second in part."""
    if body == "kb":
        chosen = {
            n: {
                "beslutning": "følges-delvist",
                "begrundelse": "KB følger anbefalingen, men vil se et alternativ belyst.",
            }
            for n in numbers
        }
    else:
        chosen = {}
        for position, number in enumerate(numbers):
            if position == 0:
                chosen[number] = {"beslutning": "følges", "begrundelse": "Fagudvalget er enigt."}
            elif position == 1:
                chosen[number] = {
                    "beslutning": "sendes-til-kb",
                    "indstilling": "følges",
                    "begrundelse": "Placeringen kræver KB's beslutning.",
                }
            else:
                chosen[number] = {
                    "beslutning": "budgetforhandlinger",
                    "begrundelse": "Udgiften tages op ved budgetforhandlingerne.",
                }
    document = {
        "møde": day.isoformat(),
        "punkt": item,
        "sagsnr": f"00.01.00-A00-{item}-27",
        "beslutninger": chosen,
    }
    return dump(document)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def dump(document: object) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_unicode = True
    yaml.default_flow_style = False
    yaml.width = 100
    out = StringIO()
    yaml.dump(document, out)
    return out.getvalue()
