"""Whether an applicant meets a competence profile's hard criteria (age band, residence)."""

from opgaveudvalg.mandate.model import Kompetenceprofil
from opgaveudvalg.recruitment.rows import IntakeRules


def eligibility(
    profile: Kompetenceprofil, birth_year: int, postcode: str, rules: IntakeRules
) -> tuple[bool, str]:
    """The profile's hard criteria for one applicant, with the reason in Danish."""
    age = rules.reference_year - birth_year
    band = profile.hårde_kriterier.alder
    if band and (
        (band.min is not None and age < band.min) or (band.max is not None and age > band.max)
    ):
        wanted = f"{band.min or 0}–{band.max}" if band.max is not None else f"mindst {band.min}"
        return False, f"er {age} år i {rules.reference_year}; profilen kræver {wanted} år"
    if profile.hårde_kriterier.bopæl_i_kommunen and postcode not in rules.postcodes:
        return False, f"bor uden for kommunen (postnr. {postcode})"
    return True, "opfylder de hårde kriterier"
