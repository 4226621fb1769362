"""Rules of community self-governance as plain functions: no nameko, Flask or database.

A meeting's quorum by its kind, as the Organic Laws set it, and the order of the
"四议两公开" steps of a village's major matter. Each rule names its source (docs/rules.md,
"基层自治").
"""
from fazhi_common.contracts.errors import field_error

VILLAGERS_MEETING = "villagers_meeting"
VILLAGERS_REPRESENTATIVE_MEETING = "villagers_representative_meeting"
RESIDENTS_MEETING = "residents_meeting"
RESIDENTS_REPRESENTATIVE_MEETING = "residents_representative_meeting"

# kind -> the rule in words, with its law and article (shown beside every meeting)
QUORUM_RULES = {
    VILLAGERS_MEETING: "村民委员会组织法（2018年修正）第二十二条：本村十八周岁以上村民的过半数，"
                       "或者本村三分之二以上的户的代表参加",
    VILLAGERS_REPRESENTATIVE_MEETING: "村民委员会组织法（2018年修正）第二十六条：三分之二以上的"
                                      "组成人员参加方可召开",
    RESIDENTS_MEETING: "城市居民委员会组织法（2018年修正）第十条：全体十八周岁以上的居民、户的代表"
                       "或者居民小组选举的代表的过半数出席",
    RESIDENTS_REPRESENTATIVE_MEETING: "城市居民委员会组织法（2018年修正）第十条：居民小组选举的"
                                      "代表的过半数出席",
}
MEETING_KINDS = tuple(QUORUM_RULES)
# a decision passes with more than half of those present (村委会组织法 第二十二条、第二十六条,
# 居委会组织法 第十条)
DECISION_RULE = "所作决定应当经到会人员的过半数通过"


def meeting_quorum(kind, eligible, attended, households=None, households_present=None):
    """``(quorate, rule)`` for a meeting of ``kind``.

    ``eligible``: who may attend in the form held (adult villagers or residents, or the
    representatives, or the households' representatives), ``attended`` of them present.
    A villagers' meeting is also quorate with two thirds of the households represented.
    """
    if kind not in QUORUM_RULES:
        raise field_error("kind", f"one of {list(MEETING_KINDS)}")
    if attended > eligible:
        raise field_error("attended", "More present than may attend.")
    if households is not None and households_present is not None \
            and households_present > households:
        raise field_error("households_present", "More households present than there are.")
    if kind == VILLAGERS_MEETING:
        by_people = 2 * attended > eligible
        by_households = bool(households) and households_present is not None \
            and 3 * households_present >= 2 * households
        quorate = by_people or by_households
    elif kind == VILLAGERS_REPRESENTATIVE_MEETING:
        quorate = 3 * attended >= 2 * eligible
    else:
        quorate = 2 * attended > eligible
    return quorate, QUORUM_RULES[kind]


def decision_passed(attended, votes_for):
    """More than half of those present voted for it; None when no vote is recorded."""
    if votes_for is None:
        return None
    if votes_for > attended:
        raise field_error("votes_for", "More votes than people present.")
    return 2 * votes_for > attended


# -- 四议两公开: the steps of a village's major matter, in their order ---------------------

FOUR_DELIBERATIONS_RULE = ("中国共产党农村基层组织工作条例（2019年）第十九条：村级重大事项决策实行"
                           "“四议两公开”")
FOUR_DELIBERATION_STEPS = (
    ("proposed_on", "村党组织提议"),
    ("discussed_on", "村“两委”会议商议"),
    ("reviewed_on", "党员大会审议"),
    ("resolved_on", "村民会议或者村民代表会议决议"),
    ("resolution_disclosed_on", "决议公开"),
    ("result_disclosed_on", "实施结果公开"),
)
RESOLVING_MEETINGS = (VILLAGERS_MEETING, VILLAGERS_REPRESENTATIVE_MEETING)


def four_deliberations(steps, resolving_meeting=None):
    """Check a major matter's steps; ``(complete, missing)``.

    ``steps``: step field -> date or None. A step is dated no earlier than the one before
    it (a combined meeting where the secretary also chairs the committee, 一肩挑, may date
    the proposal and the discussion the same day). ``resolving_meeting``: the meeting the
    resolution was taken at, as ``{"kind", "quorate"}``: it must be a villagers' meeting
    or representatives' meeting that was quorate, or the resolution does not count.
    """
    previous = None
    for field, name in FOUR_DELIBERATION_STEPS:
        day = steps.get(field)
        if day is None:
            continue
        if previous is not None and day < previous[1]:
            raise field_error(field, f"{name}不能早于{previous[0]}。")
        previous = (name, day)
    if resolving_meeting is not None and resolving_meeting["kind"] not in RESOLVING_MEETINGS:
        raise field_error("meeting_id", "决议须由村民会议或者村民代表会议作出。")
    missing = [name for field, name in FOUR_DELIBERATION_STEPS if steps.get(field) is None]
    if resolving_meeting is not None and not resolving_meeting["quorate"]:
        missing.append("决议会议未达法定人数")
    return not missing, missing
