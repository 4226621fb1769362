"""Enterprise legal health checks: distinct enterprises, against each county's own target."""
from registry.domain import valid_credit_code

R = "/api/v1/registry"
CITY = "330100000000"
YUHANG, TONGLU = "330110000000", "330122000000"
_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(serial):
    """A unified social credit code whose check character holds (GB 32100)."""
    first17 = f"91330110MA{serial:07d}"
    code = next(first17 + c for c in _CHARS if valid_credit_code(first17 + c))
    return code


def _counties(gateway):
    for code, name in ((YUHANG, "余杭区"), (TONGLU, "桐庐县")):
        assert gateway.post(f"{R}/counties", json={"code": code, "name": name,
                                                    "kind": "county"}).status_code == 201


def _check(justice, county, serial, day):
    response = justice.post(f"{R}/health-checks", json={
        "county_code": county, "enterprise_name": f"企业{serial}",
        "credit_code": credit_code(serial), "lawyer_name": "王律师", "checked_on": day})
    assert response.status_code == 201, response.json


def test_repeat_checks_count_once_against_the_countys_own_target(registry, gateway):
    _counties(gateway)
    _only_the_city_sets_a_countys_target(gateway)
    justice = gateway.as_role("justice_officer", YUHANG)
    for serial, day in ((1, "2026-03-01"), (1, "2026-09-01"), (2, "2026-04-01"),
                        (3, "2025-12-31")):
        _check(justice, YUHANG, serial, day)

    city = gateway.as_role("justice_officer", CITY)
    target = city.post(f"{R}/health-check-targets",
                      json={"county_code": YUHANG, "year": 2026, "target": 40})
    assert target.status_code == 200, target.json
    assert city.post(f"{R}/health-check-targets", json={
        "county_code": YUHANG, "year": 2026, "target": 50}).json["target"] == 50

    county = justice.get(f"{R}/health-checks/progress?year=2026&county_code={YUHANG}").json
    assert (county["checks"], county["checked"], county["target"],
            county["share_of_target"]) == (3, 2, 50, 0.04)

    whole = city.get(f"{R}/health-checks/progress?year=2026").json
    assert (whole["checked"], whole["target"]) == (2, 1000)  # the city against the policy
    per_county = {c["county_code"]: c for c in whole["counties"]}
    assert per_county[TONGLU] == {"county_code": TONGLU, "checks": 0, "checked": 0,
                                  "target": None, "share_of_target": None}
    assert per_county[YUHANG]["target"] == 50

    # a county officer's own view measures the county against its own target
    mine = justice.get(f"{R}/health-checks/progress?year=2026").json
    assert (mine["checked"], mine["target"]) == (2, 50)
    assert [c["county_code"] for c in mine["counties"]] == [YUHANG]


def _only_the_city_sets_a_countys_target(gateway):
    body = {"county_code": YUHANG, "year": 2026, "target": 40}
    own = gateway.as_role("justice_officer", YUHANG).post(f"{R}/health-check-targets",
                                                         json=body)
    assert own.status_code == 403 and "county_code" in own.json["fields"]
    other = gateway.as_role("justice_officer", TONGLU).post(f"{R}/health-check-targets",
                                                           json=body)
    assert other.status_code == 403
    civil = gateway.as_role("civil_affairs_officer", CITY).post(f"{R}/health-check-targets",
                                                                json=body)
    assert civil.status_code == 403
    bad = gateway.post(f"{R}/health-check-targets", json=dict(body, target=0))
    assert bad.status_code == 422 and "target" in bad.json["fields"]
    for not_a_county in ("330100000000", "330110001000", "000000000000"):
        wrong = gateway.post(f"{R}/health-check-targets",
                             json=dict(body, county_code=not_a_county))
        assert wrong.status_code == 422 and "county_code" in wrong.json["fields"]
    unknown = gateway.post(f"{R}/health-check-targets",
                          json=dict(body, county_code="330183000000"))
    assert unknown.status_code == 404
    assert gateway.get(f"{R}/health-checks/progress?year=2026").json["counties"][0][
        "target"] is None
