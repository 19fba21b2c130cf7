"""Validating a mandate file: the format (Pydantic) plus the rules that span several fields,
every problem reported as file:line: field: message in Danish or English."""

from collections import Counter
from pathlib import Path

from opgaveudvalg.mandate.model import Mandate, Repræsentationsmål
from opgaveudvalg.yamlinput import (
    FieldPath,
    FileInvalid,
    Lang,
    Problem,
    format_path,
    line_of,
    pick,
    read_yaml,
    validate,
)


def _cross_field_problems(mandate: Mandate, lang: Lang) -> list[tuple[FieldPath, str]]:
    """Rules that involve more than one field, each with the path it is reported at."""
    problems: list[tuple[FieldPath, str]] = []
    seats = mandate.sammensætning.borgere

    if mandate.profile_seats > seats:
        problems.append(
            (
                ("kompetenceprofiler",),
                pick(
                    lang,
                    f"profilerne har i alt {mandate.profile_seats} pladser, men udvalget har kun "
                    f"{seats} borgerpladser (sammensætning.borgere)",
                    f"the profiles have {mandate.profile_seats} seats in all, but the committee has only "
                    f"{seats} citizen seats (sammensætning.borgere)",
                ),
            )
        )
    for field in ("nøgle", "betegnelse"):
        seen: set[str] = set()
        for index, profile in enumerate(mandate.kompetenceprofiler):
            value = getattr(profile, field)
            if value.casefold() in seen:
                problems.append(
                    (
                        ("kompetenceprofiler", index, field),
                        pick(
                            lang,
                            f"'{value}' er brugt af en anden profil – hver profil skal være unik",
                            f"'{value}' is used by another profile – each profile must be unique",
                        ),
                    )
                )
            seen.add(value.casefold())
    for index, profile in enumerate(mandate.kompetenceprofiler):
        age = profile.hårde_kriterier.alder
        if age and age.min is not None and age.max is not None and age.min > age.max:
            problems.append(
                (
                    ("kompetenceprofiler", index, "hårde_kriterier", "alder"),
                    pick(
                        lang,
                        f"min ({age.min}) er større end max ({age.max})",
                        f"min ({age.min}) is greater than max ({age.max})",
                    ),
                )
            )

    plan = mandate.tidsplan
    if plan.aflevering <= plan.start:
        problems.append(
            (
                ("tidsplan", "aflevering"),
                pick(
                    lang,
                    f"afleveringen ({plan.aflevering}) skal ligge efter start ({plan.start})",
                    f"the handover ({plan.aflevering}) must come after the start ({plan.start})",
                ),
            )
        )
    deadline = mandate.rekruttering.ansøgningsfrist
    if deadline >= plan.start:
        problems.append(
            (
                ("rekruttering", "ansøgningsfrist"),
                pick(
                    lang,
                    f"ansøgningsfristen ({deadline}) skal ligge før start ({plan.start})",
                    f"the application deadline ({deadline}) must come before the start ({plan.start})",
                ),
            )
        )
    milestones = plan.milepæle if plan.start < plan.aflevering else []  # else one error suffices
    for index, milestone in enumerate(milestones):
        if not plan.start <= milestone.dato <= plan.aflevering:
            problems.append(
                (
                    ("tidsplan", "milepæle", index, "dato"),
                    pick(
                        lang,
                        f"{milestone.dato} ligger uden for perioden {plan.start}–{plan.aflevering}",
                        f"{milestone.dato} lies outside the period {plan.start}–{plan.aflevering}",
                    ),
                )
            )

    problems += _target_problems(mandate.repræsentationsmål, seats, lang)
    return problems


def _target_problems(
    targets: list[Repræsentationsmål], seats: int, lang: Lang
) -> list[tuple[FieldPath, str]]:
    problems: list[tuple[FieldPath, str]] = []
    keys = Counter((t.kategori.casefold(), t.gruppe.casefold()) for t in targets)
    minimum_by_category: dict[str, tuple[int, int]] = {}
    for index, target in enumerate(targets):
        path: FieldPath = ("repræsentationsmål", index)
        if all(
            bound is None
            for bound in (
                target.min_antal,
                target.max_antal,
                target.min_procent,
                target.max_procent,
            )
        ):
            problems.append(
                (
                    path,
                    pick(
                        lang,
                        "angiv mindst én grænse: min_antal, max_antal, min_procent eller max_procent",
                        "give at least one bound: min_antal, max_antal, min_procent or max_procent",
                    ),
                )
            )
            continue
        if keys[(target.kategori.casefold(), target.gruppe.casefold())] > 1:
            problems.append(
                (
                    path,
                    pick(
                        lang,
                        f"gruppen '{target.gruppe}' i '{target.kategori}' har mere end ét mål",
                        f"the group '{target.gruppe}' in '{target.kategori}' has more than one target",
                    ),
                )
            )
        low, high = target.seat_bounds(seats)
        if low > high:
            problems.append(
                (
                    path,
                    pick(
                        lang,
                        f"kan ikke opfyldes: '{target.gruppe}' skal have mindst {low} og højst {high} "
                        f"af {seats} borgerpladser",
                        f"cannot be met: '{target.gruppe}' needs at least {low} and at most {high} "
                        f"of {seats} citizen seats",
                    ),
                )
            )
        category = target.kategori.casefold()
        total, first = minimum_by_category.get(category, (0, index))
        minimum_by_category[category] = (total + low, first)
    for category, (total, first) in minimum_by_category.items():
        if total > seats:
            problems.append(
                (
                    ("repræsentationsmål", first, "kategori"),
                    pick(
                        lang,
                        f"målene for kategorien '{category}' kræver mindst {total} pladser, "
                        f"men der er kun {seats} borgerpladser",
                        f"the targets for the category '{category}' need at least {total} seats, "
                        f"but there are only {seats} citizen seats",
                    ),
                )
            )
    return problems


def load_mandate(path: Path, lang: Lang = "da") -> Mandate:
    """Read and validate a mandate file; raises FileInvalid listing every problem found."""
    document = read_yaml(path, lang, "'titel:' og 'baggrund:'", "'titel:' and 'baggrund:'")
    name = str(path)
    mandate = validate(Mandate, document, name, lang)
    problems = [
        Problem(name, line_of(document, field_path), format_path(field_path), message)
        for field_path, message in _cross_field_problems(mandate, lang)
    ]
    if mandate.slug != path.stem:
        problems.append(
            Problem(
                name,
                line_of(document, ("slug",)),
                "slug",
                pick(
                    lang,
                    f"skal være det samme som filnavnet ('{path.stem}')",
                    f"must equal the file name ('{path.stem}')",
                ),
            )
        )
    if problems:
        raise FileInvalid(problems)
    return mandate
