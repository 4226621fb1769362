"""Registry through the real gateway and a real registry container over RabbitMQ."""
import pytest

from tests.conftest import AuthedClient
from tests.helpers import queued_events

R = "/api/v1/registry"
COUNTY = "330110000000"
TOWN = "330110001000"


def _setup_town(gateway):
    assert gateway.post(f"{R}/counties", json={"code": COUNTY, "name": "余杭区",
                                                "kind": "district"}).status_code == 201
    town = {"code": TOWN, "county_code": COUNTY, "name": "良渚街道", "kind": "street"}
    assert gateway.post(f"{R}/towns", json=town).status_code == 201


def _village(gateway, suffix, name):
    response = gateway.post(f"{R}/communities", json={
        "code": TOWN[:9] + suffix, "town_code": TOWN, "name": name, "kind": "village"})
    assert response.status_code == 201, response.json
    return response.json


def test_register_reorganise_lineage_and_stage(registry, gateway, rabbit_config):
    _setup_town(gateway)
    _village(gateway, "201", "大陆村")
    _village(gateway, "202", "安溪村")

    merged = gateway.post(f"{R}/reorganisations", json={
        "kind": "merge", "effective_on": "2024-03-01",
        "source_codes": [TOWN[:9] + "201", TOWN[:9] + "202"],
        "result_code": TOWN[:9] + "301",
        "new_unit": {"name": "良渚社区", "kind": "rural_community", "town_code": TOWN}})
    assert merged.status_code == 201, merged.json

    old = gateway.get(f"{R}/communities/{TOWN[:9]}201").json
    assert old["status"] == "inactive" and old["deactivated_on"] == "2024-03-01"

    became = gateway.get(f"{R}/communities/{TOWN[:9]}201/lineage").json["became"]
    assert [b["result_code"] for b in became] == [TOWN[:9] + "301"]
    made_of = gateway.get(f"{R}/communities/{TOWN[:9]}301/lineage").json["made_of"]
    assert made_of[0]["source_codes"] == [TOWN[:9] + "201", TOWN[:9] + "202"]

    stages = [gateway.get(f"{R}/communities/{TOWN[:9]}301/stage?year={y}").json["stage"]
              for y in (2023, 2024, 2025, 2026, 2030)]
    assert stages == ["not_yet_formed", "framework", "deepening", "full_compliance",
                      "full_compliance"]

    events = queued_events(rabbit_config["AMQP_URI"], "registry", "community_reorganised",
                           "evaluation")
    assert events[0]["data"]["deactivated_codes"] == [TOWN[:9] + "201", TOWN[:9] + "202"]


def test_a_change_of_tier_is_announced_once(registry, gateway, rabbit_config):
    _setup_town(gateway)
    code = _village(gateway, "201", "大陆村")["code"]
    changed = gateway.patch(f"{R}/communities/{code}", json={"economic_tier": "tier_1"})
    assert changed.status_code == 200 and changed.json["economic_tier"] == "tier_1"
    # the same values again change nothing and announce nothing
    assert gateway.patch(f"{R}/communities/{code}",
                         json={"economic_tier": "tier_1"}).status_code == 200
    events = queued_events(rabbit_config["AMQP_URI"], "registry", "community_updated",
                           "evaluation", expect=2, timeout=2)
    assert [(e["data"]["community_code"], e["data"]["economic_tier"]) for e in events] == [
        (code, "tier_1")]


def test_bad_code_names_the_field_and_changes_nothing(registry, gateway):
    _setup_town(gateway)
    wrong_prefix = gateway.post(f"{R}/communities", json={
        "code": "330110002201", "town_code": TOWN, "name": "错村", "kind": "village"})
    assert wrong_prefix.status_code == 422
    assert wrong_prefix.json["code"] == "validation_failed"
    assert "code" in wrong_prefix.json["fields"]

    malformed = gateway.post(f"{R}/communities", json={
        "code": "33011000120", "town_code": TOWN, "name": "短码村", "kind": "village"})
    assert malformed.status_code == 422 and "code" in malformed.json["fields"]

    unknown_parent = gateway.post(f"{R}/towns", json={
        "code": "330111001000", "county_code": "330111000000", "name": "某镇", "kind": "town"})
    assert unknown_parent.status_code == 422 and "county_code" in unknown_parent.json["fields"]

    wrong_type = gateway.post(f"{R}/counties", json={"code": 330112000000, "name": 5,
                                                      "kind": "district"})
    assert wrong_type.status_code == 422
    assert set(wrong_type.json["fields"]) == {"code", "name"}

    listed = gateway.get(f"{R}/communities").json
    assert listed["total"] == 0
    assert gateway.get(f"{R}/towns?county_code=330111000000").json["total"] == 0


def test_merging_an_inactive_village_is_refused(registry, gateway):
    _setup_town(gateway)
    for suffix in ("201", "202", "203"):
        _village(gateway, suffix, f"村{suffix}")
    first = {"kind": "merge", "effective_on": "2024-01-01",
             "source_codes": [TOWN[:9] + "201", TOWN[:9] + "202"],
             "result_code": TOWN[:9] + "202"}
    assert gateway.post(f"{R}/reorganisations", json=first).status_code == 201
    again = gateway.post(f"{R}/reorganisations", json={
        "kind": "merge", "effective_on": "2024-06-01",
        "source_codes": [TOWN[:9] + "201", TOWN[:9] + "203"], "result_code": TOWN[:9] + "203"})
    assert again.status_code == 409
    assert "source_codes" in again.json["fields"]
    assert gateway.get(f"{R}/communities/{TOWN[:9]}203").json["status"] == "active"
    assert len(gateway.get(f"{R}/communities/{TOWN[:9]}203/lineage").json["made_of"]) == 0


def test_unknown_id_is_404_and_lists_are_paginated(registry, gateway):
    _setup_town(gateway)
    for n in range(5):
        _village(gateway, f"2{n:02d}", f"村{n}")
    missing = gateway.get(f"{R}/communities/330110001999")
    assert missing.status_code == 404 and missing.json["code"] == "not_found"
    page = gateway.get(f"{R}/communities?per_page=2&page=2").json
    assert page["total"] == 5 and page["page"] == 2
    assert [c["code"] for c in page["items"]] == [TOWN[:9] + "202", TOWN[:9] + "203"]
    assert gateway.get(f"{R}/communities?per_page=0").status_code == 422


DOWN_TEST_TIMEOUT = 100  # pytest-timeout of the test below


@pytest.mark.timeout(DOWN_TEST_TIMEOUT)
def test_service_down_gives_503_quickly(gateway_config):
    """No registry runs: the broker returns the request at once. The gateway's RPC timeout
    is far beyond the test's own, so a gateway that waited it out fails by the timeout."""
    from gateway.app import create_app
    from tests.conftest import AuthedClient

    app = create_app({**gateway_config, "RPC_TIMEOUT_SECONDS": 10 * DOWN_TEST_TIMEOUT})
    try:
        response = AuthedClient(app).as_role("viewer").get(f"{R}/counties")
        assert response.status_code == 503
        assert response.json["code"] == "service_unavailable"
    finally:
        app.extensions["rpc"].close()


def test_readiness_reports_each_service(registry, gateway_app):
    client = AuthedClient(gateway_app).as_role("platform_admin")  # sees the details
    gateway_app.config["FAZHI"]["SERVICES"] = ["registry"]
    anonymous = gateway_app.test_client().get("/health/ready")
    assert (anonymous.status_code, anonymous.json) == (200, {"status": "ok"})
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json["services"]["registry"]["database"] == "ok"
    gateway_app.config["FAZHI"]["SERVICES"] = ["registry", "mediation"]
    degraded = client.get("/health/ready")
    assert degraded.status_code == 503
    assert degraded.json["services"]["mediation"]["status"] == "unavailable"
    assert client.get("/health/live").status_code == 200


def test_look_alike_names_are_one_name(registry, gateway):
    _setup_town(gateway)
    first = _village(gateway, "201", "大陆村")
    for look_alike in ("\u202e大陆村", "大\u200b陆村", "\ufeff大陆村 ", "大陆\u2066村"):
        again = gateway.post(f"{R}/communities", json={
            "code": TOWN[:9] + "202", "town_code": TOWN,
            "name": look_alike, "kind": "village"})
        assert again.status_code == 409, (look_alike, again.json)
    decomposed = gateway.post(f"{R}/communities", json={
        "code": TOWN[:9] + "203", "town_code": TOWN, "name": "e\u0301村", "kind": "village"})
    assert decomposed.json["name"] == "\u00e9村"  # NFC
    renamed = gateway.patch(f"{R}/communities/{decomposed.json['code']}",
                            json={"name": "\u200d" + first["name"]})
    assert renamed.status_code == 409
