"""Default routing: who hears of an event nobody subscribed to."""
from notifications import domain

AREA = {"county_code": "330110000000", "town_code": "330110001000",
        "community_code": "330110001201"}


def test_a_body_due_for_election_reaches_the_county_civil_affairs_bureau():
    rules = domain.load_rules()
    data = {**AREA, "body_kind": "residents_committee", "term_ends_on": "2026-03-01"}
    assert rules.departments_for("election_due", data) == ["civil_affairs-330110"]
    assert "2026-03-01" in rules.title("election_due", data)


def test_awards_and_due_re_evaluations_reach_both_owners_and_the_granting_department():
    rules = domain.load_rules()
    data = {**AREA, "title": "rule_of_law_community", "level": "province",
            "granting_department": "justice-33", "due_on": "2027-01-01"}
    for event_type in ("title_awarded", "re_evaluation_due"):
        assert rules.departments_for(event_type, data) == [
            "civil_affairs-330110", "justice-330110", "justice-33"], event_type


def test_a_legal_aid_deadline_passed_reaches_the_county_justice_bureau():
    rules = domain.load_rules()
    data = {**AREA, "application_id": 7, "deadline": "decision", "due_on": "2026-03-09",
            "supervising_department": "justice-330110"}
    assert rules.departments_for("legal_aid_overdue", data) == ["justice-330110"]
    assert "审查决定" in rules.title("legal_aid_overdue", data)
