"""Issue 25's legal-aid rules without the bus or a database: the pause while missing
materials are supplied (法律援助法 第四十三条), deemed withdrawal when they are not, and
the objection to a termination (第四十九条)."""
from datetime import date, timedelta

import pytest

from fazhi_common.contracts.errors import Conflict, ValidationFailed
from fazhi_common.workdays import WorkingCalendar, packaged_notices
from legalservices import legal_aid
from legalservices.deadlines import LegalAidRules
from tests.legalservices.factories import CONFIG, DEADLINES
from tests.legalservices.test_legal_aid import RECEIVED, application, take


def received():
    due_on, rule = DEADLINES.due(DEADLINES["decision"], RECEIVED)
    return application(decision_due_on=due_on, decision_due_rule=rule)


def test_time_to_supply_missing_materials_is_not_counted():
    a = received()  # due 9 October (7 days end inside the National Day holiday)
    take(a, "request_materials", date(2025, 9, 29), {"missing": "工资条、劳动合同"})
    # three of the seven days have run
    assert a.status == "awaiting_materials" and a.decision_days_left == 4
    assert legal_aid.overdue_deadline(a, date(2025, 12, 1)) is None  # the agency waits
    assert "工资条" in legal_aid.next_step(a)
    # asked once, all together: a second request is refused
    with pytest.raises(Conflict):
        legal_aid.plan_step(a, "request_materials", {"missing": "x"}, date(2025, 9, 30),
                            date(2026, 1, 1), DEADLINES)
    take(a, "supply_materials", date(2025, 10, 10))
    # the four days left run again from the day the materials came
    assert (a.status, a.decision_due_on) == ("received", date(2025, 10, 14))
    assert a.decision_due_rule.startswith("审查决定：2025-09-29 通知补充材料时尚余 4 日，"
                                          "自 2025-10-10 材料补齐起接续计算")
    assert "不计入审查期限" in a.decision_due_rule and "第四十三条" in a.decision_due_rule


def test_materials_not_supplied_in_time_mean_the_application_is_withdrawn():
    a = take(received(), "request_materials", RECEIVED,
             {"missing": "身份证明", "supply_by": RECEIVED + timedelta(days=5)})
    assert legal_aid.withdrawal(a, RECEIVED + timedelta(days=5), DEADLINES) is None  # not yet late
    with pytest.raises(Conflict) as late:
        take(a, "supply_materials", RECEIVED + timedelta(days=6))
    assert "deemed withdrawn" in late.value.message
    closed = legal_aid.withdrawal(a, RECEIVED + timedelta(days=6), DEADLINES)
    assert (closed["status"], closed["outcome"]) == ("closed", "withdrawn")
    assert "第四十三条" in closed["outcome_note"]
    with pytest.raises(ValidationFailed):  # a day to supply by before the request itself
        take(received(), "request_materials", RECEIVED,
             {"missing": "m", "supply_by": RECEIVED - timedelta(days=1)})


def test_a_withdrawal_never_rests_on_a_provisional_day_alone():
    """Materials asked for on 2026-12-17 are due 15 days later, 1 January 2027, a statutory
    holiday: the day is 4 January, provisional while no notice for 2027 is known."""
    rules = LegalAidRules.from_config(CONFIG["LEGAL_AID_RULES"],
                                      WorkingCalendar(notices=packaged_notices(through=2026)))
    asked = date(2026, 12, 17)

    def awaiting():
        a = application(received_on=asked, status="received")
        for key, value in legal_aid.plan_step(a, "request_materials", {"missing": "身份证明"},
                                              asked, asked, rules).items():
            setattr(a, key, value)
        return a

    a = awaiting()
    assert a.materials_due_on == date(2027, 1, 4) and "；暂定日期：2027 年" in a.materials_due_rule
    # a few days late on a provisional day: accepted and noted, not withdrawn
    assert legal_aid.withdrawal(a, date(2027, 1, 8), rules) is None
    changes = legal_aid.plan_step(a, "supply_materials", {}, date(2027, 1, 8),
                                  date(2027, 1, 8), rules)
    assert changes["status"] == "received"
    assert ("材料晚于暂定日期 2027-01-04 4 日补齐，先予接收，待人工审定"
            in changes["decision_due_rule"])
    # past the margin it is withdrawn as on any other day
    late = awaiting()
    assert legal_aid.withdrawal(late, date(2027, 1, 12), rules)["outcome"] == "withdrawn"
    with pytest.raises(Conflict):
        legal_aid.plan_step(late, "supply_materials", {}, date(2027, 1, 12),
                            date(2027, 1, 12), rules)
    # a day the agency named itself is no provisional date
    named = application(received_on=asked, status="received")
    for key, value in legal_aid.plan_step(named, "request_materials",
                                          {"missing": "m", "supply_by": date(2027, 1, 4)},
                                          asked, asked, rules).items():
        setattr(named, key, value)
    assert legal_aid.withdrawal(named, date(2027, 1, 5), rules)["outcome"] == "withdrawn"


def test_an_objection_to_a_termination_is_reviewed_by_the_justice_bureau():
    a = take(take(take(received(), "grant", RECEIVED), "assign", RECEIVED,
                  {"provider": "王律师", "provider_kind": "lawyer"}),
             "terminate", date(2025, 10, 9), {"reason": "受援人不再符合经济困难条件"})
    assert a.status == "terminated" and "第四十九条" in a.objection_route
    assert "不再符合" in legal_aid.next_step(a)
    take(a, "object", date(2025, 10, 10), {"reason": "我的收入没有变化"})
    assert (a.status, a.objection_to) == ("objected", "termination")
    assert a.objection_due_on == DEADLINES.due(DEADLINES["objection_review"],
                                               date(2025, 10, 10))[0]
    assert legal_aid.overdue_deadline(a, a.objection_due_on + timedelta(days=1))[0] == (
        "objection_review")
    # upheld: the termination is corrected and the aid goes on with its provider
    take(a, "uphold_objection", date(2025, 10, 13))
    assert (a.status, a.provider, a.termination_reason) == ("assigned", "王律师", None)
    b = take(take(a, "terminate", date(2025, 10, 14), {"reason": "r"}), "object",
             date(2025, 10, 14), {"reason": "o"})
    take(b, "dismiss_objection", date(2025, 10, 15), {"reason": "终止决定正确"})
    assert (b.status, b.outcome) == ("closed", "terminated")
    assert "维持终止法律援助的决定" in b.objection_route and "行政复议" in b.objection_route
    with pytest.raises(Conflict):  # an application being decided cannot be terminated
        take(received(), "terminate", RECEIVED, {"reason": "r"})
