"""The registry's rules as plain functions: no nameko, no Flask, no database.

Division codes, what a reorganisation does to the villages involved, lineage, terms
of office, and disclosure deadlines. (The campaign stage is fazhi_common.campaign.)
"""
import calendar
import re
from collections import deque
from datetime import date, timedelta

from fazhi_common import division
from fazhi_common.contracts.api.registry import (
    COMMUNITY_KINDS,
    CONVERT,
    FEDERATE,
    MERGE,
    RURAL_COMMUNITY,
    URBAN_COMMUNITY,
    VILLAGE,
)
from fazhi_common.contracts.errors import Conflict, field_error
from fazhi_common.division import Division, InvalidDivision

# -- units and their division codes (fazhi_common.division) -------------------------------
# The registry keeps three levels: county-level units (a county, or a prefecture-level
# city without counties, which holds its towns directly), towns, and communities/villages.

COUNTY, TOWN, COMMUNITY = division.COUNTY, division.TOWN, division.COMMUNITY


def unit_division(code, field="code"):
    """The Division of a code the registry can keep; ValidationFailed naming ``field``."""
    try:
        unit = Division(code)
    except InvalidDivision as exc:
        raise field_error(field, str(exc)) from None
    if not unit.stands_as_county and unit.level not in (TOWN, COMMUNITY):
        raise field_error(field, f"{code} is a {unit.level} code: the registry keeps "
                                 "county-level units (or a prefecture-level city without "
                                 "counties), towns and communities.")
    return unit


def division_level(code, field="code"):
    """Which registry level a code names; ValidationFailed if it names none."""
    unit = unit_division(code, field)
    return COUNTY if unit.stands_as_county else unit.level


def expect_level(code, level, field="code"):
    actual = division_level(code, field)
    if actual != level:
        raise field_error(field, f"{code} is a {actual} code, not a {level} code.")


def parent_code(code):
    """The unit directly above in the registry (a town's county, a community's town)."""
    return None if division_level(code) == COUNTY else Division(code).parent


def check_parent(code, parent, field="code"):
    """A code's prefix must be its parent's: a town inside its county, a village its town."""
    expected = parent_code(code)
    if expected != parent:
        raise field_error(field, f"Code {code} does not lie within {parent}: its prefix "
                                 f"names {expected}.")


def community_kind(urban_rural_code):
    """Urban or rural community by the NBS urban-rural classification (2xx: countryside)."""
    return RURAL_COMMUNITY if (urban_rural_code or "").startswith("2") else URBAN_COMMUNITY


def kind_by_numbering(code, urban_rural_code=None):
    """The unit kind the NBS numbering of a community code implies, or None.

    001-199 is a residents' committee: a community, urban or rural by the urban-rural
    classification; 200-399 a villagers' committee: a village.
    """
    numbered = Division(code).numbered_as
    if numbered == division.NUMBERED_VILLAGE:
        return VILLAGE
    if numbered == division.NUMBERED_COMMUNITY:
        return community_kind(urban_rural_code)
    return None


def numbering_warning(code, kind):
    """A warning when ``kind`` contradicts the NBS numbering of ``code``, else None.

    Only a warning: lists in the field are not always clean, and a village converted
    into a community often keeps its villagers' committee number for years.
    """
    numbered = Division(code).numbered_as
    if numbered == division.NUMBERED_VILLAGE and kind in COMMUNITY_KINDS:
        return (f"numbered {Division(code).number:03d}, a villagers' committee number "
                f"(200-399), but the kind is {kind}")
    if numbered == division.NUMBERED_COMMUNITY and kind == VILLAGE:
        return (f"numbered {Division(code).number:03d}, a residents' committee number "
                f"(001-199), but the kind is {kind}")
    return None


# -- reorganisation: convert (转), merge (并), federate (联) --------------------------------

def plan_reorganisation(kind, sources, result, result_is_new):
    """Check a reorganisation and say what happens to each unit.

    ``sources`` and ``result`` are mappings with ``code``, ``kind``, ``status``,
    ``county_code`` and ``federated_into`` (``result`` from the request when it is new).
    Returns ``(deactivated_codes, federated_codes)``.
    """
    codes = [s["code"] for s in sources]
    if len(set(codes)) != len(codes):
        raise field_error("source_codes", "A village is listed twice.")
    minimum = {CONVERT: 1, MERGE: 2, FEDERATE: 1}[kind]
    if len(sources) < minimum or (kind == CONVERT and len(sources) != 1):
        raise field_error("source_codes", {
            CONVERT: "Convert takes exactly one village.",
            MERGE: "Merge takes at least two villages.",
            FEDERATE: "Federate takes at least one village.",
        }[kind])
    for s in sources:
        if s["status"] != "active":
            raise Conflict(f"Village {s['code']} is inactive and cannot be reorganised.",
                           {"source_codes": [f"{s['code']} is inactive"]})
        if s["kind"] != VILLAGE:
            raise field_error("source_codes", f"{s['code']} is a {s['kind']}, not a village.")
        if s.get("federated_into"):
            raise Conflict(f"Village {s['code']} is federated under {s['federated_into']}.",
                           {"source_codes": [f"{s['code']} is already federated"]})
        if s["county_code"] != result["county_code"]:
            raise field_error("source_codes", f"{s['code']} is in another county than the "
                                              "resulting unit.")
    if not result_is_new and result["status"] != "active":
        raise Conflict(f"The resulting unit {result['code']} is inactive.",
                       {"result_code": ["inactive"]})

    if kind in (CONVERT, FEDERATE):
        if result["kind"] not in COMMUNITY_KINDS:
            raise field_error("result_code", f"{kind.capitalize()} must result in a community.")
        if result["code"] in codes:
            raise field_error("result_code", "The resulting community must differ from "
                                             "its villages.")
    if kind == FEDERATE:
        return [], codes
    # convert or merge: every source other than a surviving result stops existing
    return [c for c in codes if c != result["code"]], []


def trace(start, step):
    """Breadth-first walk of lineage from ``start``.

    ``step(code)`` yields ``(link, next_code)`` pairs: the reorganisation and the unit on
    its other side. Returns the links in the order met, each once.
    """
    seen_codes, seen_links, found = {start}, set(), []
    queue = deque([start])
    while queue:
        for link, nxt in step(queue.popleft()):
            if link["id"] not in seen_links:
                seen_links.add(link["id"])
                found.append(link)
            if nxt not in seen_codes:
                seen_codes.add(nxt)
                queue.append(nxt)
    return found


# -- self-governance bodies: terms and elections -----------------------------------------

# 居民委员会组织法 / 村民委员会组织法: a term of five years since 2018, for every body kind
TERM_YEARS = 5


def due_for_election(term_ends_on, today):
    """A body with no term on record, or whose term has run out, is due for election."""
    return term_ends_on is None or term_ends_on <= today


def check_election(eligible_voters, votes_cast):
    if votes_cast > eligible_voters:
        raise field_error("votes_cast", "More votes cast than eligible voters.")


# -- affairs disclosures --------------------------------------------------------------

PERIOD_PATTERN = re.compile(r"^(\d{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))$")


def period_bounds(period):
    """First and last day of ``YYYY-Qn`` or ``YYYY-MM``."""
    match = PERIOD_PATTERN.match(period or "")
    if not match:
        raise field_error("period", "A period is YYYY-Qn (quarter) or YYYY-MM (month).")
    year = int(match.group(1))
    if match.group(2):
        first_month = 3 * (int(match.group(2)) - 1) + 1
        last_month = first_month + 2
    else:
        first_month = last_month = int(match.group(3))
    return (date(year, first_month, 1),
            date(year, last_month, calendar.monthrange(year, last_month)[1]))


def disclosure_on_time(period, disclosed_on, grace_days):
    """Disclosed within ``grace_days`` after the period ends; never before it starts."""
    start, end = period_bounds(period)
    if disclosed_on < start:
        raise field_error("disclosed_on", "A disclosure cannot precede its period.")
    return disclosed_on <= end + timedelta(days=grace_days)


# -- unified social credit code (统一社会信用代码, GB 32100-2015) ----------------------------

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_credit_code(text):
    if not isinstance(text, str) or len(text) != 18:
        return False
    text = text.upper()
    if any(ch not in _CREDIT_CHARS for ch in text):
        return False
    pairs = zip(text[:17], _CREDIT_WEIGHTS, strict=True)
    total = sum(_CREDIT_CHARS.index(ch) * weight for ch, weight in pairs)
    return _CREDIT_CHARS[(31 - total % 31) % 31] == text[17]


def share(part, whole):
    return round(part / whole, 4) if whole else None
