"""Requests for every operation of the OpenAPI description, naming one county's seeded
objects (tests/dataset.py): the role matrix sends them in the callers' own county, and
the same requests with the other county's objects to see them refused."""
import re

from tests.dataset import SCHEME, TODAY, Y
from tests.helpers import resident_number

QUERY = {"period": Y, "year": Y, "title": "safe_community", "date_from": f"{Y}-01-01",
         "date_to": TODAY.isoformat()}
# path parameters no seeded object stands for: any answer but a denial or a failure will do
PLACEHOLDERS = {"job_id": "no-such-job", "alert_id": 1, "delivery_id": 1}
# fields of a body that name a unit: a write naming one outside the area is refused (403)
UNIT_FIELDS = ("community_code", "county_code", "town_code", "area_code", "code",
               "government_code",
               "source_codes", "result_code")


def operations(spec):
    """``(method, path, operation)`` of every operation that needs a login."""
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if operation.get("security") != []:
                yield method, path, operation


def path_values(seeded, county, victim):
    """Each path parameter's value: an object of ``county`` where one exists."""
    return {**county.ids, "scheme_id": seeded.scheme_id, "draw_id": seeded.draw_id,
            **PLACEHOLDERS, **victim}


def names_seeded_objects(path):
    """True if every path parameter names an object that exists (a read must be 2xx)."""
    return not any(f"{{{name}}}" in path for name in PLACEHOLDERS)


def _code_for(path, county):
    if path.startswith("/api/v1/registry/counties"):
        return county.code
    if path.startswith("/api/v1/registry/towns"):
        return county.town
    return county.villages[0]


def url(path, operation, values, county):
    def fill(match):
        name = match.group(1)
        return _code_for(path, county) if name == "code" else str(values[name])
    filled = re.sub(r"{(\w+)}", fill, path)
    query = [f"{p['name']}={QUERY[p['name']]}" for p in operation.get("parameters", [])
             if p["in"] == "query" and p.get("required")]
    return filled + ("?" + "&".join(query) if query else "")


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _named(county):
    """Values for body fields by name: the county's own units and records."""
    return {"community_code": county.villages[0], "county_code": county.code,
            "town_code": county.town, "government_code": county.code, "period": Y,
            "organisation_id": county.ids["organisation_id"],
            "volunteer_id": county.ids["volunteer_id"], "area_code": county.code,
            "referrer_department": county.referrer, "department": county.department,
            "indicator_code": "x", "value": 1, "participants": 10, "eligible_voters": 100,
            "votes_cast": 90, "target": 1000, "year": int(Y), "credit_code": "91350100M000100Y43",
            "webhook_url": "https://court.example/fazhi", "channel": "inbox",
            "password": "correct horse battery staple", "event_types": ["title_revoked"]}


# bodies the schema alone cannot make right: nested records, codes that must be new
def _special(county):
    party = {"role": "applicant", "name": "李四"}
    village = {"code": county.code[:6] + "001209", "town_code": county.town, "name": "新村",
               "kind": "village"}
    return {
        ("post", "/api/v1/registry/counties"): {"code": county.code, "name": "县",
                                                "kind": "district"},
        ("post", "/api/v1/registry/towns"): {"code": county.town, "county_code": county.code,
                                             "name": "镇", "kind": "town"},
        ("post", "/api/v1/registry/communities"): village,
        ("post", "/api/v1/evaluation/communities/{code}/paper-survey-answers"): {
            "period": Y, "respondent_id": resident_number(77), "satisfied": True,
            "collected_on": TODAY.isoformat()},
        ("post", "/api/v1/registry/disclosures"): {
            "community_code": county.villages[0], "kind": "financial", "period": f"{Y}-01",
            "disclosed_on": TODAY.isoformat()},
        ("post", "/api/v1/registry/reorganisations"): {
            "kind": "convert", "effective_on": TODAY.isoformat(),
            "source_codes": [county.villages[1]], "result_code": county.villages[1]},
        # a change names at least one field (an empty one is refused before any lookup)
        ("patch", "/api/v1/registry/funding-lines/{funding_line_id}"): {"spent": 1000},
        ("patch", "/api/v1/registry/purchased-services/{purchased_service_id}"): {
            "evaluation_result": "good", "paid": 1000},
        ("post", "/api/v1/registry/imports"): {
            "filename": "units.csv", "dry_run": True,
            "content_base64": "Y29kZSxuYW1lLGtpbmQsdG93bl9jb2RlCg=="},
        ("post", "/api/v1/mediation/referrals"): {
            "organisation_id": county.ids["organisation_id"], "referrer_kind": "police_station",
            "referrer_department": county.referrer, "referrer_reference": "警matrix",
            "community_code": county.villages[0], "dispute_category": "neighbourhood",
            "description": "噪声", "parties": [party]},
        ("post", "/api/v1/mediation/legal-aid"): {
            "community_code": county.villages[0], "matter": "拖欠工资", "applicant": party},
        ("post", "/api/v1/corrections/persons"): {
            "kind": "correction", "correction_type": "probation", "officer": "matrix",
            "community_code": county.villages[0], "name": "测试", "offence": "测试",
            "decided_on": TODAY.isoformat(), "term_ends_on": f"{int(Y) + 1}-12-31"},
        # a city title, as the dataset's: the city's officers decide it
        ("post", "/api/v1/evaluation/titles"): {
            "community_code": county.villages[0], "period": Y, "level": "city",
            "awarded_on": TODAY.isoformat()},
        ("post", "/api/v1/evaluation/inspections"): {
            "community_code": county.villages[0], "period": Y, "kind": "special",
            "held_on": TODAY.isoformat(), "findings": [{"indicator_code": "x", "value": 1}]},
        ("post", "/api/v1/evaluation/vetoes"): {
            "community_code": county.villages[1], "period": Y, "veto_item": "mass_incident",
            "reason": "群体性事件", "evidence": ["通报"]},
        ("post", "/api/v1/evaluation/schemes"): dict(SCHEME, key="matrix-village"),
        ("post", "/api/v1/evaluation/schemes/{scheme_id}/revisions"): SCHEME,
        ("post", "/api/v1/auth/users"): {
            "username": "matrix-made", "password": "correct horse battery staple",
            "department": "test", "role": "viewer"},
    }


def _value(spec, name, schema, named):
    schema = _resolve(spec, schema)
    if name in named:
        return named[name]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [_value(spec, name, schema.get("items", {}), named)]
    if kind == "object":
        return _body(spec, schema, named)
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return TODAY.isoformat()
    return "测试"


def _body(spec, schema, named):
    schema = _resolve(spec, schema)
    properties = schema.get("properties", {})
    return {name: _value(spec, name, properties[name], named)
            for name in schema.get("required", [])}


def body(spec, method, path, operation, county):
    """A well-formed body naming ``county``'s units, or None for an operation without one."""
    if "requestBody" not in operation:
        return None
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return _special(county).get((method, path)) or _body(spec, schema, _named(county))


def units_named(payload):
    """The division codes a body names in its unit fields."""
    if not isinstance(payload, dict):
        return []
    codes = [payload[field] for field in UNIT_FIELDS if field in payload]
    return [code for value in codes for code in (value if isinstance(value, list) else [value])
            if isinstance(code, str) and re.fullmatch(r"\d{12}", code)]
