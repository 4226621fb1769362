"""The legal services' rules that are not legal aid's lifecycle, as plain functions: area
of a community or a government, masking of personal data and who may see it unmasked,
resident ID checks, coverage of governments by their advisers, rates."""
import re

from fazhi_common.contracts import resident_id
from fazhi_common.contracts.errors import Conflict, ValidationFailed, field_error
from fazhi_common.division import (
    COUNTY,
    PREFECTURE,
    TOWN,
    Division,
)

# a government's level (三级政府: city, county, town) from its unit's level
GOVERNMENT_LEVEL = {PREFECTURE: "city", COUNTY: "county", TOWN: "town"}


def next_status(status, action, transitions, subject):
    """The status ``action`` leads to from ``status`` in a lifecycle's ``transitions``;
    Conflict (409) naming what is allowed otherwise."""
    if action not in transitions:
        raise field_error("action", f"Unknown action {action!r}.")
    allowed = transitions[action]
    if status not in allowed:
        raise Conflict(
            f"{subject} that is {status} cannot take the step {action}; it is allowed only "
            f"from: {', '.join(sorted(allowed))}.",
            {"status": [status], "allowed_from": sorted(allowed)})
    return allowed[status]


def government_of(code, field_name="government_code"):
    """``(level, county code or None)`` of the government a code names: a city (a
    prefecture-level unit), a county-level unit or a town."""
    division = Division(code)
    level = "county" if division.stands_as_county else GOVERNMENT_LEVEL.get(division.level)
    if level is None:
        raise field_error(field_name, f"{code} is not a city, county or town.")
    county = division.county
    return level, (str(county) if county is not None and level != "city" else None)


def city_of(code):
    """The prefecture-level city holding a unit."""
    return str(Division(code).at(PREFECTURE))


def default_supervising_department(county_code):
    """The county justice bureau, in the department naming the platform uses."""
    return f"justice-{Division(county_code).prefix}"


def adviser_coverage(governments, served):
    """Per level: how many governments, how many have an adviser under contract, and which
    have none. ``governments`` maps level -> codes; ``served`` is the set of codes."""
    levels = []
    for level in ("city", "county", "town"):
        codes = sorted(governments.get(level, ()))
        without = [c for c in codes if c not in served]
        levels.append({"level": level, "governments": len(codes),
                       "with_adviser": len(codes) - len(without),
                       "coverage": rate(len(codes) - len(without), len(codes)),
                       "without": without})
    return levels


def rate(part, whole):
    return round(part / whole, 4) if whole else None


# -- resident ID numbers and parties ---------------------------------------------------------

def valid_resident_id(number):
    return (isinstance(number, str) and re.fullmatch(r"\d{17}[\dXx]", number) is not None
            and resident_id.problem(number) is None)


def check_applicant(applicant, prefix="applicant"):
    """The applicant with its ID number upper-cased; ValidationFailed if it fails GB 11643."""
    if applicant.get("id_number") and not valid_resident_id(applicant["id_number"]):
        raise ValidationFailed("A party's ID number is not valid.", {
            f"{prefix}.0.id_number": ["Not a valid resident ID number (birth date or check "
                                      "character is wrong)."]})
    number = applicant.get("id_number")
    return {**applicant, "id_number": number.upper() if number else None}


# -- personal data: masking and who may see it --------------------------------------------------









def may_see_personal_data(role, covers_record):
    """Applicants' and callers' data unmasked: a platform administrator, or a justice
    officer whose area holds the record; everyone else sees it masked."""
    return role == "platform_admin" or (role == "justice_officer" and covers_record)
