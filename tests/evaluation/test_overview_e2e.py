"""The campaign's overview counted over a whole province, through the gateway: every
community in the distribution and the totals, each county's figures and names, one
county's towns; bad paths (another area, a town for a county, bad bands, no login)."""
from collections import Counter
from datetime import date

import pytest

from tests.evaluation.province_results import expected_bands, lay_province

E = "/api/v1/evaluation"
PERIOD = str(date.today().year)

pytestmark = pytest.mark.timeout(300)


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


@pytest.fixture
def province(evaluation):
    return lay_province(evaluation.config["DATABASE_URL"], PERIOD)


def test_the_overview_counts_every_community_of_a_province(province, gateway):
    overview = ok(gateway.get(f"{E}/overview", query_string={"period": PERIOD}))
    results = province.results
    assert overview["communities"] == len(province.communities) == 25546
    assert overview["evaluated"] == len(results) > 23000
    assert [b["count"] for b in overview["distribution"]] == expected_bands(province)
    assert sum(b["count"] for b in overview["distribution"]) == len(results)
    assert [(b["low"], b["high"]) for b in overview["distribution"]][:2] == [(0, 10), (10, 20)]
    passed = sum(r[2] for r in results.values())
    assert overview["passed"] == passed
    assert overview["vetoed"] == sum(r[3] for r in results.values())
    assert overview["pass_rate"] == round(passed / len(results), 4)
    assert overview["coverage"] == round(len(results) / len(province.communities), 4)
    assert overview["titles"] == {"held": province.titles_held, "revoked": 0,
                                  "due_soon": 0}

    # by county, named, and the counties add up to the province
    assert overview["area_level"] == "county"
    per_county = Counter(county for county, _t, _n in province.communities.values())
    assert {a["code"]: a["communities"] for a in overview["areas"]} == per_county
    assert len(overview["areas"]) == 90
    assert all(a["name"] == province.names[a["code"]] for a in overview["areas"])
    assert sum(a["evaluated"] for a in overview["areas"]) == len(results)

    # the same through the report and a ranking page: names beside the codes
    report = ok(gateway.get(f"{E}/reports", query_string={"period": PERIOD}))
    assert all(c["county_name"] == province.names[c["county_code"]]
               for c in report["counties"])
    assert all(t["town_name"] == province.names[t["town_code"]]
               for c in report["counties"] for t in c["towns"])
    page = ok(gateway.get(f"{E}/rankings", query_string={"period": PERIOD, "per_page": 20}))
    assert all(i["town_name"] == province.names[i["town_code"]] and
               i["county_name"] == province.names[i["county_code"]] for i in page["items"])

    # one county: its towns, named
    county = max(per_county, key=per_county.get)
    one = ok(gateway.get(f"{E}/overview", query_string={"period": PERIOD, "county_code": county,
                                                        "bins": 5}))
    assert one["area_level"] == "town" and one["communities"] == per_county[county]
    assert len(one["distribution"]) == 5
    assert sum(b["count"] for b in one["distribution"]) == one["evaluated"] == sum(
        1 for code in results if province.communities[code][0] == county)
    per_town = Counter(t for c, t, _n in province.communities.values() if c == county)
    assert {a["code"]: a["communities"] for a in one["areas"]} == per_town
    assert all(a["name"] == province.names[a["code"]] for a in one["areas"])


def test_an_officer_sees_its_county_only_and_bad_questions_are_refused(province, gateway):
    counties = sorted({c for c, _t, _n in province.communities.values()})
    home, other = counties[0], counties[-1]
    officer = gateway.as_role("civil_affairs_officer", home)
    mine = ok(officer.get(f"{E}/overview", query_string={"period": PERIOD}))
    assert [a["code"] for a in mine["areas"]] == [home]
    assert mine["communities"] == sum(1 for c, _t, _n in province.communities.values()
                                      if c == home)
    # another county of the province: not revealed
    refused = officer.get(f"{E}/overview", query_string={"period": PERIOD,
                                                         "county_code": other})
    assert refused.status_code == 404, refused.json
    assert refused.json["fields"] == {"county_code": ["outside your area"]}
    # a town's officer may name its own county; the figures stay its town's
    town = next(t for c, t, _n in province.communities.values() if c == home)
    town_officer = gateway.as_role("justice_officer", town)
    narrowed = ok(town_officer.get(f"{E}/overview", query_string={"period": PERIOD,
                                                                  "county_code": home}))
    assert [a["code"] for a in narrowed["areas"]] == [town]
    for query, field in (({"period": "2025-01"}, "period"), ({}, "period"),
                         ({"period": PERIOD, "bins": 1}, "bins"),
                         ({"period": PERIOD, "bins": "many"}, "bins"),
                         ({"period": PERIOD, "county_code": "33"}, "county_code"),
                         ({"period": PERIOD, "county_code": town}, "county_code")):
        response = gateway.get(f"{E}/overview", query_string=query)
        assert response.status_code == 422, (query, response.json)
        assert field in response.json["fields"], (query, response.json)
    assert gateway.anonymous().get(f"{E}/overview",
                                   query_string={"period": PERIOD}).status_code == 401
