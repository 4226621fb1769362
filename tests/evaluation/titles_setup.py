"""A town for title tests: villages and a community, each scored by a one-indicator scheme
so that a single self-assessment passes it, and officers at each level."""
from tests.helpers import wait_until

R = "/api/v1/registry"
E = "/api/v1/evaluation"
PROVINCE, CITY, COUNTY = "330000000000", "330100000000", "330110000000"
TOWN = "330110001000"
V1, V2, V3 = "330110001201", "330110001202", "330110001203"
K = "330110001001"  # a rural community the villages may federate under


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def _scheme(community_class):
    return {"key": f"titles-{community_class.replace('_', '-')}", "name": "one indicator",
            "community_class": community_class, "economic_tier": None,
            "pass_thresholds": {"framework": 5, "deepening": 5, "full_compliance": 5},
            "parameters": {"satisfaction_min_sample": 1, "satisfaction_threshold": 0.5},
            "categories": [{"code": "all", "name": "全部", "indicators": [
                {"code": "x", "name": "某项", "kind": "yes_no", "max_points": 10}]}],
            "veto_items": [{"code": "mass_incident", "name": "群体性事件"},
                           {"code": "election_failed", "name": "换届选举未能依法完成",
                            "triggers": [{"event": "election_held",
                                          "match": {"result": "failed"}}]}]}


def officer(gateway, area, role="justice_officer"):
    """An officer of ``area``; ``.partner`` is the other naming department's officer there."""
    client = gateway.as_role(role, area, department=f"justice-{area}")
    client.partner = gateway.as_role("civil_affairs_officer", area, department=f"civil-{area}")
    return client


def town(gateway, year):
    """Register the town; every unit passes ``year`` on a single self-assessment."""
    for community_class in ("village", "rural_community"):
        ok(gateway.post(f"{E}/schemes", json=_scheme(community_class)), 201)
    ok(gateway.post(f"{R}/counties", json={"code": COUNTY, "name": "余杭区",
                                            "kind": "district"}), 201)
    ok(gateway.post(f"{R}/towns", json={"code": TOWN, "county_code": COUNTY,
                                         "name": "良渚街道", "kind": "street"}), 201)
    units = ((V1, "大陆村", "village"), (V2, "安溪村", "village"), (V3, "石桥村", "village"),
             (K, "良渚社区", "rural_community"))
    for code, name, kind in units:
        ok(gateway.post(f"{R}/communities", json={"code": code, "town_code": TOWN,
                                                   "name": name, "kind": kind}), 201)
    for code, _name, _kind in units:
        passing(gateway, code, year)


def passing(gateway, code, year):
    wait_until(lambda: gateway.get(f"{E}/results/{code}?period={year}").status_code == 200,
               timeout=30)
    ok(gateway.post(f"{E}/evidence", json={"community_code": code, "period": year,
                                            "indicator_code": "x", "value": 1}), 201)
    assert ok(gateway.get(f"{E}/results/{code}?period={year}"))["passed"]


def award(client, code, level, year, awarded_on):
    """Named by both departments of the level: ``client`` and its partner."""
    body = {"community_code": code, "period": year, "level": level, "awarded_on": awarded_on}
    assert ok(client.post(f"{E}/titles", json=body), 201)["status"] == "proposed"
    named = ok(client.partner.post(f"{E}/titles", json=body), 201)
    assert named["status"] == "held"
    return named


def both(client, path, body):
    """The same decision by both departments of the level; the second's answer."""
    ok(client.post(path, json=body))
    return client.partner.post(path, json=body)
