"""The registry's rules as plain functions: no bus, no database."""
from datetime import date

import pytest

from fazhi_common.campaign import campaign_stage
from fazhi_common.clock import add_years
from fazhi_common.contracts.errors import Conflict, ValidationFailed
from registry import domain


@pytest.mark.parametrize(("code", "level"), [
    ("330110000000", "county"), ("330110001000", "town"), ("330110001001", "community"),
    # Dongguan has no counties: the city stands as the county, its towns directly under it
    ("441900000000", "county"), ("441900003000", "town"), ("441900003001", "community")])
def test_division_level_reads_the_code(code, level):
    assert domain.division_level(code) == level


@pytest.mark.parametrize("code", [
    "33011000000",       # 11 digits
    "33011000000a",      # not a digit
    "330100000000",      # a city, not a county-level unit
    "330110000001",      # a village with no town part
    "330000000000",      # a province
    "330100001000",      # a town with no county, in a city that has counties
    None,
])
def test_bad_division_codes_are_refused_with_the_field(code):
    with pytest.raises(ValidationFailed) as info:
        domain.division_level(code)
    assert "code" in info.value.fields


def test_parent_code_and_prefix_consistency():
    assert domain.parent_code("330110001001") == "330110001000"
    assert domain.parent_code("330110001000") == "330110000000"
    assert domain.parent_code("330110000000") is None
    assert domain.parent_code("441900003000") == "441900000000"
    assert domain.parent_code("441900000000") is None
    domain.check_parent("330110001001", "330110001000")
    with pytest.raises(ValidationFailed):
        domain.check_parent("330110001001", "330110002000")


@pytest.mark.parametrize(("reorganised", "year", "stage"), [
    (date(2024, 6, 1), 2024, "framework"),
    (date(2024, 6, 1), 2025, "deepening"),
    (date(2024, 6, 1), 2026, "full_compliance"),
    (date(2024, 6, 1), 2030, "full_compliance"),
    (date(2024, 6, 1), 2023, "not_yet_formed"),
    (None, 2026, "full_compliance"),
])
def test_three_year_rule(reorganised, year, stage):
    assert campaign_stage(reorganised, year) == stage


def _village(code, **extra):
    return {"code": code, "kind": "village", "status": "active", "county_code": "330110000000",
            "federated_into": None, **extra}


RESULT = {"code": "330110001100", "kind": "rural_community", "status": "active",
          "county_code": "330110000000"}


def test_merge_deactivates_every_village_but_a_surviving_result():
    a, b = _village("330110001001"), _village("330110001002")
    assert domain.plan_reorganisation("merge", [a, b], RESULT, True) == (
        ["330110001001", "330110001002"], [])
    survivor = dict(a, kind="village")
    assert domain.plan_reorganisation("merge", [a, b], survivor, False) == (
        ["330110001002"], [])


def test_federation_keeps_villages_active():
    a = _village("330110001001")
    assert domain.plan_reorganisation("federate", [a], RESULT, True) == ([], ["330110001001"])


@pytest.mark.parametrize(("kind", "sources", "error"), [
    ("convert", [_village("330110001001"), _village("330110001002")], ValidationFailed),
    ("merge", [_village("330110001001")], ValidationFailed),
    ("merge", [_village("330110001001"), _village("330110001001")], ValidationFailed),
    ("convert", [_village("330110001001", status="inactive")], Conflict),
    ("convert", [_village("330110001001", kind="urban_community")], ValidationFailed),
    ("federate", [_village("330110001001", federated_into="330110001099")], Conflict),
    ("convert", [_village("330110001001", county_code="330111000000")], ValidationFailed),
])
def test_impossible_reorganisations_are_refused(kind, sources, error):
    with pytest.raises(error):
        domain.plan_reorganisation(kind, sources, RESULT, True)


def test_lineage_is_walked_both_ways_each_link_once():
    # 001 + 002 merged into 100 (link 1); 100 converted into 200 (link 2)
    forward = {"001": [({"id": 1}, "100")], "002": [({"id": 1}, "100")],
               "100": [({"id": 2}, "200")], "200": []}
    assert [link["id"] for link in domain.trace("001", lambda c: forward[c])] == [1, 2]
    backward = {"200": [({"id": 2}, "100")], "100": [({"id": 1}, "001"), ({"id": 1}, "002")],
                "001": [], "002": []}
    assert [link["id"] for link in domain.trace("200", lambda c: backward[c])] == [2, 1]


def test_terms_and_elections():
    assert add_years(date(2024, 2, 29), 5) == date(2029, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert domain.due_for_election(date(2026, 11, 25), date(2026, 11, 25))
    assert not domain.due_for_election(date(2026, 11, 26), date(2026, 11, 25))
    assert domain.due_for_election(None, date(2026, 1, 1))
    with pytest.raises(ValidationFailed):
        domain.check_election(100, 101)


@pytest.mark.parametrize(("period", "bounds"), [
    ("2026-Q1", (date(2026, 1, 1), date(2026, 3, 31))),
    ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
])
def test_periods(period, bounds):
    assert domain.period_bounds(period) == bounds


@pytest.mark.parametrize("period", ["2026-Q5", "2026-13", "2026", "", None])
def test_bad_periods(period):
    with pytest.raises(ValidationFailed):
        domain.period_bounds(period)


def test_disclosure_on_time_within_the_grace_days():
    assert domain.disclosure_on_time("2026-Q1", date(2026, 4, 10), 10)
    assert not domain.disclosure_on_time("2026-Q1", date(2026, 4, 11), 10)
    with pytest.raises(ValidationFailed):
        domain.disclosure_on_time("2026-Q1", date(2025, 12, 31), 10)


def test_unified_social_credit_code_checksum():
    assert domain.valid_credit_code("91330110MA2KXXXX0A") is False  # wrong check character
    good = "91350100M000100Y43"
    assert domain.valid_credit_code(good)
    assert not domain.valid_credit_code(good[:-1] + "4")
    assert not domain.valid_credit_code("short")


@pytest.mark.parametrize(("code", "kind", "warned"), [
    ("330110001001", "urban_community", False),
    ("330110001001", "rural_community", False),
    ("330110001001", "village", True),           # a residents' committee number
    ("330110001201", "village", False),
    ("330110001201", "rural_community", True),   # a villagers' committee number
    ("330110001401", "village", False),          # numbering says nothing here
])
def test_kind_against_the_nbs_numbering(code, kind, warned):
    warning = domain.numbering_warning(code, kind)
    assert bool(warning) == warned
    if warned:
        assert kind in warning and code[9:] in warning


def test_kind_from_the_nbs_numbering():
    assert domain.kind_by_numbering("330110001001") == "urban_community"
    assert domain.kind_by_numbering("330110001250") == "village"
    assert domain.kind_by_numbering("330110001450") is None
