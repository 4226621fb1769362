"""Legal aid's lifecycle rules (法律援助法) without the bus or a database."""
from datetime import date
from types import SimpleNamespace

import pytest

from fazhi_common.contracts.api.legalservices import LegalAid
from fazhi_common.contracts.errors import Conflict, ValidationFailed
from legalservices import legal_aid
from tests.legalservices.factories import DEADLINES

RULES = DEADLINES
RECEIVED = date(2025, 9, 26)  # a Friday before the National Day holiday


def application(**attrs):
    return SimpleNamespace(**{"status": "received", "received_on": RECEIVED,
                              "last_step_on": None, "decision_due_on": None,
                              "assignment_due_on": None, "objection_due_on": None,
                              "provider": None, "refusal_reason": None, "outcome": None,
                              **attrs})


def take(a, action, on, data=None):
    for key, value in legal_aid.plan_step(a, action, data or {}, on, date(2026, 1, 1),
                                          RULES).items():
        setattr(a, key, value)
    return a


def test_decision_period_ends_on_a_working_day():
    due_on, rule = DEADLINES.due(DEADLINES["decision"], RECEIVED)
    # 7 days end on Friday 3 October, inside the National Day holiday: the 9th instead
    assert due_on == date(2025, 10, 9) and "第四十三条" in rule


def test_grant_assign_close_with_deadlines():
    a = take(application(), "grant", date(2025, 9, 29))
    assert a.status == "granted" and a.assignment_due_on == date(2025, 10, 9)
    assert legal_aid.overdue_deadline(a, date(2025, 10, 10)) == (
        "assignment", date(2025, 10, 9))
    with pytest.raises(ValidationFailed):
        take(a, "assign", date(2025, 9, 28), {"provider": "x", "provider_kind": "lawyer"})
    take(a, "assign", date(2025, 10, 9), {"provider": "王律师", "provider_kind": "lawyer"})
    assert legal_aid.overdue_deadline(a, date(2026, 1, 1)) is None
    assert "王律师" in legal_aid.next_step(a)
    with pytest.raises(ValidationFailed):
        take(a, "close", date(2025, 11, 1), {"outcome": "refused"})
    take(a, "close", date(2025, 11, 1), {"outcome": "completed"})
    assert (a.status, a.outcome) == ("closed", "completed")
    with pytest.raises(Conflict):
        take(a, "grant", date(2025, 11, 2))


def test_refusal_objection_and_its_review():
    a = take(application(), "refuse", date(2025, 9, 29), {"reason": "Income above the line."})
    assert a.objection_route == legal_aid.OBJECTION_ROUTE_ZH and "第四十九条" in a.objection_route
    assert "Income above" in legal_aid.next_step(a)
    take(a, "object", date(2025, 9, 30), {"reason": "My income is lower."})
    assert a.status == "objected" and a.objection_due_on == date(2025, 10, 9)
    take(a, "uphold_objection", date(2025, 10, 9))
    assert a.status == "granted" and a.objection_decision == "upheld"
    b = take(take(application(), "refuse", RECEIVED, {"reason": "r"}), "object", RECEIVED,
             {"reason": "o"})
    take(b, "dismiss_objection", RECEIVED, {"reason": "Refusal maintained."})
    assert (b.status, b.outcome) == ("closed", "refused")
    assert "维持不予法律援助的决定" in b.objection_route and "行政复议" in b.objection_route
    c = take(take(application(), "refuse", RECEIVED, {"reason": "r"}), "close", RECEIVED)
    assert c.outcome == "refused"


def test_every_deadline_an_application_has_is_one_the_api_describes():
    # the description once named the case deadlines here, so a listed application broke it
    a = application(status="objected", decision_due_on=date(2025, 10, 9),
                    assignment_due_on=date(2025, 10, 20), objection_due_on=date(2025, 11, 3),
                    decision_due_rule="r1", assignment_due_rule="r2", objection_due_rule="r3",
                    materials_due_on=date(2025, 10, 1), materials_due_rule="r4")
    made = [d["deadline"] for d in legal_aid.application_deadlines(a)]
    described = LegalAid().fields["deadlines"].inner.schema.fields["deadline"].metadata["enum"]
    # four since the pause for missing materials (法律援助法 第四十三条) has its own deadline
    assert len(made) == 4 and set(made) == set(described)
