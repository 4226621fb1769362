"""Evaluation scores a community's community-corrections record from the corrections
service's counts alone: a scheme's derived indicator "no one lost from supervision" (脱管,
漏管) follows the files the corrections office keeps, through the real gateway, broker and
containers, and nothing of the person reaches evaluation."""
import json
from datetime import date, timedelta

from evaluation import measures
from tests.corrections.conftest import corrections  # noqa: F401 (a fixture)
from tests.helpers import wait_until
from tests.mediation.factories import resident_id

E, R, C = "/api/v1/evaluation", "/api/v1/registry", "/api/v1/corrections"
COUNTY, TOWN, VILLAGE = "330110000000", "330110001000", "330110001001"
TODAY = date.today()
Y = str(TODAY.year)
INDICATOR = {"code": "no_one_lost", "name": "社区矫正对象无脱管、漏管", "kind": "derived",
             "fact": "no_one_lost_from_supervision", "max_points": 2}


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def supervision(gateway):
    answer = gateway.get(f"{E}/results/{VILLAGE}?period={Y}")
    if answer.status_code != 200:
        return None
    return next((i for i in answer.json["indicators"] if i["code"] == "no_one_lost"), None)


def test_no_one_lost_from_supervision_is_scored_from_counts_only(
        registry, evaluation, corrections, gateway):  # noqa: F811 (the fixture)
    for path, unit in (("counties", {"code": COUNTY, "name": "余杭区", "kind": "district"}),
                       ("towns", {"code": TOWN, "county_code": COUNTY, "name": "良渚街道",
                                  "kind": "street"}),
                       ("communities", {"code": VILLAGE, "town_code": TOWN, "name": "大陆村",
                                        "kind": "village"})):
        ok(gateway.post(f"{R}/{path}", json=unit), 201)
    # the city adds the indicator to its village scheme
    [scheme] = ok(gateway.get(f"{E}/schemes?key=default-village"))["items"]
    edited = {k: scheme[k] for k in ("key", "name", "community_class", "economic_tier",
                                     "pass_thresholds", "parameters", "categories",
                                     "veto_items")}
    governance = next(sub for c in edited["categories"] for sub in c.get("categories", [])
                      if sub["code"] == "social_governance")
    governance["indicators"].append(INDICATOR)
    revision = gateway.post(f"{E}/schemes/{scheme['id']}/revisions", json=edited)
    # in place while no result uses it, else a new version the results move to
    assert revision.status_code in (200, 201, 202), revision.json
    # no one under correction in the village: the indicator does not apply
    figure = wait_until(lambda: (i := supervision(gateway)) and i, timeout=30)
    assert not figure["applicable"] and "no one under community correction" in figure[
        "source"]

    officer = gateway.as_role("justice_officer", COUNTY, department="justice-330110")
    decided = TODAY - timedelta(days=2)
    person = {"kind": "correction", "correction_type": "probation", "community_code": VILLAGE,
              "officer": "justice_officer-330110000000-justice-330110", "name": "欧阳锋",
              "id_number": resident_id("19800101"), "offence": "盗窃罪",
              "address": "良渚街道大陆村一组", "decided_on": decided.isoformat(),
              "term_ends_on": (decided + timedelta(days=365)).isoformat()}
    pid = ok(officer.post(f"{C}/persons", json=person), 201)["id"]
    ok(officer.post(f"{C}/persons/{pid}/report-in", json={}))
    figure = wait_until(lambda: (i := supervision(gateway)) and i["applicable"] and i,
                        timeout=30)
    assert figure["value"] == 1.0 and figure["points"] == 2
    assert "1 under correction" in figure["source"]

    ok(officer.post(f"{C}/persons/{pid}/lose-contact", json={}))
    figure = wait_until(lambda: (i := supervision(gateway)) and i["value"] == 0.0 and i,
                        timeout=30)
    assert figure["points"] == 0 and "1 lost from supervision" in figure["source"]
    # found again: the year still had someone lost from supervision
    ok(officer.post(f"{C}/persons/{pid}/regain-contact", json={}))
    figure = wait_until(lambda: (i := supervision(gateway)) and "latest: 1 under correction, "
                        "0 lost" in i["source"] and i, timeout=30)
    assert figure["value"] == 0.0, figure

    # evaluation holds counts, never the person
    whole = json.dumps(ok(gateway.get(f"{E}/results/{VILLAGE}?period={Y}")),
                       ensure_ascii=False)
    for secret in (person["name"], person["id_number"], person["offence"], person["address"]):
        assert secret not in whole


def test_the_measure_reads_the_period_and_how_it_began():
    day = date(2025, 1, 1)
    assert measures.supervision([], "2025")[:2] == (None, False)
    assert measures.supervision([(day, 0, 0, 0)], "2025")[:2] == (None, False)
    assert measures.supervision([(day, 2, 0, 0)], "2025")[:2] == (1.0, True)
    # lost at the start of the year (the last count before it), found in it: not clean
    began_lost = [(date(2024, 12, 30), 1, 0, 1), (date(2025, 2, 1), 2, 0, 0)]
    value, applicable, source = measures.supervision(began_lost, "2025")
    assert (value, applicable) == (0.0, True) and "2024-12-30: 1 lost" in source
    unreported = measures.supervision([(day, 0, 1, 0)], "2025")
    assert unreported[:2] == (0.0, True) and "1 unreported" in unreported[2]
