"""A prefecture-level city without counties (不设区的地级市), end to end.

Dongguan's towns sit directly under the city's code (county part 00). Registered through
the gateway and imported from a list, its units reach evaluation's read model with the
city standing as their county, and an officer of the city sees exactly its units.
"""
import base64
from datetime import date

from tests.helpers import wait_until

R = "/api/v1/registry"
E = "/api/v1/evaluation"
DONGGUAN = "441900000000"
DONGCHENG = "441900003000"        # 东城街道, directly under the city
DONGCHENG_COMMUNITY = "441900003001"
SHIJIE = "441900101000"           # 石碣镇, from the imported list
SHIJIE_COMMUNITY, SHIJIE_VILLAGE = "441900101001", "441900101201"
ELSEWHERE = "330110001201"        # a village of a city that has counties
Y = str(date.today().year)


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def codes(client, path):
    return {item["code"] for item in ok(client.get(f"{R}/{path}?per_page=500"))["items"]}


def test_a_city_without_counties_works_through_gateway_import_and_evaluation(
        registry, evaluation, gateway):
    ok(gateway.post(f"{R}/counties", json={"code": DONGGUAN, "name": "东莞市",
                                            "kind": "county_city"}), 201)
    ok(gateway.post(f"{R}/towns", json={"code": DONGCHENG, "county_code": DONGGUAN,
                                         "name": "东城街道", "kind": "street"}), 201)
    community = ok(gateway.post(f"{R}/communities", json={
        "code": DONGCHENG_COMMUNITY, "town_code": DONGCHENG, "name": "东城社区",
        "kind": "urban_community"}), 201)
    assert (community["county_code"], community["town_code"]) == (DONGGUAN, DONGCHENG)

    # a town under a city that has counties is still refused, naming the field
    refused = gateway.post(f"{R}/towns", json={"code": "330100001000",
                                                "county_code": "330100000000",
                                                "name": "无县镇", "kind": "town"})
    assert refused.status_code == 422 and "code" in refused.json["fields"]

    listing = ("统计用区划代码,名称,类型\n"
               f"{SHIJIE},石碣镇,镇\n"
               f"{SHIJIE_COMMUNITY},石碣社区,\n"     # kind from the NBS number: 001
               f"{SHIJIE_VILLAGE},水南村,社区\n"     # 201 says village: a warning only
               "330110000000,余杭区,市辖区\n"
               "330110001000,良渚街道,街道\n"
               f"{ELSEWHERE},大陆村,村\n")
    imported = ok(gateway.post(f"{R}/imports", json={
        "filename": "units.csv",
        "content_base64": base64.b64encode(listing.encode()).decode()}), 201)
    assert imported["created"] == 6
    assert [(w["line"], w["code"]) for w in imported["warnings"]] == [(4, SHIJIE_VILLAGE)]
    assert ok(gateway.get(f"{R}/towns/{SHIJIE}"))["county_code"] == DONGGUAN
    assert ok(gateway.get(f"{R}/communities/{SHIJIE_COMMUNITY}"))["kind"] == "urban_community"

    # the registry's events carry the city as the county; evaluation scores every unit
    for code in (DONGCHENG_COMMUNITY, SHIJIE_COMMUNITY, SHIJIE_VILLAGE, ELSEWHERE):
        wait_until(lambda code=code: gateway.get(
            f"{E}/results/{code}?period={Y}").status_code == 200)

    # an officer of the city sees exactly its units, and nothing of another city
    city = gateway.as_role("civil_affairs_officer", DONGGUAN)
    assert codes(city, "counties") == {DONGGUAN}
    assert codes(city, "towns") == {DONGCHENG, SHIJIE}
    assert codes(city, "communities") == {DONGCHENG_COMMUNITY, SHIJIE_COMMUNITY,
                                          SHIJIE_VILLAGE}
    assert city.get(f"{R}/communities/{ELSEWHERE}").status_code == 404
    coverage = ok(city.get(f"{R}/coverage"))
    assert [c["county_code"] for c in coverage["counties"]] == [DONGGUAN]
    assert {t["town_code"] for t in coverage["counties"][0]["towns"]} == {DONGCHENG, SHIJIE}

    # a town officer of the city sees its town's units, within the city's figures
    town = gateway.as_role("civil_affairs_officer", DONGCHENG)
    assert codes(town, "communities") == {DONGCHENG_COMMUNITY}
    assert codes(town, "counties") == set()

    # evaluation scopes the same way: the city's evaluator ranks only the city's units
    evaluator = gateway.as_role("evaluator", DONGGUAN)
    ranked = ok(evaluator.get(f"{E}/rankings?period={Y}&per_page=500"))["items"]
    assert {r["community_code"] for r in ranked} == {DONGCHENG_COMMUNITY, SHIJIE_COMMUNITY,
                                                     SHIJIE_VILLAGE}
    report = ok(evaluator.get(f"{E}/reports?period={Y}"))
    assert [c["county_code"] for c in report["counties"]] == [DONGGUAN]
    assert evaluator.get(f"{E}/results/{ELSEWHERE}?period={Y}").status_code == 404
