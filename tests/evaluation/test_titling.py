"""Titles as the ministries name them, without the bus or a database: the two departments
of the level, each deciding; re-examination's outcomes; local policy only with its source."""
import pytest

from evaluation import titling
from evaluation.dependencies import TitlePolicy
from fazhi_common.contracts import messages
from fazhi_common.contracts.errors import Conflict, Forbidden
from fazhi_common.division import Division

JUSTICE, CIVIL = "justice_officer", "civil_affairs_officer"


@pytest.mark.parametrize("level, role, area, department", [
    ("national", JUSTICE, None, "justice"),              # 司法部
    ("national", CIVIL, None, "civil_affairs"),          # 民政部
    ("province", CIVIL, "330000000000", "civil_affairs"),
    ("city", JUSTICE, "330100000000", "justice"),
    ("county", JUSTICE, "330110000000", "justice"),
    ("county", CIVIL, "441900000000", "civil_affairs"),  # a city without counties
])
def test_an_officer_of_either_department_of_the_level_decides(level, role, area, department):
    assert titling.deciding_department(level, role, Division(area) if area else None) \
        == department


@pytest.mark.parametrize("level, role, area, field", [
    ("national", "platform_admin", None, "role"),     # the platform is neither department
    ("county", "platform_admin", None, "role"),
    ("province", JUSTICE, "330110000000", "level"),   # a county officer, a provincial title
    ("county", JUSTICE, "330000000000", "level"),     # a province names no county title
    ("national", JUSTICE, "330000000000", "level"),
    ("county", JUSTICE, "330110001000", "level"),     # a town names none
])
def test_no_decision_without_the_department_and_the_area_of_the_level(level, role, area,
                                                                      field):
    with pytest.raises(Forbidden) as info:
        titling.deciding_department(level, role, Division(area) if area else None)
    assert field in info.value.fields


def test_a_joint_act_takes_effect_when_both_departments_decided_the_same():
    assert not titling.joint_outcome([], "justice", "award", "award")
    first = [{"department": "justice", "outcome": "keep"}]
    assert titling.joint_outcome(first, "civil_affairs", "re_examine", "keep")
    with pytest.raises(Conflict) as twice:
        titling.joint_outcome(first, "justice", "re_examine", "keep")
    assert "department" in twice.value.fields
    with pytest.raises(Conflict) as differs:
        titling.joint_outcome(first, "civil_affairs", "re_examine", "cancel")
    assert "outcome" in differs.value.fields
    assert titling.RE_EXAMINATION_OUTCOMES == ("keep", "revoke", "cancel")  # 保留 撤销 注销
    assert all("司法部" in titling.CITATIONS[act] for act in titling.JOINT_ACTS)


def test_a_provinces_own_prerequisite_names_its_source():
    gansu = {"province": "62", "level": "province", "requires": "city",
             "source": "甘肃《“全省民主法治示范村（社区）”命名管理办法》第四条"}
    rule = titling.local_prerequisite([gansu], "62", "province")
    assert rule is gansu and titling.local_prerequisite([gansu], "33", "province") is None
    titling.check_local_prerequisite(rule, {"city"})
    with pytest.raises(Conflict) as info:
        titling.check_local_prerequisite(rule, {"county"})
    assert "第四条" in info.value.fields["level"][0]


def test_expiry_and_a_wait_are_off_by_default_and_refused_without_a_source():
    base = {"RE_EVALUATION_INTERVAL_YEARS": 2, "RE_EVALUATION_NOTICE_DAYS": 60,
            "TITLE_VALIDITY_YEARS": "", "REAPPLY_WAIT_YEARS": None}
    policy = TitlePolicy.from_config(base)
    assert (policy.validity_years, policy.reapply_wait_years) == (None, None)
    for key in ("TITLE_VALIDITY_YEARS", "REAPPLY_WAIT_YEARS"):
        with pytest.raises(ValueError, match="SOURCE"):
            TitlePolicy.from_config({**base, key: 4})
    with pytest.raises(ValueError, match="source"):
        TitlePolicy.from_config({**base, "TITLE_PREREQUISITES": [
            {"province": "62", "level": "province", "requires": "city", "source": ""}]})
    kept = TitlePolicy.from_config({**base, "TITLE_VALIDITY_YEARS": 4,
                                    "TITLE_VALIDITY_SOURCE": "某市办法第九条"})
    assert (kept.validity_years, kept.validity_source) == (4, "某市办法第九条")


def test_a_confirmed_veto_ends_only_titles_the_decider_names():
    county, city = Division("330110000000"), Division("330100000000")
    assert titling.may_decide("county", JUSTICE, county)
    assert not titling.may_decide("county", JUSTICE, city)       # referred, not ended
    assert not titling.may_decide("national", "platform_admin", None)
    assert not titling.may_decide("county", "platform_admin", None)


def test_a_title_refused_for_its_result_reads_in_chinese():
    """check_award's reasons go out in an API error: the catalogue puts them into Chinese,
    the stage by its label, and an English caller keeps the original."""
    below = titling.check_award({"vetoed": False, "passed": False, "score": 58.5,
                                 "stage": "framework", "pass_threshold": 60})
    assert messages.translate(below) == "得分 58.5，低于第一年搭框架阶段的合格线 60"
    assert messages.translate(f"330110001001 did not pass 2026: {below}.") == (
        "330110001001 在 2026 年度考评未达标：得分 58.5，低于第一年搭框架阶段的合格线 60，"
        "不能命名。")
    vetoed = titling.check_award({"vetoed": True, "passed": True})
    assert messages.translate(vetoed) == "本年度被一票否决"
    assert messages.translate(f"330110001001 did not pass 2026: {vetoed}.") == (
        "330110001001 在 2026 年度被一票否决，不能命名。")
    assert titling.check_award({"vetoed": False, "passed": True}) is None
