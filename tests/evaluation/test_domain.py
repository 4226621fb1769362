"""The evaluation rules, without the bus or a database."""
from datetime import date

import pytest

from evaluation import domain, titling
from evaluation.schemes import load_schemes
from fazhi_common.contracts.errors import Forbidden, ValidationFailed
from fazhi_common.division import Division

PARAMS = {"satisfaction_min_sample": 3, "satisfaction_threshold": 0.8}


def _scheme(**changes):
    scheme = {
        "key": "t", "name": "t", "community_class": "village", "economic_tier": None,
        "pass_thresholds": {"framework": 10, "deepening": 15, "full_compliance": 20},
        "parameters": PARAMS,
        "categories": [{"code": "c", "name": "C", "indicators": [
            {"code": "yn", "name": "yes", "kind": "yes_no", "max_points": 5},
            {"code": "cnt", "name": "count", "kind": "count", "threshold": 4, "max_points": 4},
        ], "categories": [{"code": "s", "name": "S", "indicators": [
            {"code": "adv", "name": "adviser", "kind": "derived", "fact": "has_legal_adviser",
             "max_points": 6},
            {"code": "med", "name": "mediation", "kind": "derived",
             "fact": "mediation_success_rate", "target": 0.8, "max_points": 4},
            {"code": "sat", "name": "survey", "kind": "satisfaction", "max_points": 8},
            {"code": "insp", "name": "inspected", "kind": "inspection", "max_points": 3},
        ]}]}],
        "veto_items": [{"code": "crime", "name": "crime", "triggers": [
            {"event": "election_held", "match": {"result": "failed"}}]}]}
    scheme.update(changes)
    return scheme


def _inputs(**changes):
    inputs = {"evidence": {}, "findings": {}, "facts": {}, "parameters": PARAMS,
              "satisfaction": {"sample": 0, "satisfied": 0}, "vetoes": []}
    inputs.update(changes)
    return inputs


def test_the_default_schemes_load_and_total_100_points():
    schemes = load_schemes()
    assert {s["community_class"] for s in schemes} == {"urban_community", "rural_community",
                                                       "village"}
    assert all(domain.total_points(s) == 100 for s in schemes)
    areas = {c["code"] for s in schemes for top in s["categories"] for c in top["categories"]}
    assert {"democratic_election", "democratic_decision", "democratic_management",
            "democratic_supervision", "openness_of_affairs", "legal_publicity",
            "legal_services", "social_governance", "rule_of_law_culture"} <= areas


def _names(categories):
    for category in categories:
        yield category["name"]
        for sub in category["categories"]:
            yield sub["name"]
            yield from (i["name"] for i in sub["indicators"])


def test_the_default_schemes_follow_the_national_standards_five_parts_in_their_own_words():
    by_class = {s["community_class"]: s for s in load_schemes()}
    parts = ["村级组织健全完善", "基层民主规范有序", "法治建设扎实推进", "经济社会和谐发展",
             "组织保障坚强有力"]
    assert [c["name"] for c in by_class["village"]["categories"]] == parts
    village = " ".join(_names(by_class["village"]["categories"]))
    assert "村民代表会议" in village and "村务" in village and "居民" not in village
    for kind in ("urban_community", "rural_community"):
        tops = [c["name"] for c in by_class[kind]["categories"]]
        assert tops == ["社区组织健全完善", *parts[1:]]
        words = " ".join(_names(by_class[kind]["categories"]))
        assert "居民代表会议" in words and "村民" not in words and "村务" not in words


def test_the_default_veto_items_are_those_the_texts_give_each_with_its_source():
    for scheme in load_schemes():
        items = {v["code"]: v for v in scheme["veto_items"]}
        assert "党纪政纪处分" in items["officers_disciplined"]["name"]
        assert "村霸" in items["organised_crime"]["name"]
        assert "election_failed" not in items  # no text makes a failed election a veto
        assert all(v["source"] for v in items.values())


def test_every_kind_scores_and_says_where_its_figure_came_from():
    inputs = _inputs(
        evidence={"yn": {"value": 1, "source": "自评 #1"},
                  "cnt": {"value": 2, "source": "自评 #2"}},
        facts={"has_legal_adviser": {"value": 1.0, "source": "登记：法律顾问"},
               "mediation_success_rate": {"value": 0.4, "source": "调解：达成协议 2 件"}},
        satisfaction={"sample": 4, "satisfied": 3},
        findings={"insp": {"value": 2.5, "source": "专项检查 #9"}})
    result = domain.evaluate(_scheme(), inputs, "full_compliance")
    points = {i["code"]: (i["points"], i["source"]) for i in result["indicators"]}
    assert points["yn"] == (5, "自评 #1")
    assert points["cnt"] == (2.0, "自评 #2")
    assert points["adv"] == (6, "登记：法律顾问")
    assert points["med"] == (2.0, "调解：达成协议 2 件")
    assert points["sat"][0] == 7.5  # 0.75 of the 0.8 threshold
    assert points["insp"] == (2.5, "专项检查 #9")
    assert result["score"] == 25.0 and result["passed"]
    assert result["categories"] == [{"code": "c", "name": "C", "points": 25.0,
                                     "max_points": 30.0}]


def test_an_inspectors_finding_overrides_self_assessment_and_data():
    inputs = _inputs(evidence={"yn": {"value": 1, "source": "self"}},
                     facts={"has_legal_adviser": {"value": 1.0, "source": "registry"}},
                     findings={"yn": {"value": 0, "source": "随机抽查 #3"},
                               "adv": {"value": 0, "source": "随机抽查 #3"}})
    by_code = {i["code"]: i for i in domain.evaluate(_scheme(), inputs, "framework")
               ["indicators"]}
    assert by_code["yn"]["points"] == 0 and by_code["yn"]["source"] == "随机抽查 #3"
    assert by_code["adv"]["points"] == 0


def test_a_small_survey_sample_earns_nothing_and_a_veto_fails_any_score():
    inputs = _inputs(satisfaction={"sample": 2, "satisfied": 2})
    sat = [i for i in domain.evaluate(_scheme(), inputs, "framework")["indicators"]
           if i["code"] == "sat"][0]
    assert sat["points"] == 0 and sat["note"] == "样本 2 份，少于最低 3 份"
    full = _inputs(evidence={"yn": {"value": 1, "source": "s"},
                             "cnt": {"value": 9, "source": "s"}},
                   facts={"has_legal_adviser": {"value": 1.0, "source": "r"}},
                   vetoes=[{"id": 1, "veto_item": "crime", "reason": "x", "origin": "manual"}])
    result = domain.evaluate(_scheme(), full, "framework")
    assert result["score"] == 15 and result["vetoed"] and not result["passed"]


def test_pass_thresholds_follow_the_stage():
    inputs = _inputs(evidence={"yn": {"value": 1, "source": "s"},
                               "cnt": {"value": 4, "source": "s"}},
                     facts={"has_legal_adviser": {"value": 1.0, "source": "r"}})
    assert domain.evaluate(_scheme(), inputs, "deepening")["passed"]  # 15 of 15
    assert not domain.evaluate(_scheme(), inputs, "full_compliance")["passed"]  # 15 < 20


def test_an_inconsistent_scheme_names_each_problem():
    bad = _scheme(pass_thresholds={"framework": 10, "deepening": 15, "full_compliance": 99})
    bad["categories"][0]["indicators"].append(
        {"code": "yn", "name": "again", "kind": "ratio", "max_points": 1})
    with pytest.raises(ValidationFailed) as caught:
        domain.check_scheme(bad)
    assert set(caught.value.fields) == {"categories", "indicators.yn",
                                        "pass_thresholds.full_compliance"}


def test_figures_are_checked_against_the_indicator_kind():
    indicators = domain.indicator_map(_scheme())
    with pytest.raises(ValidationFailed):
        domain.check_figure(indicators["yn"], 2)
    with pytest.raises(ValidationFailed):
        domain.check_figure(indicators["adv"], 1)  # derived: not self-assessed
    domain.check_figure(indicators["adv"], 0, by_inspector=True)
    with pytest.raises(ValidationFailed):
        domain.check_figure(indicators["sat"], 1, by_inspector=True)
    with pytest.raises(ValidationFailed):
        domain.check_figure(indicators["insp"], 4, by_inspector=True)  # above max 3


def test_veto_items_met_by_events():
    scheme = _scheme()
    assert domain.veto_items_met(scheme, "election_held", {"result": "failed"}) == ["crime"]
    assert domain.veto_items_met(scheme, "election_held", {"result": "elected"}) == []


def test_scheme_choice_prefers_the_tier_then_the_newest_version():
    schemes = [
        {"id": 1, "version": 1, "status": "active", "community_class": "village",
         "economic_tier": None},
        {"id": 2, "version": 2, "status": "active", "community_class": "village",
         "economic_tier": None},
        {"id": 3, "version": 1, "status": "active", "community_class": "village",
         "economic_tier": "affluent"},
        {"id": 4, "version": 3, "status": "superseded", "community_class": "village",
         "economic_tier": None},
    ]
    assert domain.choose_scheme(schemes, "village", None)["id"] == 2
    assert domain.choose_scheme(schemes, "village", "affluent")["id"] == 3
    assert domain.choose_scheme(schemes, "village", "poor")["id"] == 2
    assert domain.choose_scheme(schemes, "urban_community", None) is None


def test_respondent_key_hides_the_number_and_normalises_it():
    key = domain.respondent_key("secret", "330110001201", "2026", "138-0000 0000")
    assert key == domain.respondent_key("secret", "330110001201", "2026", "+8613800000000")
    assert "13800000000" not in key
    assert key != domain.respondent_key("other", "330110001201", "2026", "13800000000")
    assert key != domain.respondent_key("secret", "330110001202", "2026", "13800000000")


def test_prerequisite_needs_a_current_title_and_no_veto():
    today = date(2026, 6, 1)
    held = {"id": 7, "status": "held", "valid_until": date(2028, 1, 1), "end_reason": None}
    assert titling.prerequisite([held], False, today) == (True, [], 7)
    # no validity set (the national default): held is current
    assert titling.prerequisite([dict(held, valid_until=None)], False, today)[0]
    eligible, reasons, _ = titling.prerequisite([held], True, today)
    assert not eligible and reasons == ["本考评周期被一票否决"]
    revoked = dict(held, status="revoked", end_reason="一票否决")
    assert titling.prerequisite([revoked], False, today)[:2] == (
        False, ["民主法治示范村（社区）称号已撤销（摘牌）（一票否决）"])
    expired = dict(held, valid_until=date(2026, 1, 1))
    assert titling.prerequisite([expired], False, today)[1] == [
        "民主法治示范村（社区）称号已于 2026-01-01 到期"]
    assert titling.prerequisite([], False, today)[1] == ["未获得民主法治示范村（社区）称号"]


def test_score_change_is_announced_only_on_a_change():
    assert not domain.score_changed(None, {"score": 0.0, "passed": False})
    assert domain.score_changed(None, {"score": 5.0, "passed": False})
    assert domain.score_changed({"score": 5.0, "passed": False}, {"score": 5.0, "passed": True})
    assert not domain.score_changed({"score": 5.0, "passed": True},
                                    {"score": 5.0, "passed": True})


def test_schemes_are_kept_at_city_level_or_above():
    domain.check_scheme_keeper(None)
    domain.check_scheme_keeper(Division("330000000000"))
    domain.check_scheme_keeper(Division("441900000000"))
    with pytest.raises(Forbidden):
        domain.check_scheme_keeper(Division("330110000000"))


def test_a_draw_is_visible_to_its_area_and_those_above():
    town = Division("330110001000")
    assert domain.areas_above(town) == ["", "33", "3301", "330110", "330110001"]
    assert domain.areas_above(None) == [""]
    assert domain.draw_visible("330110", town)           # drawn by the county above
    assert domain.draw_visible("330110001", Division("330110000000"))  # drawn below
    assert not domain.draw_visible("330111", town)        # a neighbouring county's
    assert domain.draw_visible("330111", None)


def test_a_revoked_community_may_reapply_after_the_wait():
    assert titling.reapply_date(date(2024, 2, 29), 2) == date(2026, 2, 28)
