"""A small realistic dataset made through the real gateway, for tests that walk the whole API
(the role matrix, the fuzzer): two counties of one city, each with a town, two villages
and what every service keeps about them, so path parameters can name real objects.

``seed(admin)`` returns, per county, the codes and ids it made (``Seeded``).
"""
from dataclasses import dataclass, field
from datetime import date

from tests.helpers import wait_until

R, E, M, N, C = (f"/api/v1/{s}" for s in ("registry", "evaluation", "mediation", "notifications",
                                            "corrections"))
CITY, HOME, OTHER = "330100000000", "330110000000", "330122000000"  # two counties of a city
TODAY = date.today()
Y = str(TODAY.year)
SCHEME = {"key": "seeded-village", "name": "one indicator", "community_class": "village",
          "economic_tier": None,
          "pass_thresholds": {"framework": 5, "deepening": 5, "full_compliance": 5},
          "parameters": {"satisfaction_min_sample": 1, "satisfaction_threshold": 0.5},
          "categories": [{"code": "all", "name": "全部", "indicators": [
              {"code": "x", "name": "某项", "kind": "yes_no", "max_points": 10}]}],
          "veto_items": [{"code": "mass_incident", "name": "群体性事件"}]}


@dataclass
class County:
    """What was made in one county: unit codes and the ids of records about them."""
    code: str
    town: str
    villages: tuple
    ids: dict = field(default_factory=dict)

    @property
    def department(self):
        return f"justice-{self.code[:6]}"

    @property
    def referrer(self):
        return f"police-{self.code[:6]}"


@dataclass
class Seeded:
    counties: dict
    scheme_id: int
    draw_id: int

    @property
    def home(self):
        return self.counties[HOME]

    @property
    def other(self):
        return self.counties[OTHER]


def ok(response, status=201):
    assert response.status_code == status, (response.request.path, response.json)
    return response.json


def seed(admin):
    """Make the dataset as ``admin`` (a platform administrator's client)."""
    scheme = ok(admin.post(f"{E}/schemes", json=SCHEME))
    counties = {code: _units(admin, code) for code in (HOME, OTHER)}
    for county in counties.values():
        _records(admin, county)
    # committed for the city, so that the city's officers may reveal or redraw it
    drawer = admin.as_role("justice_officer", CITY, department="dataset")
    draw = ok(drawer.post(f"{E}/spot-checks", json={"period": Y, "per_county": 1}))
    return Seeded(counties, scheme["id"], draw["id"])


def _units(admin, code):
    county = County(code, code[:6] + "001000", (code[:6] + "001201", code[:6] + "001202"))
    ok(admin.post(f"{R}/counties", json={"code": code, "name": f"县{code[:6]}",
                                          "kind": "district"}))
    ok(admin.post(f"{R}/towns", json={"code": county.town, "county_code": code,
                                       "name": "镇", "kind": "town"}))
    for number, village in enumerate(county.villages):
        ok(admin.post(f"{R}/communities", json={"code": village, "town_code": county.town,
                                                 "name": f"村{number}", "kind": "village"}))
    return county


def _records(admin, county):
    village, other_village = county.villages
    ids = county.ids
    # registry
    ids["body_id"] = ok(admin.post(f"{R}/governance-bodies", json={
        "community_code": village, "kind": "villagers_committee"}))["id"]
    ids["assignment_id"] = ok(admin.post(f"{R}/legal-advisers", json={
        "community_code": village, "adviser_name": "王律师", "adviser_kind": "lawyer",
        "assigned_on": TODAY.isoformat()}))["id"]
    ids["grid_id"] = ok(admin.post(f"{R}/grids", json={
        "community_code": village, "name": "第一网格", "worker_name": "周网格员",
        "households": 300, "established_on": f"{TODAY.year - 1}-01-01"}))["id"]
    ids["funding_line_id"] = ok(admin.post(f"{R}/funding-lines", json={
        "community_code": village, "year": TODAY.year, "source": "fiscal",
        "budgeted": 100000}))["id"]
    ids["purchased_service_id"] = ok(admin.post(f"{R}/purchased-services", json={
        "community_code": village, "provider": "社会工作服务中心", "contract_number": "GM-1",
        "amount": 80000, "starts_on": f"{TODAY.year}-01-01",
        "ends_on": f"{TODAY.year}-12-31"}))["id"]
    ids["volunteer_id"] = ok(admin.post(f"{R}/volunteers", json={
        "county_code": county.code, "name": "志愿者甲"}))["id"]

    # evaluation: the villages reach its read model through the registry's events
    for code in county.villages:
        wait_until(lambda code=code: admin.get(
            f"{E}/results/{code}?period={Y}").status_code == 200, timeout=60)
    ok(admin.post(f"{E}/evidence", json={"community_code": village, "period": Y,
                                          "indicator_code": "x", "value": 1}))
    # a city title, named by the city's two departments (the officers who walk the API
    # act for the city)
    for role in ("justice_officer", "civil_affairs_officer"):
        ids["title_id"] = ok(admin.as_role(role, CITY, department="dataset").post(
            f"{E}/titles", json={"community_code": village, "period": Y, "level": "city",
                                 "awarded_on": TODAY.isoformat()}))["id"]
    ids["inspection_id"] = ok(admin.post(f"{E}/inspections", json={
        "community_code": village, "period": Y, "kind": "special",
        "held_on": TODAY.isoformat(), "findings": [{"indicator_code": "x", "value": 1}]}))["id"]
    ids["veto_id"] = ok(admin.post(f"{E}/vetoes", json={
        "community_code": other_village, "period": Y, "veto_item": "mass_incident",
        "reason": "群体性事件", "evidence": ["通报"]}))["id"]

    # mediation: it too learns the units from the registry's events
    organisation = {"name": "人民调解委员会", "kind": "people", "county_code": county.code,
                    "town_code": county.town, "department": county.department}
    ids["organisation_id"] = wait_until(lambda: _made(admin, f"{M}/organisations",
                                                       organisation), timeout=60)["id"]
    police = ok(admin.post(f"{M}/organisations", json={
        "name": "警调对接室", "kind": "police", "county_code": county.code,
        "department": county.department}))
    ids["case_id"] = ok(admin.post(f"{M}/referrals", json={
        "organisation_id": police["id"], "referrer_kind": "police_station",
        "referrer_department": county.referrer, "referrer_reference": f"警{county.code[:6]}",
        "community_code": village, "dispute_category": "neighbourhood",
        "description": "夜间噪声", "parties": [{"role": "applicant", "name": "李四"}]}))["id"]
    ids["application_id"] = ok(admin.post(f"{M}/legal-aid", json={
        "community_code": village, "matter": "拖欠工资",
        "applicant": {"role": "applicant", "name": "张三", "phone": "13812345678"}}))["id"]
    ok(admin.post(f"{M}/hotline-consultations", json={
        "community_code": village, "consulted_on": TODAY.isoformat(), "topic": "labour",
        "summary": "咨询加班工资", "answered_by": "w1"}))
    ids["adviser_id"] = ok(admin.post("/api/v1/legal-services/government-advisers", json={
        "government_code": county.code, "government_body": "区人民政府", "adviser_kind": "firm",
        "adviser_name": "律师事务所", "term_start": f"{TODAY.year}-01-01",
        "term_end": f"{TODAY.year}-12-31"}))["id"]

    # corrections: it too learns the units from the registry's events
    person = {"kind": "correction", "correction_type": "probation", "community_code": village,
              "officer": "dataset-officer", "name": "赵六", "offence": "盗窃罪",
              "decided_on": TODAY.isoformat(), "term_ends_on": f"{int(Y) + 1}-12-31"}
    ids["person_id"] = wait_until(lambda: _made(admin, f"{C}/persons", person),
                                  timeout=60)["id"]
    ok(admin.post(f"{C}/persons/{ids['person_id']}/report-in", json={}), 200)
    ids["leave_id"] = ok(admin.post(f"{C}/persons/{ids['person_id']}/leaves", json={
        "reason": "family", "destination": "杭州", "leaves_on": TODAY.isoformat(),
        "returns_on": TODAY.isoformat(), "urgent_reason": "家中急事"}))["id"]

    # notifications
    ids["subscription_id"] = ok(admin.post(f"{N}/subscriptions", json={
        "event_types": ["title_revoked"], "channel": "inbox", "area_code": county.code,
        "department": county.department}))["id"]


def _made(client, path, body):
    response = client.post(path, json=body)
    return response.json if response.status_code == 201 else None
