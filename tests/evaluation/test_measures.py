"""How derived facts are measured: the disclosure schedule, the channels counted, and
indicators that do not apply re-normalising the maximum."""
from datetime import date

import pytest

from evaluation import domain, measures
from fazhi_common.contracts.errors import ValidationFailed

SCHEDULE = {"financial": "monthly", "party": "quarterly"}


def test_disclosures_are_measured_against_the_schedule_and_missing_periods_are_late():
    records = [("financial", "2025-01", True), ("financial", "2025-02", False),
               ("party", "2025-Q1", True), ("financial", "2025-05", True)]
    value, applicable, source = measures.disclosures(SCHEDULE, 2025, date(2025, 5, 20), 10,
                                                     records)
    # due by 20 May: financial Jan-Apr, party Q1; May was disclosed early, so it counts
    assert applicable and value == 0.5  # 3 of 6 on time
    assert "截至 2025-05-20 应公开 6 次，按时公开 3 次" in source
    assert "逾期或未公开：财务公开 2025-02、财务公开 2025-03、财务公开 2025-04" in source


def test_one_disclosure_does_not_earn_a_year():
    value, applicable, _source = measures.disclosures(
        None, 2025, date(2025, 12, 31), 10, [("financial", "2025-Q1", True)])
    # the default: every kind quarterly (Q1-Q3 due for party, community, financial)
    assert applicable and value == round(1 / 9, 4)


def test_finances_are_due_monthly_only_where_collective_finances_are_busy():
    """村民委员会组织法 art. 30: ordinary matters at least quarterly, finances monthly where
    the collective's finances are busy; not monthly finances for every community."""
    day = date(2025, 12, 31)
    ordinary = measures.disclosures(None, 2025, day, 10, [("financial", "2025-Q1", True)])
    assert ordinary[0] == round(1 / 9, 4) and "财务公开按季度" in ordinary[2]
    assert "村民委员会组织法第三十条" in ordinary[2]
    busy = measures.disclosures(None, 2025, day, 10, [("financial", "2025-01", True),
                                                      measures.BUSY])
    # financial Jan-Nov, party and community Q1-Q3
    assert busy[0] == round(1 / 17, 4) and "财务公开按月" in busy[2]
    assert "集体财务往来较多" in busy[2]


def test_a_deadline_counts_its_grace_days():
    due_on_the_tenth = measures.disclosures(SCHEDULE, 2025, date(2025, 2, 10), 10, [])
    assert due_on_the_tenth[:2] == (None, False)  # Jan is due after 10 Feb, not on it
    assert measures.disclosures(SCHEDULE, 2025, date(2025, 2, 11), 10, [])[:2] == (0.0, True)


def test_mediation_counts_only_the_named_channels_and_nothing_is_not_applicable():
    cases = [("people", "agreement"), ("medical", "failure"), ("traffic", "failure")]
    assert measures.mediation(cases, ["people"], "2025")[:2] == (1.0, True)
    assert measures.mediation(cases, None, "2025")[:2] == (round(1 / 3, 4), True)
    value, applicable, source = measures.mediation([("medical", "agreement")], ["people"],
                                                   "2025")
    assert (value, applicable) == (None, False)
    assert source == "调解：2025 年无调解结案的案件（人民调解）"


DEFINITION = {
    "categories": [{"code": "c", "name": "C", "indicators": [
        {"code": "mediation_success", "name": "调解", "kind": "derived",
         "fact": "mediation_success_rate", "target": 0.9, "max_points": 6,
         "channels": ["people"]},
        {"code": "x", "name": "X", "kind": "yes_no", "max_points": 4}]}],
    "pass_thresholds": {"framework": 5, "deepening": 5, "full_compliance": 5},
    "parameters": {"satisfaction_min_sample": 1, "satisfaction_threshold": 0.8},
}


def _inputs(fact):
    return {"evidence": {"x": {"value": 1, "source": "self"}}, "findings": {},
            "facts": {"mediation_success": fact}, "satisfaction": {"sample": 0, "satisfied": 0},
            "parameters": DEFINITION["parameters"], "vetoes": []}


def test_an_indicator_that_does_not_apply_re_normalises_the_maximum():
    na = {"value": None, "applicable": False, "source": "调解：无案件"}
    outcome = domain.evaluate(DEFINITION, _inputs(na), "framework")
    assert outcome["score"] == 10.0 and outcome["max_score"] == 10 and outcome["passed"]
    assert outcome["normalisation"]["raw_score"] == 4
    assert outcome["normalisation"]["applicable_max"] == 4
    assert outcome["normalisation"]["not_applicable"] == ["mediation_success"]
    assert outcome["normalisation"]["note"] == ("调解不适用：适用项满分 4 分，得 4 分，"
                                                "折算为 10 分制")
    [mediation] = [i for i in outcome["indicators"] if i["code"] == "mediation_success"]
    assert not mediation["applicable"] and mediation["note"] == domain.NOT_APPLICABLE

    # data that is expected but missing still scores 0
    missing = domain.evaluate(DEFINITION, _inputs({"value": None, "source": "无数据"}),
                              "framework")
    assert missing["score"] == 4 and missing["normalisation"]["not_applicable"] == []
    failing = domain.evaluate(DEFINITION, _inputs({"value": 0.0, "source": "0 of 2"}),
                              "framework")
    assert failing["score"] == 4


def test_what_an_indicator_counts_is_named_only_on_its_fact():
    bad = {**DEFINITION, "categories": [{"code": "c", "name": "C", "indicators": [
        {"code": "x", "name": "X", "kind": "derived", "fact": "has_legal_adviser",
         "max_points": 4, "channels": ["people"]}]}]}
    with pytest.raises(ValidationFailed) as refused:
        domain.check_scheme(bad)
    assert "channels are named only" in refused.value.fields["indicators.x"][0]
