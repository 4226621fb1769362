"""Corrections' rules as plain functions: the file's steps, the report limit, leave, penalties
and who sees personal data. Each rule's law and article: docs/rules.md (社区矫正与安置帮教)."""
from datetime import date
from types import SimpleNamespace

import pytest

from corrections import domain
from fazhi_common import masking
from fazhi_common.contracts.errors import Conflict, Forbidden, ValidationFailed
from fazhi_common.division import Division
from fazhi_common.workdays import WorkingCalendar

RULES = domain.Rules()
CALENDAR = WorkingCalendar()
TODAY = date(2025, 6, 30)


def person(**fields):
    base = dict(status="awaiting_report", correction_type="probation",
                decided_on=date(2025, 6, 2), report_due_on=date(2025, 6, 12),
                report_due_rule="社区矫正法 第二十一条", reported_on=None,
                term_ends_on=date(2026, 6, 1), help_ends_on=None)
    return SimpleNamespace(**{**base, **fields})


def test_report_within_ten_days_rolls_past_a_holiday():
    # 社区矫正法 第二十一条 + 民法典 第二百零三条: 10 days from 2025-09-21 end on 10-01 (国庆)
    due, rule = domain.report_due(date(2025, 9, 21), RULES, CALENDAR)
    assert due == date(2025, 10, 9) and "第二十一条" in rule
    assert domain.report_due(date(2025, 6, 2), RULES, CALENDAR)[0] == date(2025, 6, 12)


def test_report_in_on_time_and_late():
    changes = domain.plan_step(person(), "report_in", {}, date(2025, 6, 10), TODAY, RULES)
    assert changes["status"] == "under_correction" and changes["days_late"] == 0
    assert changes["suggested_penalty"] is None
    # late step: refused without a reason, naming the limit and its rule
    with pytest.raises(ValidationFailed) as late:
        domain.plan_step(person(), "report_in", {}, date(2025, 6, 15), TODAY, RULES)
    assert "2025-06-12" in late.value.message and "late_reason" in late.value.fields
    # with a reason it is recorded, and the breach calls for 训诫 / 警告 / 提请撤销
    for on, penalty in ((date(2025, 6, 22), "reprimand"), (date(2025, 6, 23), "warning"),
                        (date(2025, 7, 13), "revocation_proposal")):
        changes = domain.plan_step(person(), "report_in", {"late_reason": "住院"}, on,
                                   date(2025, 8, 1), RULES)
        assert changes["suggested_penalty"] == penalty, on
    # 暂予监外执行: no revocation, a warning
    assert domain.late_report_penalty(40, "temporary_outside", RULES) == "warning"


def test_illegal_steps_name_the_current_status():
    with pytest.raises(Conflict) as illegal:
        domain.plan_step(person(), "release", {}, TODAY, TODAY, RULES)
    assert illegal.value.fields["status"] == ["awaiting_report"]
    with pytest.raises(Conflict):  # 解除 only when the term is served (第四十四条)
        domain.plan_step(person(status="under_correction", reported_on=date(2025, 6, 5)),
                         "release", {}, TODAY, TODAY, RULES)
    with pytest.raises(ValidationFailed):  # not in advance
        domain.plan_step(person(), "report_in", {}, date(2025, 7, 1), TODAY, RULES)
    with pytest.raises(ValidationFailed):  # parole revoked: not for a probationer
        domain.plan_step(person(), "terminate", {"reason": "parole_revoked"}, TODAY, TODAY,
                         RULES)
    assert domain.next_actions("help_ended") == []


def test_penalties_follow_their_grounds():
    under = person(status="under_correction", reported_on=date(2025, 6, 5))
    revoke = {"kind": "revocation_proposal", "ground": "two_warnings"}
    with pytest.raises(Conflict):  # 实施办法 第四十六条(四): two warnings first
        domain.plan_step(under, "penalise", revoke, TODAY, TODAY, RULES, warnings=1)
    assert domain.plan_step(under, "penalise", revoke, TODAY, TODAY, RULES, warnings=2)
    with pytest.raises(ValidationFailed):  # 收监执行 only for 暂予监外执行
        domain.plan_step(under, "penalise", {"kind": "committal_proposal", "ground": "other"},
                         TODAY, TODAY, RULES)


def test_termination_and_resettlement_count_reoffending():
    changes = domain.plan_step(person(status="under_correction"), "terminate",
                               {"reason": "probation_revoked", "new_offence": True}, TODAY,
                               TODAY, RULES)
    assert changes["status"] == "terminated" and changes["reoffended"] is True
    released = date(2024, 2, 29)
    assert domain.help_ends(released, RULES) == date(2029, 3, 1)
    helped = person(status="in_resettlement", correction_type=None, decided_on=released,
                    help_ends_on=domain.help_ends(released, RULES))
    with pytest.raises(Conflict):  # five years not over
        domain.plan_step(helped, "end_help", {"reason": "completed"}, TODAY, TODAY, RULES)
    assert domain.plan_step(helped, "end_help", {"reason": "reoffended"}, TODAY, TODAY,
                            RULES)["reoffended"] is True


def test_leave_notice_and_who_approves():
    ask = {"leaves_on": date(2025, 7, 5), "returns_on": date(2025, 7, 11),
           "applied_on": date(2025, 6, 30)}
    assert domain.plan_leave(ask, TODAY, RULES) == {"days": 7, "approval_level": "town",
                                                    "applied_on": date(2025, 6, 30)}
    longer = {**ask, "returns_on": date(2025, 7, 12)}
    assert domain.plan_leave(longer, TODAY, RULES)["approval_level"] == "county"
    # 30 days within two months, counting leave already taken: the office above
    assert domain.plan_leave(longer, TODAY, RULES, recent_days=25)["approval_level"] == "higher"
    short = {**ask, "leaves_on": date(2025, 7, 2)}
    with pytest.raises(ValidationFailed):  # 实施办法 第二十七条: three days ahead
        domain.plan_leave(short, TODAY, RULES)
    assert domain.plan_leave({**short, "urgent_reason": "父亲病危"}, TODAY, RULES)
    town, county, city = (Division(c) for c in ("330110001000", "330110000000",
                                                "330100000000"))
    assert domain.may_approve_leave("town", town) and not domain.may_approve_leave(
        "county", town)
    assert domain.may_approve_leave("county", county)
    assert not domain.may_approve_leave("higher", county)
    assert domain.may_approve_leave("higher", city)
    with pytest.raises(Forbidden):
        domain.require_leave_approver("county", town)


def test_only_own_officer_and_leaders_see_unmasked():
    leaders = frozenset({"chief"})
    see = domain.may_see_person
    assert see("justice_officer", "li", True, "li", leaders)
    assert see("justice_officer", "chief", True, "li", leaders)
    assert not see("justice_officer", "wang", True, "li", leaders)  # another officer
    assert not see("justice_officer", "li", False, "li", leaders)   # out of area
    assert not see("platform_admin", "chief", True, "li", leaders)
    for role in ("viewer", "evaluator", "mediator"):
        assert not see(role, "li", True, "li", leaders)
    assert masking.mask_id_number("330106199001011234") == "330***********1234"
