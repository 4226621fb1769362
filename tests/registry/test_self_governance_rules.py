"""The quorum of each kind of meeting and the order of the "四议两公开" steps, as plain
functions; and the registry's record kinds as evaluation counts them."""
from datetime import date

import pytest

from evaluation import domain as evaluation_domain
from evaluation import measures
from fazhi_common.contracts.api import evaluation as evaluation_api
from fazhi_common.contracts.api import self_governance as sg
from fazhi_common.contracts.errors import ValidationFailed
from registry import self_governance as rules
from registry.operations.self_governance import KEPT


@pytest.mark.parametrize("kind, eligible, attended, households, present, quorate", [
    # 村民委员会组织法 第二十二条: more than half of the adults, or two thirds of households
    ("villagers_meeting", 1000, 501, None, None, True),
    ("villagers_meeting", 1000, 500, None, None, False),
    ("villagers_meeting", 1000, 100, 300, 200, True),
    ("villagers_meeting", 1000, 100, 300, 199, False),
    # 第二十六条: two thirds of the representatives' meeting
    ("villagers_representative_meeting", 30, 20, None, None, True),
    ("villagers_representative_meeting", 30, 19, None, None, False),
    # 城市居民委员会组织法 第十条: more than half
    ("residents_meeting", 100, 51, None, None, True),
    ("residents_meeting", 100, 50, None, None, False),
    ("residents_representative_meeting", 41, 21, None, None, True),
    ("residents_representative_meeting", 41, 20, None, None, False),
])
def test_quorum_by_kind(kind, eligible, attended, households, present, quorate):
    got, rule = rules.meeting_quorum(kind, eligible, attended, households, present)
    assert got is quorate and "组织法" in rule and "第" in rule


def test_impossible_attendance_and_votes_are_refused():
    with pytest.raises(ValidationFailed) as err:
        rules.meeting_quorum("residents_meeting", 10, 11)
    assert "attended" in err.value.fields
    with pytest.raises(ValidationFailed):
        rules.meeting_quorum("villagers_meeting", 10, 5, 30, 31)
    assert rules.decision_passed(40, 21) is True and rules.decision_passed(40, 20) is False
    assert rules.decision_passed(40, None) is None
    with pytest.raises(ValidationFailed):
        rules.decision_passed(40, 41)
    assert set(rules.QUORUM_RULES) == set(sg.MEETING_KINDS)


STEPS = {"proposed_on": date(2026, 3, 1), "discussed_on": date(2026, 3, 1),
         "reviewed_on": date(2026, 3, 5), "resolved_on": date(2026, 3, 10),
         "resolution_disclosed_on": date(2026, 3, 11), "result_disclosed_on": date(2026, 6, 1)}


def test_four_deliberations_two_disclosures():
    meeting = {"kind": "villagers_representative_meeting", "quorate": True}
    assert rules.four_deliberations(STEPS, meeting) == (True, [])
    partial = {**STEPS, "result_disclosed_on": None}
    assert rules.four_deliberations(partial) == (False, ["实施结果公开"])
    # resolved at a meeting below its quorum: the resolution does not count
    complete, missing = rules.four_deliberations(STEPS, {**meeting, "quorate": False})
    assert not complete and missing == ["决议会议未达法定人数"]
    with pytest.raises(ValidationFailed) as err:
        rules.four_deliberations({**STEPS, "reviewed_on": date(2026, 2, 1)})
    assert "reviewed_on" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        rules.four_deliberations(STEPS, {"kind": "residents_meeting", "quorate": True})
    assert "meeting_id" in err.value.fields


def test_every_record_kind_the_registry_announces_is_one_evaluation_counts():
    announced = set(KEPT) | {"bodies"}
    assert announced == set(evaluation_domain.RECORD_KINDS) == set(evaluation_api.RECORD_KINDS)


def test_records_measured_for_an_indicator():
    meeting = ("meetings", "residents_meeting")
    rows = [(*meeting, 7, date(2026, 3, 1), True, "居民会议（到会60/100）"),
            (*meeting, 8, date(2026, 4, 1), False, "居民会议（未达法定人数）"),
            ("conventions", None, 2, date(2025, 1, 1), True, "居民公约《文明公约》")]
    value, applicable, source = measures.records(rows, "record_count", ["meetings"], None, "2026")
    assert (value, applicable) == (1.0, True)
    assert source == ("登记：居民会议（到会60/100）（居（村）民会议和代表会议 #7，2026-03-01）"
                      "；另有 1 项不计入（居民会议（未达法定人数））")
    value, _a, source = measures.records(rows, "record_present", ["conventions"], None, "2026")
    assert value == 1.0 and "《文明公约》（居民公约（村规民约） #2，2025-01-01）" in source
    assert measures.records(rows, "record_share", ["meetings"], None, "2026")[0] == 0.5
    assert measures.records([], "record_share", ["major_matters"], None, "2026")[1] is False
    assert measures.records(rows, "record_present", ["meetings"], ["villagers_meeting"],
                            "2026")[0] == 0.0
