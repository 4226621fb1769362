"""A dispute a grid worker finds goes to mediation by an event, as a case of the people's
mediation committee serving the community (its own, else its town's), and the case's
outcome comes back to the grid report. Real gateway, registry and mediation over RabbitMQ."""
from registry.service import RegistryService
from tests.helpers import seed_units, wait_until
from tests.mediation.factories import COMMUNITY, COUNTY, TOWN, M, organisation

R = "/api/v1/registry"
NEIGHBOUR = TOWN[:9] + "002"  # a community of the same town without its own committee


def ok(response, status=201):
    assert response.status_code == status, response.json
    return response.json


def test_grid_report_to_mediation_and_back(mediation, container_factory, service_config,
                                           gateway):
    from mediation.operations import UNITS

    container_factory(RegistryService, service_config("registry")).start()
    seed_units(mediation.config["DATABASE_URL"], UNITS, [("community_registered", {
        "county_code": COUNTY, "town_code": TOWN, "community_code": NEIGHBOUR,
        "name": "安溪社区", "kind": "urban_community"})])
    ok(gateway.post(f"{R}/counties", json={"code": COUNTY, "name": "余杭区", "kind": "district"}))
    ok(gateway.post(f"{R}/towns", json={"code": TOWN, "county_code": COUNTY, "name": "良渚街道",
                                         "kind": "street"}))
    for code, name in ((COMMUNITY, "大陆社区"), (NEIGHBOUR, "安溪社区")):
        ok(gateway.post(f"{R}/communities", json={"code": code, "town_code": TOWN, "name": name,
                                                   "kind": "urban_community"}))
    justice = gateway.as_role("justice_officer", COUNTY, department="justice-330110")
    town_committee = ok(justice.post(f"{M}/organisations", json=organisation(
        "people", town=TOWN, department="justice-330110001")))
    own = ok(justice.post(f"{M}/organisations", json={**organisation(
        "people", town=TOWN, department="justice-330110001"), "name": "大陆社区人民调解委员会",
        "community_code": COMMUNITY}))

    civil = gateway.as_role("civil_affairs_officer", COUNTY)
    reports = {}
    for code in (COMMUNITY, NEIGHBOUR):
        grid = ok(civil.post(f"{R}/grids", json={
            "community_code": code, "name": "第一网格", "worker_name": "周网格员",
            "households": 320, "established_on": "2025-01-01"}))
        reports[code] = ok(civil.post(f"{R}/grid-reports", json={
            "grid_id": grid["id"], "kind": "dispute", "found_on": "2026-01-10",
            "place": "3幢楼下", "dispute_category": "neighbourhood",
            "description": "楼上漏水引发邻里纠纷"}))
        assert reports[code]["status"] == "referred"
    # a dispute without its category cannot go to mediation
    refused = civil.post(f"{R}/grid-reports", json={
        "grid_id": grid["id"], "kind": "dispute", "found_on": "2026-01-10", "place": "x",
        "description": "y"})
    assert refused.status_code == 422 and "dispute_category" in refused.json["fields"]

    def report(code):
        [found] = [r for r in gateway.get(f"{R}/grid-reports?community_code={code}").json[
            "items"] if r["id"] == reports[code]["id"]]
        return found

    taken = {code: wait_until(lambda code=code: report(code)["case_id"] and report(code),
                              timeout=20) for code in reports}
    # the community's own committee first; the neighbour's goes to its town's
    assert taken[COMMUNITY]["organisation_id"] == own["id"]
    assert taken[NEIGHBOUR]["organisation_id"] == town_committee["id"]
    assert taken[COMMUNITY]["status"] == "with_mediation"
    case_id = taken[COMMUNITY]["case_id"]
    case = ok(justice.get(f"{M}/cases/{case_id}"), 200)
    assert case["referrer_reference"] == f"grid-report-{reports[COMMUNITY]['id']}"
    assert "楼上漏水" in case["description"] and case["status"] == "received"

    # a mediator of the committee's own department (the town's justice office)
    gateway.as_role("mediator", TOWN, department="justice-330110001")
    for action, body in (("accept", {}), ("assign-mediator",
                                          {"mediator": f"mediator-{TOWN}-justice-330110001"}),
                         ("record-agreement", {"terms": "楼上住户修复管道并赔偿。"}),
                         ("close", {})):
        ok(justice.post(f"{M}/cases/{case_id}/{action}", json=body), 200)
    closed = wait_until(lambda: report(COMMUNITY)["status"] == "closed"
                        and report(COMMUNITY), timeout=20)
    assert closed["outcome"] == "agreement" and closed["closed_on"]
    assert report(NEIGHBOUR)["status"] == "with_mediation"
