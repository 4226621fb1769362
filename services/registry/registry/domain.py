"""The registry's rules as plain functions: no nameko, no Flask, no database.

Division codes, what a reorganisation does to the villages involved, lineage, terms
of office, and disclosure deadlines. (The campaign stage is fazhi_common.campaign.)
"""
import calendar
import re
from collections import deque
from datetime import date, timedelta

from fazhi_common.errors import Conflict, ValidationFailed, field_error

# -- statistical division codes (统计用区划代码): 6 digits county, 3 town, 3 village --------

CODE_PATTERN = re.compile(r"^\d{12}$")
COUNTY, TOWN, COMMUNITY = "county", "town", "community"


def division_level(code):
    """Which level a 12-digit code names; ValidationFailed if it names none."""
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        raise field_error("code", "A division code is exactly 12 digits.")
    county, town, village = code[:6], code[6:9], code[9:]
    if county[4:6] == "00" or county[2:4] == "00":
        raise field_error("code", "The first six digits must name a county-level unit "
                                  "(digits 3-6 cannot end in 00).")
    if town == "000":
        if village != "000":
            raise field_error("code", "A village code needs a town part (digits 7-9).")
        return COUNTY
    return TOWN if village == "000" else COMMUNITY


def expect_level(code, level, field="code"):
    try:
        actual = division_level(code)
    except ValidationFailed as exc:
        raise field_error(field, exc.message) from None
    if actual != level:
        raise field_error(field, f"{code} is a {actual} code, not a {level} code.")


def parent_code(code):
    """The code of the unit directly above (county for a town, town for a community)."""
    level = division_level(code)
    if level == TOWN:
        return code[:6] + "000000"
    if level == COMMUNITY:
        return code[:9] + "000"
    return None


def check_parent(code, parent, field="code"):
    """A code's prefix must be its parent's: a town inside its county, a village its town."""
    expected = parent_code(code)
    if expected != parent:
        raise field_error(field, f"Code {code} does not lie within {parent}: its prefix "
                                 f"names {expected}.")


# -- reorganisation: convert (转), merge (并), federate (联) --------------------------------

CONVERT, MERGE, FEDERATE = "convert", "merge", "federate"
VILLAGE = "village"
COMMUNITY_KINDS = ("urban_community", "rural_community")
UNIT_KINDS = COMMUNITY_KINDS + (VILLAGE,)


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

BODY_KINDS = {
    # kind: default term in years (居民委员会组织法 / 村民委员会组织法: five years since 2018)
    "residents_committee": 5,
    "villagers_committee": 5,
    "deliberation_supervision_committee": 5,
    "residents_assembly": 5,
    "representative_assembly": 5,
    "collective_economic_organisation": 5,
}


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


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


def valid_credit_code(code):
    if not isinstance(code, str) or len(code) != 18:
        return False
    code = code.upper()
    if any(ch not in _CREDIT_CHARS for ch in code):
        return False
    pairs = zip(code[:17], _CREDIT_WEIGHTS, strict=True)
    total = sum(_CREDIT_CHARS.index(ch) * weight for ch, weight in pairs)
    return _CREDIT_CHARS[(31 - total % 31) % 31] == code[17]


def share(part, whole):
    return round(part / whole, 4) if whole else None
