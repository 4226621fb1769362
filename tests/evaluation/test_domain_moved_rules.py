"""Rules that evaluation's operations applied inline, now plain functions of domain.py."""
from datetime import date

import pytest

from evaluation import domain
from fazhi_common.contracts.errors import Forbidden
from fazhi_common.division import parse


def test_an_election_counts_for_the_five_year_term_it_opens():
    day = date(2026, 6, 30)
    # the bound is exclusive: held exactly five years before no longer counts
    assert domain.term_began_after(day) == date(2021, 6, 30)


def test_the_term_of_a_leap_day_ends_on_28_february():
    assert domain.term_began_after(date(2024, 2, 29)) == date(2019, 2, 28)


@pytest.mark.parametrize("area", [None, "330000000000", "330100000000"])
def test_a_city_or_wider_area_keeps_schemes(area):
    domain.check_scheme_keeper(parse(area))


@pytest.mark.parametrize("area", ["330110000000", "330110001000", "330110001001"])
def test_a_county_town_or_community_may_not_keep_schemes(area):
    with pytest.raises(Forbidden) as caught:
        domain.check_scheme_keeper(parse(area))
    assert caught.value.fields == {"role": ["area too narrow for schemes"]}


def test_the_areas_above_a_town_run_from_the_country_down():
    assert domain.areas_above(parse("330110001000")) == ["", "33", "3301", "330110",
                                                         "330110001"]
    assert domain.areas_above(None) == [""]


@pytest.mark.parametrize("draw_area, viewer, visible", [
    ("330110", "330110000000", True),    # the county that drew it
    ("330110", "330100000000", True),    # the city above it
    ("330110", "330000000000", True),    # the province above it
    ("330110", None, True),              # the nation's officers
    ("3301", "330110001000", True),      # a town under the city that drew it
    ("", "330110000000", True),          # a national draw is public to all
    ("330110", "330111000000", False),   # a neighbouring county
    ("330110", "330200000000", False),   # another city
    ("330110001", "330110002000", False),
])
def test_a_draw_is_public_to_its_area_and_the_areas_above(draw_area, viewer, visible):
    assert domain.draw_visible(draw_area, parse(viewer)) is visible


@pytest.mark.parametrize("reorganised_on, period, stage", [
    (None, "2026", "full_compliance"),
    (date(2025, 9, 1), "2025", "framework"),
    (date(2025, 9, 1), "2026", "deepening"),
    (date(2025, 9, 1), "2027", "full_compliance"),
    (date(2025, 9, 1), "2030", "full_compliance"),
    (date(2025, 9, 1), "2024", "not_yet_formed"),
])
def test_the_stage_handed_to_evaluate_follows_the_reorganisation(reorganised_on, period, stage):
    assert domain.stage_of(reorganised_on, period) == stage
