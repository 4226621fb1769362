"""Mediation's rules without the bus or a database."""
import random
import statistics
from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from fazhi_common import masking
from fazhi_common.contracts.errors import Conflict, ValidationFailed
from fazhi_common.crypto import FieldCipher, new_key
from mediation import domain
from tests.mediation.factories import DEADLINES, resident_id

DAY = date(2025, 3, 3)  # a Monday, with no holiday within two months


def case(**attrs):
    base = {"status": "received", "mediation_kind": "people", "extended": False,
            "extensions": 0, "paused_on": None, "paused_remaining": None,
            "acceptance_due_on": None, "confirmation_intended": None,
            "mediation_due_on": None, "received_on": DAY, "confirmation_due_on": None,
            "referrer_department": "court-330110", "referrer_kind": "court",
            "channel": "referral"}
    return SimpleNamespace(**{**base, **attrs})


def step(c, action, data=None, on=DAY, today=DAY + timedelta(days=400), last_on=None):
    changes = domain.plan_step(c, action, data or {}, on, today, last_on, DEADLINES)
    for key, value in changes.items():
        setattr(c, key, value)
    return c


def test_every_transition_in_the_table_leads_somewhere_known():
    statuses = set()
    for moves in domain.TRANSITIONS.values():
        statuses |= set(moves) | set(moves.values())
    assert statuses >= domain.FINAL_STATUSES
    for final in domain.FINAL_STATUSES:
        assert all(final not in moves for moves in domain.TRANSITIONS.values())


def test_illegal_transition_names_the_current_status():
    with pytest.raises(Conflict) as caught:
        domain.next_status("received", "close")
    assert "received" in caught.value.message
    assert caught.value.fields["status"] == ["received"]
    with pytest.raises(ValidationFailed):
        domain.next_status("received", "teleport")


def test_acceptance_sets_the_period_by_kind_and_extension_once():
    c = step(case(mediation_kind="medical"), "accept")
    # 30 working days: six weeks of five, from the Tuesday after
    assert c.mediation_due_on == date(2025, 4, 15)  # Friday 4 April is Qingming
    assert c.mediation_due_rule.startswith("医疗纠纷调解（医调）：自 2025-03-03 起 30 个工作日")
    c = step(case(), "accept")
    assert c.mediation_due_on == date(2025, 4, 3)  # one month
    assert c.mediation_due_rule.startswith("人民调解：") and "一个月内" in c.mediation_due_rule
    step(c, "extend", {"reason": "appraisal pending", "days": 10})
    assert c.extended and c.mediation_due_on == date(2025, 4, 14)  # 13th is a Sunday
    with pytest.raises(Conflict):
        step(c, "extend", {"reason": "again"})


def test_agreement_confirmation_deadline_and_late_request():
    c = step(step(step(case(), "accept"), "assign_mediator", {"mediator": "m1"}),
             "record_agreement", {"terms": "pay 1000", "parties_will_apply": True},
             on=DAY + timedelta(days=10))
    assert c.status == "agreement" and c.duration_days == 10
    # 30 days end on Saturday 12 April: the period runs to the next working day
    assert c.confirmation_due_on == date(2025, 4, 14)
    with pytest.raises(Conflict) as caught:
        step(c, "request_confirmation", {"court": "court-330110"}, on=date(2025, 4, 15))
    assert "2025-04-14" in caught.value.message
    step(c, "request_confirmation", {"court": "court-330110"}, on=date(2025, 4, 14))
    assert step(c, "confirm").confirmed is True
    assert step(c, "close").status == "closed"


def test_failed_referral_is_returned_not_closed_and_application_closes():
    c = step(step(step(case(), "accept"), "assign_mediator", {"mediator": "m"}),
             "record_failure", {"reason": "no settlement"})
    with pytest.raises(Conflict):
        step(c, "close")
    step(c, "return_to_referrer")
    assert c.status == "returned" and c.returned_to == domain.RETURNED_TO["court"]
    assert c.returned_to.startswith("人民法院")
    assert c.result == "failure"

    own = case(referrer_department=None, referrer_kind=None, channel="application")
    step(step(step(own, "accept"), "assign_mediator", {"mediator": "m"}), "record_failure",
         {"reason": "x"})
    with pytest.raises(Conflict):
        step(own, "return_to_referrer")
    assert step(own, "close").status == "closed"


def test_decline_is_final_and_returned_to_the_referrer():
    c = step(case(), "decline", {"reason": "already before the court"})
    assert (c.status, c.result, c.returned_to) == ("declined", "declined", "court-330110")
    with pytest.raises(Conflict):
        step(c, "accept")


def test_steps_cannot_be_in_the_future_or_out_of_order():
    with pytest.raises(ValidationFailed):
        step(case(), "accept", on=DAY, today=DAY - timedelta(days=1))
    with pytest.raises(ValidationFailed):
        step(case(), "accept", on=DAY, last_on=DAY + timedelta(days=1))


def test_overdue_deadlines():
    received = case(acceptance_due_on=DAY + timedelta(days=7))
    assert domain.overdue_deadlines(received, DAY + timedelta(days=7)) == []
    assert domain.overdue_deadlines(received, DAY + timedelta(days=8)) == [
        ("acceptance", DAY + timedelta(days=7))]
    c = step(case(), "accept")
    due = date(2025, 4, 3)
    assert domain.overdue_deadlines(c, due) == []
    assert domain.overdue_deadlines(c, due + timedelta(days=1)) == [("mediation", due)]
    step(step(c, "assign_mediator", {"mediator": "m"}), "record_agreement", {"terms": "t"})
    # the parties did not say they would apply: no window is watched, never overdue
    assert c.confirmation_due_on is None
    assert domain.overdue_deadlines(c, DAY + timedelta(days=400)) == []
    c.status, c.confirmation_intended, c.confirmation_due_on = "agreement", True, due
    assert domain.overdue_deadlines(c, due + timedelta(days=1)) == [
        ("judicial_confirmation", due)]


def test_resident_id_numbers():
    good = resident_id()
    assert domain.valid_resident_id(good)
    assert domain.valid_resident_id("11010519491231002X")  # the standard's own example
    assert domain.valid_resident_id("11010519491231002x")
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert not domain.valid_resident_id(wrong_check)
    assert not domain.valid_resident_id("330110199002301230")  # 30 February
    assert not domain.valid_resident_id("33011019900307123")
    with pytest.raises(ValidationFailed) as caught:
        domain.check_parties([{"role": "applicant", "name": "a", "id_number": wrong_check}])
    assert "parties.0.id_number" in caught.value.fields


def test_masking_and_who_may_see():
    masked = masking.masked_party({"role": "applicant", "name": "张三丰",
                                  "id_number": "11010519491231002X", "phone": "13812345678"})
    assert masked == {"role": "applicant", "name": "张**", "id_number": "110***********002X",
                      "phone": "138****5678"}
    assert domain.may_see_case_parties("platform_admin", "a", False, None)
    assert domain.may_see_case_parties("justice_officer", "j", True, None)
    assert not domain.may_see_case_parties("justice_officer", "j", False, None)
    assert domain.may_see_case_parties("mediator", "m1", True, "m1")
    assert not domain.may_see_case_parties("mediator", "m2", True, "m1")
    for role in ("viewer", "linked_department_officer", "resident", "evaluator"):
        assert not domain.may_see_case_parties(role, "x", True, "x")


def test_community_and_organisation_areas():
    assert domain.community_area("330110001001") == ("330110000000", "330110001000")
    for bad in ("330110001000", "330110000000", "33011000100"):
        with pytest.raises(ValidationFailed):
            domain.community_area(bad)
    org = SimpleNamespace(id=1, county_code="330110000000", town_code="330110002000",
                          community_code=None)
    with pytest.raises(ValidationFailed):
        domain.check_serves(org, "330110001001")
    with pytest.raises(ValidationFailed):
        domain.check_organisation_area("330110001000", None)
    with pytest.raises(ValidationFailed):
        domain.check_organisation_area("330110000000", "330111001000")  # another county's


def test_a_city_without_counties_stands_as_the_county():
    """Dongguan: towns directly under the city, which mediation treats as the county."""
    assert domain.community_area("441900003001") == ("441900000000", "441900003000")
    domain.check_organisation_area("441900000000", "441900003000")
    domain.check_organisation_area("441900000000", None)
    with pytest.raises(ValidationFailed):
        domain.check_organisation_area("330100000000", None)  # a city with counties
    org = SimpleNamespace(id=1, county_code="441900000000", town_code=None,
                          community_code=None)
    domain.check_serves(org, "441900003001")
    assert domain.default_supervising_department("441900000000") == "justice-4419"
    assert domain.default_supervising_department("330110000000") == "justice-330110"


def test_coverage_and_statistics_arithmetic():
    kinds = ("medical", "litigation", "police", "traffic", "procuratorate")
    assert domain.county_coverage({"medical": 1, "people": 2}, kinds)["lacking"] == [
        "litigation", "police", "traffic", "procuratorate"]
    assert domain.county_coverage(dict.fromkeys(kinds, 1), kinds)["complete"]
    row = domain.statistics_row("people", "330110000000", (10, 6, 2, 3, 1, 1, 1, 0, 2, 0), 12)
    assert row["acceptance_rate"] == 0.75 and row["success_rate"] == 0.75
    assert row["confirmation_not_applied"] == 1 and row["confirmation_confirmed"] == 2
    assert domain.statistics_row("p", "c", (0,) * 10, None)["acceptance_rate"] is None
    assert domain.median_of_counts({3: 1, 1: 1, 10: 1, 4: 1}) == 3.5
    assert domain.median_of_counts({5: 3, 9: 1}) == 5.0
    assert domain.median_of_counts({2: 1, 7: 2}) == 7.0
    assert domain.median_of_counts({}) is None
    rng = random.Random(7)
    for _ in range(200):
        values = [rng.randint(0, 40) for _ in range(rng.randint(1, 30))]
        assert domain.median_of_counts(Counter(values)) == statistics.median(values)


def test_field_cipher_round_trip_context_and_digest():
    cipher = FieldCipher(new_key())
    blob = cipher.encrypt("张三丰", "party.name")
    assert "张三丰".encode() not in blob
    assert cipher.decrypt(blob, "party.name") == "张三丰"
    with pytest.raises(ValueError):
        cipher.decrypt(blob, "party.phone")
    assert cipher.encrypt("x", "c") != cipher.encrypt("x", "c")  # fresh nonce each time
    assert cipher.digest("a") == cipher.digest("a") != FieldCipher(new_key()).digest("a")


STEP_DATA = {"decline": {"reason": "r"}, "pause": {"reason": "r"},
             "assign_mediator": {"mediator": "m"},
             "extend": {"reason": "r"}, "record_agreement": {"terms": "t"},
             "record_failure": {"reason": "r"}, "request_confirmation": {"court": "c"},
             "extend_court_decision": {"reason": "r"},
             "refuse_confirmation": {"reason": "r"}, "resume_mediation": {"reason": "r"}}


@pytest.mark.parametrize("kind", ["people", "medical"])
@pytest.mark.parametrize("referred", [True, False])
def test_next_actions_are_exactly_the_steps_a_case_may_take(referred, kind):
    who = {} if referred else {"referrer_department": None, "referrer_kind": None,
                               "channel": "application"}
    pausable = DEADLINES.rules(kind).pausable
    statuses = {s for allowed in domain.TRANSITIONS.values() for s in allowed}
    statuses |= domain.FINAL_STATUSES
    for status in statuses:
        offered = domain.next_actions(status, referred, pausable)
        for action in domain.TRANSITIONS:
            c = case(status=status, mediation_kind=kind, concluded_on=DAY,
                     mediation_due_on=DAY + timedelta(days=30), mediation_due_rule="r",
                     paused_on=DAY, paused_remaining=10, court_extended=False,
                     court_decision_due_on=DAY, court_decision_due_rule="r", **who)
            try:
                domain.plan_step(c, action, STEP_DATA.get(action, {}), DAY, DAY, None,
                                 DEADLINES)
                taken = True
            except ValidationFailed:
                taken = True  # allowed from here; this sample's fields were not enough
            except Conflict:
                taken = False
            assert taken == (action in offered), (status, action, referred, kind)
