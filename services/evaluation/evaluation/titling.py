"""The rules of titles as plain functions: what a title rests on, who may award, revoke
or veto one at which level, when a revoked community may apply again, and what the
rule-of-law title lets a community apply for."""
from fazhi_common.clock import add_years
from fazhi_common.contracts.errors import Forbidden, ValidationFailed
from fazhi_common.division import COUNTY, PREFECTURE, PROVINCE


def check_award(result):
    """A title rests on a passed, unvetoed result for the period."""
    if result is None:
        raise ValidationFailed("No evaluation result for that community and period.",
                               {"period": ["not evaluated"]})
    if result["vetoed"]:
        return "vetoed for the period"
    if not result["passed"]:
        return (f"score {result['score']} is below the {result['stage']} threshold "
                f"{result['pass_threshold']}")
    return None


TITLE_LEVEL_ORDER = ("county", "city", "province", "national")
# how far an area reaches: a county's officers act on county titles, a city's on county
# and city titles, a province's up to provincial ones; bodies with no area in their
# identity (national) on any level; a town's officers on none
_LEVEL_OF_AREA = {PROVINCE: "province", PREFECTURE: "city", COUNTY: "county"}


def authority_level(area):
    """The highest title level an area's officers may award, revoke or veto (None: none).

    ``area`` is the caller's Division; None is no area, above every province.
    """
    if area is None:
        return TITLE_LEVEL_ORDER[-1]
    return _LEVEL_OF_AREA.get(area.level)


def within_authority(level, area):
    highest = authority_level(area)
    return highest is not None and (TITLE_LEVEL_ORDER.index(level)
                                    <= TITLE_LEVEL_ORDER.index(highest))


def check_authority(level, area, act="grants", field="level"):
    """Refuse to award, revoke or veto a title above the level of the caller's area."""
    if not within_authority(level, area):
        allowed = authority_level(area) or "no"
        raise Forbidden(f"Your area {act} {allowed} titles, not {level} titles: only an "
                        f"authority at or above a title's level may.",
                        {field: [f"a {level} title is above your area's level ({allowed})"]})


def check_granting_level(level, area):
    """Refuse a title above the level the caller's area may grant (towns grant none)."""
    if not within_authority(level, area):
        allowed = authority_level(area) or "no"
        raise ValidationFailed(f"Your area grants {allowed} titles, not {level} titles.",
                               {"level": [f"above your area's level ({allowed})"]})


# what a reorganisation does to a unit's titles: a convert is the same unit under a new
# name and code, so its titles go with it; a merge drops the villages' names, so their
# titles wait for an officer's decision (transfer to the new unit, or cancel); federated
# villages keep their identity and their titles, which an officer may still transfer
TITLES_ON_REORGANISATION = {"convert": "carry", "merge": "await_decision",
                            "federate": "keep"}
TITLE_DECISIONS = ("transfer", "cancel")


def reapply_date(revoked_on, wait_years):
    """A revoked community may apply for the title again ``wait_years`` after revocation."""
    return add_years(revoked_on, wait_years)


def title_current(title, today):
    return title["status"] == "held" and title["valid_until"] >= today


def prerequisite(titles, vetoed_now, today):
    """Whether a community may apply for a title that requires the rule-of-law title.

    ``titles`` are the community's rule-of-law titles (mappings). Returns
    ``(eligible, reasons, qualifying title id)``.
    """
    current = [t for t in titles if title_current(t, today)]
    reasons = []
    if not current:
        ended = [t for t in titles if t["status"] != "held"]
        expired = [t for t in titles if t["status"] == "held" and t["valid_until"] < today]
        if ended:
            reasons.append(f"its rule-of-law community title was {ended[-1]['status']}"
                           f" ({ended[-1]['end_reason']})")
        elif expired:
            reasons.append(f"its rule-of-law community title expired on "
                           f"{expired[-1]['valid_until']}")
        else:
            reasons.append("it holds no rule-of-law community title")
    if vetoed_now:
        reasons.append("it is vetoed for the current period")
    best = max(current, key=lambda t: t["valid_until"]) if current else None
    return not reasons, reasons, (best["id"] if best and not reasons else None)
