"""Validating a mandate file: the format (Pydantic) plus the rules that span several fields,
every problem reported as file:line: field: message in Danish or English."""

from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from opgaveudvalg.mandate.model import Aldersinterval, Mandate, Repræsentationsmål
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
    for field in ("nøgle", "betegnelse", "betegnelse_neutral"):
        seen: set[str] = set()
        for index, profile in enumerate(mandate.kompetenceprofiler):
            value = getattr(profile, field)
            if value is None:
                continue
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
    if mandate.profile_seats <= seats:
        problems += _profile_target_problems(mandate, lang)
    return problems


_NO_AGE_LIMIT = 1000


def _ages(band: Aldersinterval | None) -> tuple[int, int]:
    if band is None:
        return 0, _NO_AGE_LIMIT
    return band.min or 0, _NO_AGE_LIMIT if band.max is None else band.max


def _profile_target_problems(mandate: Mandate, lang: Lang) -> list[tuple[FieldPath, str]]:
    """Age targets that the profiles' age criteria rule out (a necessary condition, not a
    solver): seats whose profile only admits people in the group, beyond the group's maximum;
    and a minimum larger than the seats whose profile admits anyone in the group. (Residence
    has no counterpart among the targets, which are by age, gender or an applicant's answer.)"""
    problems: list[tuple[FieldPath, str]] = []
    seats = mandate.sammensætning.borgere
    profiles = [
        (profile.nøgle, profile.pladser, _ages(profile.hårde_kriterier.alder))
        for profile in mandate.kompetenceprofiler
    ]
    profiles = [(key, n, (low, high)) for key, n, (low, high) in profiles if low <= high]
    for index, target in enumerate(mandate.repræsentationsmål):
        least, most = target.seat_bounds(seats)
        if target.alder is None or least > most:
            continue
        group_low, group_high = _ages(target.alder)
        inside = [(k, n) for k, n, (lo, hi) in profiles if group_low <= lo and hi <= group_high]
        outside = [(k, n) for k, n, (lo, hi) in profiles if hi < group_low or lo > group_high]
        forced = sum(n for _, n in inside)
        if forced > most:
            problems.append(((index,), _too_many(target.gruppe, inside, forced, most, lang)))
        supply = seats - sum(n for _, n in outside)
        if least > supply:
            problems.append(((index,), _too_few(target.gruppe, outside, least, supply, lang)))
    return [(("repræsentationsmål", *path), message) for path, message in problems]


def _names(profiles: list[tuple[str, int]]) -> str:
    return ", ".join(f"'{key}' ({seats})" for key, seats in profiles)


def _too_many(group: str, inside: list[tuple[str, int]], forced: int, most: int, lang: Lang) -> str:
    return pick(
        lang,
        f"kan ikke opfyldes: profilerne {_names(inside)} har {forced} pladser, som kun personer "
        f"i '{group}' kan få (hårde_kriterier.alder), men målet tillader højst {most}",
        f"cannot be met: the profiles {_names(inside)} have {forced} seats that only people in "
        f"'{group}' can take (hårde_kriterier.alder), but the target allows at most {most}",
    )


def _too_few(
    group: str, outside: list[tuple[str, int]], least: int, supply: int, lang: Lang
) -> str:
    return pick(
        lang,
        f"kan ikke opfyldes: '{group}' skal have mindst {least} pladser, men kun {supply} "
        f"pladser kan gå til gruppen – profilerne {_names(outside)} kræver en alder uden for "
        "gruppen (hårde_kriterier.alder)",
        f"cannot be met: '{group}' needs at least {least} seats, but only {supply} seats can "
        f"go to the group – the profiles {_names(outside)} require an age outside the group "
        "(hårde_kriterier.alder)",
    )


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


def _read(path: Path, lang: Lang) -> Any:
    return read_yaml(path, lang, "'titel:' og 'baggrund:'", "'titel:' and 'baggrund:'")


def load_mandate(path: Path, lang: Lang = "da") -> Mandate:
    """Read and validate a mandate file; raises FileInvalid listing every problem found."""
    document = _read(path, lang)
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


def milestone_warnings(
    path: Path, mandate: Mandate, meeting_days: Sequence[date], lang: Lang = "da"
) -> list[Problem]:
    """Warnings, not errors: each milestone whose date is none of the committee's meeting days
    (`meeting_days`, as the meeting plan proposes them for the mandate's timetable)."""
    if not meeting_days:
        return []
    document = _read(path, lang)
    warnings = []
    for index, milestone in enumerate(mandate.tidsplan.milepæle):
        if milestone.dato in meeting_days:
            continue
        nearest = min(meeting_days, key=lambda day: (abs((day - milestone.dato).days), day))
        field_path: FieldPath = ("tidsplan", "milepæle", index, "dato")
        warnings.append(
            Problem(
                str(path),
                line_of(document, field_path),
                format_path(field_path),
                pick(
                    lang,
                    f"{milestone.dato} er ikke en mødedag – det nærmeste møde er efter "
                    f"planen {nearest}",
                    f"{milestone.dato} is not a meeting day – the nearest meeting in the plan "
                    f"is on {nearest}",
                ),
            )
        )
    return warnings
