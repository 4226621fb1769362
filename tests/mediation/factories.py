"""Builders for mediation test data: valid resident ID numbers, parties, organisations,
and the service's own deadline rules (from its config.yml)."""
from pathlib import Path

from fazhi_common.config import load_config
from fazhi_common.workdays import WorkingCalendar
from mediation.deadlines import Deadlines
from mediation.domain import id_check_character

CONFIG = load_config(Path(__file__).resolve().parents[2] / "services/mediation/config.yml",
                     environ={})
DEADLINES = Deadlines.from_config(CONFIG["DEADLINE_RULES"], WorkingCalendar())

M = "/api/v1/mediation"
COUNTY = "330110000000"
TOWN = "330110001000"
COMMUNITY = "330110001001"
OTHER_COUNTY = "330122000000"
LINKAGE = ("medical", "litigation", "police", "traffic", "procuratorate")


# (county, its first town, that town's first community) the tests use
UNITS_USED = (
    (COUNTY, TOWN, COMMUNITY),
    (OTHER_COUNTY, "330122001000", "330122001001"),
    ("330111000000", "330111001000", "330111001001"),
    ("330112000000", "330112001000", "330112001001"),
)


def unit_events(units=UNITS_USED):
    """Registry events for the units these tests use (and a second town of COUNTY)."""
    events = []
    for county, town, community in units:
        events += [
            ("county_registered", {"county_code": county, "name": f"county {county}",
                                   "kind": "district"}),
            ("town_registered", {"county_code": county, "town_code": town,
                                 "name": f"town {town}", "kind": "street"}),
            ("community_registered", {"county_code": county, "town_code": town,
                                      "community_code": community,
                                      "name": f"community {community}", "kind": "village"})]
    events.append(("town_registered", {"county_code": COUNTY, "town_code": "330110002000",
                                       "name": "town 330110002000", "kind": "street"}))
    return events


def resident_id(birth="19900307", serial="123"):
    first17 = "330110" + birth + serial
    return first17 + id_check_character(first17)


def party(role="applicant", name="张三丰", birth="19900307", phone="13812345678"):
    return {"role": role, "name": name, "id_number": resident_id(birth), "phone": phone}


def organisation(kind, county=COUNTY, town=None, department=None):
    return {"name": f"{kind} mediation", "kind": kind, "county_code": county,
            "town_code": town, "department": department or f"justice-{county[:6]}"}


def register_organisations(client):
    """A people's committee for the town and the five linkage kinds in the county."""
    ids = {}
    response = client.post(f"{M}/organisations",
                           json=organisation("people", town=TOWN,
                                             department="justice-330110001"))
    assert response.status_code == 201, response.json
    ids["people"] = response.json["id"]
    for kind in LINKAGE:
        response = client.post(f"{M}/organisations", json=organisation(kind))
        assert response.status_code == 201, response.json
        ids[kind] = response.json["id"]
    return ids


def referral(organisation_id, referrer_kind, reference, received_on=None, **extra):
    body = {"organisation_id": organisation_id, "referrer_kind": referrer_kind,
            "referrer_reference": reference, "community_code": COMMUNITY,
            "dispute_category": "damages", "amount_claimed": 12000.5,
            "description": "A dispute referred for mediation.",
            "parties": [party(), party("respondent", "李四", "19851120", "13900001111")]}
    if received_on:
        body["received_on"] = str(received_on)
    body.update(extra)
    return body
