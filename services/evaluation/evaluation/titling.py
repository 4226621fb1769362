"""The rules of titles as plain functions: what a title rests on, who names, revokes,
re-examines or vetoes one at which level, what local policy adds (expiry, a wait before
re-applying, a lower title first) and what the rule-of-law title lets a community apply for."""
from fazhi_common.clock import add_years
from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.errors import Conflict, Forbidden, ValidationFailed
from fazhi_common.contracts.roles import CIVIL_AFFAIRS_OFFICER, JUSTICE_OFFICER
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


# -- joint naming: the two departments of the title's level -----------------------------------
# The national title is named by 司法部 and 民政部 together, a province's by its two
# departments, a city's and a county's by their two bureaus; each records its own decision
# and the act takes effect when both have decided.
DEPARTMENTS = tuple(vocabulary.TITLE_DEPARTMENTS)
DEPARTMENT_OF_ROLE = {JUSTICE_OFFICER: "justice", CIVIL_AFFAIRS_OFFICER: "civil_affairs"}
JOINT_ACTS = tuple(vocabulary.TITLE_ACTS)
RE_EXAMINATION_OUTCOMES = tuple(vocabulary.RE_EXAMINATION_OUTCOMES)  # 保留 / 撤销 / 注销
NAMING_CITATION = ("司法部 民政部《“全国民主法治示范村（社区）”命名管理办法》：全国称号由司法部、"
                   "民政部命名；省级称号由省司法厅、省民政厅命名（如甘肃《“全省民主法治示范村"
                   "（社区）”命名管理办法》第一条），市、县级由同级司法行政部门和民政部门命名")
RE_EXAMINATION_CITATION = ("司法部 民政部每两年对称号复核一次，提出保留、撤销、注销意见（司法部 "
                           "民政部《关于2021年度“全国民主法治示范村（社区）”复核工作情况的通报》）")
CITATIONS = {"award": NAMING_CITATION, "revoke": NAMING_CITATION,
             "re_examine": RE_EXAMINATION_CITATION}
_LEVEL_OF_AREA = {PROVINCE: "province", PREFECTURE: "city", COUNTY: "county"}
# why a community may not yet apply for a dependent title: read by a person, in Chinese
RULE_OF_LAW_TITLE = vocabulary.AWARDED_TITLES["rule_of_law_community"]
TITLE_STATUS_NAMES = dict(vocabulary.TITLE_STATUSES)


def levels_of_area(area):
    """The one title level an area's departments name: None (no area) is national; a city
    without counties is both the city and the county its towns hang from."""
    if area is None:
        return {"national"}
    if area.level == PREFECTURE and area.stands_as_county:
        return {"city", "county"}
    return {_LEVEL_OF_AREA[area.level]} if area.level in _LEVEL_OF_AREA else set()


def deciding_department(level, role, area, field="level"):
    """The department (justice or civil_affairs) whose decision the caller records.

    Refused unless the caller is an officer of one of the two departments and its area is
    of the title's level: a platform administrator belongs to neither department, a county's
    bureau names no provincial title and a province's no county one.
    """
    department = DEPARTMENT_OF_ROLE.get(role)
    if department is None:
        raise Forbidden(f"Only an officer of the justice or the civil-affairs department of "
                        f"the {level} level decides on a {level} title.",
                        {"role": [f"{role} belongs to neither naming department"]})
    if level not in levels_of_area(area):
        where = "no area (national)" if area is None else f"a {area.level} area"
        raise Forbidden(f"A {level} title is decided by the departments of that level; "
                        f"yours is {where}.",
                        {field: [f"a {level} title is not decided at your area's level"]})
    return department


def may_decide(level, role, area):
    """Whether the caller decides on titles of ``level`` (what a confirmed veto may end)."""
    return role in DEPARTMENT_OF_ROLE and level in levels_of_area(area)


def joint_outcome(open_decisions, department, act, outcome):
    """Whether a department's decision completes a joint act.

    ``open_decisions`` are the decisions of the act not yet in effect, as mappings with
    ``department`` and ``outcome``. Returns True when the other department has decided the
    same; False when the act still awaits it. Refuses a second decision by one department
    and an outcome the other department did not decide.
    """
    mine = [d for d in open_decisions if d["department"] == department]
    if mine:
        raise Conflict(f"Your department already decided ({mine[0]['outcome']}); the act "
                       f"awaits the other department.", {"department": ["already decided"]})
    others = [d for d in open_decisions if d["department"] != department]
    if others and others[0]["outcome"] != outcome:
        raise Conflict(f"The other department decided {others[0]['outcome']}, not "
                       f"{outcome}: the two departments decide {act} together.",
                       {"outcome": [f"the other department decided {others[0]['outcome']}"]})
    return bool(others)


# -- local policy: data an operator sets, each rule with its source ----------------------------

def local_prerequisite(rules, province, level):
    """The rule of ``rules`` (policy mappings: province, level, requires, source) that a
    community of ``province`` (two digits) must meet for a ``level`` title, or None."""
    for rule in rules:
        if rule["province"] == province and rule["level"] == level:
            return rule
    return None


def check_local_prerequisite(rule, held_levels):
    """Refuse a title whose province asks a lower title first (甘肃: a city title before a
    provincial one), naming the rule's source."""
    if rule and rule["requires"] not in held_levels:
        raise Conflict(f"This province asks for a {rule['requires']} title before a "
                       f"{rule['level']} one ({rule['source']}).",
                       {"level": [f"requires a current {rule['requires']} title: "
                                  f"{rule['source']}"]})


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
    """Held, and within a local validity if one is set (no national text sets one)."""
    return title["status"] == "held" and (title["valid_until"] is None
                                          or title["valid_until"] >= today)


def prerequisite(titles, vetoed_now, today):
    """Whether a community may apply for a title that requires the rule-of-law title.

    ``titles`` are the community's rule-of-law titles (mappings). Returns
    ``(eligible, reasons, qualifying title id)``.
    """
    current = [t for t in titles if title_current(t, today)]
    reasons = []
    if not current:
        ended = [t for t in titles if t["status"] != "held"]
        expired = [t for t in titles if t["status"] == "held" and not title_current(t, today)]
        if ended:
            last = ended[-1]
            status = TITLE_STATUS_NAMES.get(last["status"], last["status"])
            reasons.append(f"{RULE_OF_LAW_TITLE}称号{status}"
                           + (f"（{last['end_reason']}）" if last.get("end_reason") else ""))
        elif expired:
            reasons.append(f"{RULE_OF_LAW_TITLE}称号已于 {expired[-1]['valid_until']} 到期")
        else:
            reasons.append(f"未获得{RULE_OF_LAW_TITLE}称号")
    if vetoed_now:
        reasons.append("本考评周期被一票否决")
    best = max(current, key=lambda t: (t["valid_until"] is None, t["valid_until"] or today)
               ) if current else None
    return not reasons, reasons, (best["id"] if best and not reasons else None)
