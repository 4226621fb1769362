"""The notifications rules without bus or database: areas, routing, signatures, backoff."""
import re

import pytest

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api.notifications import EVENT_KINDS, channel_errors
from notifications import domain
from tests.notifications import events as ev

RULES = domain.load_rules()


def test_area_of_an_event_and_area_filters():
    assert domain.area_fields({"community_code": "330110001301"}) == {
        "county_code": "330110000000", "town_code": "330110001000",
        "community_code": "330110001301"}
    data = ev.vetoed()
    assert domain.in_area(None, data)
    assert domain.in_area("330100000000", data)  # the city
    assert domain.in_area(ev.COUNTY, data)
    assert domain.in_area(ev.TOWN, data)
    assert domain.in_area(ev.COMMUNITY, data)
    assert not domain.in_area("330110002000", data)  # another town
    assert not domain.in_area(ev.OTHER_COUNTY, data)
    county_only = {"county_code": ev.COUNTY, "name": "余杭区", "kind": "district"}
    assert domain.in_area(ev.COUNTY, county_only)
    assert not domain.in_area(ev.TOWN, county_only)  # not known to be in the town


@pytest.mark.parametrize("event_type, data, departments", [
    ("mediation_case_received", ev.case_received(), ["justice-330110001"]),
    ("mediation_case_accepted", ev.case(), ["court-330110"]),
    ("mediation_case_declined", ev.case(), ["court-330110"]),
    ("mediation_case_returned", ev.case(), ["court-330110"]),
    ("mediation_confirmation_decided", ev.case(), ["court-330110"]),
    ("mediation_case_closed", ev.case_closed(), ["court-330110"]),
    ("mediation_case_closed", ev.case_closed(referrer_department=None), []),
    ("mediation_case_overdue", ev.case_overdue(), ["justice-330110"]),
    ("community_vetoed", ev.vetoed(), ["civil_affairs-330110", "justice-330110"]),
    ("title_revoked", ev.title_revoked(),
     ["civil_affairs-330110", "justice-330110", "justice-3301"]),
    ("title_revoked", ev.title_revoked(granting_department="justice-330110"),
     ["civil_affairs-330110", "justice-330110"]),  # named twice, alerted once
    ("community_reorganised", ev.reorganised(), ["civil_affairs-330110", "justice-330110"]),
    ("election_held", {"county_code": ev.COUNTY}, []),
])
def test_default_routing_rules(event_type, data, departments):
    assert RULES.departments_for(event_type, data) == departments


def test_every_notifiable_kind_has_a_title():
    assert set(EVENT_KINDS) <= set(RULES.titles)
    assert RULES.title("community_reorganised", ev.reorganised()) == (
        "村 330110001201、330110001202 于 2026-01-01 并（合并）为 330110001301")
    assert RULES.title("mediation_case_closed", {"case_id": 4, "outcome": "agreement"}) == \
        "您移送的案件 4 已结案：达成协议"


def test_every_title_a_person_reads_is_chinese():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert not [t for t in RULES.titles.values() if not cjk.search(t)]
    # an event without a title of its own is named by the vocabulary, never by its code
    untitled = domain.RoutingRules()
    assert untitled.title("mediation_job_finished", {}) == \
        vocabulary.EVENT_TYPES["mediation_job_finished"]
    # coded and yes/no fields are shown in words
    assert "登记脱管" in RULES.title("corrections_counts_changed", {"change": "lose_contact"})
    assert "确认：是" in RULES.title("mediation_confirmation_decided",
                                    {"case_id": 4, "confirmed": True})
    assert "调解期限" in RULES.title("mediation_deadline_recomputed", {
        "case_id": 4, "deadline": "mediation", "previous_due_on": "2026-03-02",
        "due_on": "2026-03-03"})


def test_department_patterns_are_configurable(tmp_path):
    rules = domain.load_rules(department_overrides={
        "justice": "sfj-{county}", "evaluation_owners": ["kp-{town}"]})
    assert rules.departments_for("community_vetoed", ev.vetoed()) == [
        "civil_affairs-330110", "sfj-330110"]
    assert rules.departments_for("community_reorganised", ev.reorganised()) == ["kp-330110001"]
    # a pattern whose unit is unknown names nobody, not a half-made department
    assert rules.departments_for("community_reorganised", {"county_code": ev.COUNTY}) == []

    bad = tmp_path / "rules.yml"
    bad.write_text("events:\n  title_revoked:\n    to: [{pattern: nobody}]\n")
    with pytest.raises(ValueError, match="unknown department pattern"):
        domain.load_rules(bad)


def test_signature_verifies_and_rejects_tampering_and_replays():
    body = domain.webhook_body("d-1", 3, "title", {"id": "e-1", "data": {"x": "法治"}})
    header = domain.signature_header("secret", 1_700_000_000, body)
    assert header.startswith("t=1700000000,v1=")
    assert domain.verify_signature("secret", header, body, now=1_700_000_100)
    assert not domain.verify_signature("other", header, body, now=1_700_000_100)
    assert not domain.verify_signature("secret", header, body + b" ", now=1_700_000_100)
    assert not domain.verify_signature("secret", header, body, now=1_700_001_000)  # stale
    assert not domain.verify_signature("secret", "garbage", body, now=1_700_000_000)


def test_backoff_doubles_up_to_a_cap_then_dead_letter():
    assert [domain.backoff_seconds(n, 10, 60) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]
    assert not domain.is_dead(2, 3) and domain.is_dead(3, 3)


def test_channel_fields_fit_the_channel():
    assert channel_errors({"channel": "inbox"}) == {}
    assert channel_errors({"channel": "email"}) == {"email": ["Required for channel email."]}
    assert channel_errors({"channel": "inbox", "webhook_url": "https://x.example"}) == {
        "webhook_url": ["Only for channel webhook."]}


def test_a_template_names_fields_lists_and_units_and_an_absent_field_is_blank():
    data = {"community_code": "330110001301", "names": ["东村", "西村"], "reason": None}
    assert domain.render("{county}/{town}/{community}: {names}; {reason}{nothing}",
                         data) == "330110/330110001/330110001301: 东村、西村; "
    # a department pattern whose unit the event does not name names nobody
    assert domain.render("justice-{town}", {"county_code": ev.COUNTY}, strict=True) == ""
    assert domain.render("justice-{county}", {"county_code": ev.COUNTY},
                         strict=True) == "justice-330110"
    # each event gets its own area, however often its unit comes
    area = domain.area_fields(data)
    area["town_code"] = None
    assert domain.area_fields(data)["town_code"] == "330110001000"
