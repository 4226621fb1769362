"""Every role against every endpoint and every RPC: the whole surface, not a sample.

The gateway's OpenAPI description names the roles of each operation (``x-roles``); the
services name them on each ``@rpc``. Here, with every service running on a seeded
database (tests/dataset.py), every operation is called as every role and without a
login, with path parameters naming real objects of the caller's county and a well-formed
body: a role the operation admits must reach the service and get its answer (2xx, or a
domain 404/409/422, never a role denial or a 5xx); any other role is refused. Every RPC
is also called straight on the bus as a role it does not admit. Area and object-level
denials (another county's ids, another department's referrals) are walked in
test_access_matrix.py, the fuzzer and each service's end-to-end tests.
"""
import re

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from fazhi_common.contracts.errors import Forbidden, Unauthenticated
from fazhi_common.contracts.roles import ROLES, Identity
from fazhi_common.identity import CONTEXT_KEY, SignedRpc, sign_identity, signing_key
from tests.conftest import SIGNING_KEY
from tests.dataset import CITY, HOME, SCHEME, TODAY, Y
from tests.helpers import SERVICES, service_class

LOGOUT = ("post", "/api/v1/auth/logout")  # called last, on a second token of each account
GATEWAY_ONLY = "/api/v1/auth/"  # accounts live in the gateway itself: no service behind
QUERY = {"period": Y, "year": Y, "title": "safe_community", "date_from": f"{Y}-01-01",
         "date_to": TODAY.isoformat()}


def _path_values(seeded, victim):
    """Each path parameter's value: an object of the callers' county where one exists."""
    home = seeded.home
    return {**home.ids, "scheme_id": seeded.scheme_id,
            "draw_id": seeded.draw_id, "job_id": "no-such-job", "alert_id": 1,
            "delivery_id": 1, **victim}


def _code_for(path, home):
    if path.startswith("/api/v1/registry/counties"):
        return home.code
    if path.startswith("/api/v1/registry/towns"):
        return home.town
    return home.villages[0]


def _url(path, operation, values, home):
    def fill(match):
        name = match.group(1)
        return _code_for(path, home) if name == "code" else str(values[name])
    url = re.sub(r"{(\w+)}", fill, path)
    query = [f"{p['name']}={QUERY[p['name']]}" for p in operation.get("parameters", [])
             if p["in"] == "query" and p.get("required")]
    return url + ("?" + "&".join(query) if query else "")


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _named(seeded):
    """Values for body fields by name: the county's own units and records."""
    home = seeded.home
    return {"community_code": home.villages[0], "county_code": home.code,
            "town_code": home.town, "government_code": home.code, "period": Y,
            "organisation_id": home.ids["organisation_id"],
            "volunteer_id": home.ids["volunteer_id"], "area_code": home.code,
            "referrer_department": home.referrer, "department": home.department,
            "indicator_code": "x", "value": 1, "participants": 10, "eligible_voters": 100,
            "votes_cast": 90, "target": 1000, "year": int(Y), "credit_code": "91350100M000100Y43",
            "webhook_url": "https://court.example/fazhi", "channel": "inbox",
            "password": "correct horse battery staple", "event_types": ["title_revoked"]}


# bodies the schema alone cannot make right: nested records, codes that must be new
def _special(seeded):
    home = seeded.home
    party = {"role": "applicant", "name": "李四"}
    village = {"code": home.code[:6] + "001209", "town_code": home.town, "name": "新村",
               "kind": "village"}
    return {
        ("post", "/api/v1/registry/counties"): {"code": home.code, "name": "县",
                                                "kind": "district"},
        ("post", "/api/v1/registry/towns"): {"code": home.town, "county_code": home.code,
                                             "name": "镇", "kind": "town"},
        ("post", "/api/v1/registry/communities"): village,
        ("post", "/api/v1/registry/disclosures"): {
            "community_code": home.villages[0], "kind": "financial", "period": f"{Y}-01",
            "disclosed_on": TODAY.isoformat()},
        ("post", "/api/v1/registry/reorganisations"): {
            "kind": "convert", "effective_on": TODAY.isoformat(),
            "source_codes": [home.villages[1]], "result_code": home.villages[1]},
        ("post", "/api/v1/registry/imports"): {
            "filename": "units.csv", "dry_run": True,
            "content_base64": "Y29kZSxuYW1lLGtpbmQsdG93bl9jb2RlCg=="},
        ("post", "/api/v1/mediation/referrals"): {
            "organisation_id": home.ids["organisation_id"], "referrer_kind": "police_station",
            "referrer_department": home.referrer, "referrer_reference": "警matrix",
            "community_code": home.villages[0], "dispute_category": "neighbourhood",
            "description": "噪声", "parties": [party]},
        ("post", "/api/v1/mediation/legal-aid"): {
            "community_code": home.villages[0], "matter": "拖欠工资", "applicant": party},
        ("post", "/api/v1/corrections/persons"): {
            "kind": "correction", "correction_type": "probation", "officer": "matrix",
            "community_code": home.villages[0], "name": "测试", "offence": "测试",
            "decided_on": TODAY.isoformat(), "term_ends_on": f"{int(Y) + 1}-12-31"},
        ("post", "/api/v1/evaluation/inspections"): {
            "community_code": home.villages[0], "period": Y, "kind": "special",
            "held_on": TODAY.isoformat(), "findings": [{"indicator_code": "x", "value": 1}]},
        ("post", "/api/v1/evaluation/vetoes"): {
            "community_code": home.villages[1], "period": Y, "veto_item": "mass_incident",
            "reason": "群体性事件", "evidence": ["通报"]},
        ("post", "/api/v1/evaluation/schemes"): dict(SCHEME, key="matrix-village"),
        # the callers act for the city: a city title is theirs to decide
        ("post", "/api/v1/evaluation/titles"): {
            "community_code": home.villages[0], "period": Y, "level": "city",
            "awarded_on": TODAY.isoformat()},
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


def _operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if operation.get("security") != []:  # public ones (forms, health, login) aside
                yield method, path, operation


@pytest.fixture
def rpc_calls(gateway_app, monkeypatch):
    """Every RPC the gateway makes, recorded as it goes out (the call itself is real)."""
    rpc, made = gateway_app.extensions["rpc"], []
    real = rpc.call

    def call(service, method, *args, **kwargs):
        made.append((service, method))
        return real(service, method, *args, **kwargs)

    monkeypatch.setattr(rpc, "call", call)
    return made


@pytest.mark.once  # every operation as every role, through every running service
@pytest.mark.timeout(300)  # some 1,200 requests through the services: a minute when idle
def test_every_operation_admits_exactly_its_roles(seeded, gateway, rpc_calls):
    spec = gateway.get("/api/v1/openapi.json").json
    home = seeded.home
    departments = {"linked_department_officer": home.referrer, "mediator": home.department,
                   "justice_officer": home.department}
    clients = {role: gateway.as_role(role, None if role == "platform_admin" else CITY,
                                     department=departments.get(role, "matrix"))
               for role in ROLES}
    # the account endpoints work on a throw-away account, never on a caller's own
    gateway.as_role("viewer", HOME, department="victim")
    users = gateway.get("/api/v1/auth/users?per_page=100").json["items"]
    key = gateway.post("/api/v1/auth/api-keys", json={"name": "victim", "role": "resident",
                                                      "department": "portal"}).json
    victim = {"user_id": next(u["id"] for u in users if u["department"] == "victim"),
              "key_pk": key["id"]}
    values, named, special = _path_values(seeded, victim), _named(seeded), _special(seeded)
    anonymous = gateway.anonymous()
    failures, checked = [], 0

    def call(client, method, url, body):
        return client.open(url, method=method.upper(),
                           **({} if body is None else {"json": body}))

    for method, path, operation in _operations(spec):
        url = _url(path, operation, values, home)
        body = None
        if "requestBody" in operation:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            body = special.get((method, path)) or _body(spec, schema, named)
        assert call(anonymous, method, url, body).status_code == 401, (method, url)
        if (method, path) == LOGOUT:
            continue
        allowed = set(operation["x-roles"])
        for role, client in clients.items():
            before = len(rpc_calls)
            response = call(client, method, url, body)
            status, answer = response.status_code, response.json
            answer = answer if isinstance(answer, dict) else {}
            where = (method.upper(), url, role, status, answer.get("code"), answer.get(
                "fields"))
            if role not in allowed:
                if status != 403 or answer.get("fields") != {"role": [role]}:
                    failures.append(("not refused", *where))
            elif status in (401, 403) or status >= 500:
                failures.append(("denied or failed", *where))
            elif not path.startswith(GATEWAY_ONLY) and len(rpc_calls) == before:
                failures.append(("stopped at the gateway", *where))
            checked += 1
    assert not failures, "\n".join(map(str, failures))
    assert checked > 1000  # the whole surface was walked, not an empty spec

    # logging out ends only the token it came with: each account's walking token still works
    for role in ROLES:
        second = gateway.as_role(role, None if role == "platform_admin" else CITY,
                                 department=departments.get(role, "matrix"))
        assert second.post("/api/v1/auth/logout").status_code == 204, role
        assert second.get("/api/v1/auth/me").status_code == 401, role
        assert clients[role].get("/api/v1/auth/me").status_code == 200, role


@pytest.mark.parametrize("service", SERVICES)
def test_every_rpc_refuses_roles_it_does_not_admit_and_unsigned_calls(
        service, container_factory, service_config, rabbit_config):
    container = container_factory(service_class(service), service_config(service))
    container.start()
    entrypoints = [e for e in container.entrypoints if isinstance(e, SignedRpc)]
    assert entrypoints
    key = signing_key(SIGNING_KEY)

    def proxy(role):
        context = None
        if role is not None:
            context = {CONTEXT_KEY: sign_identity(Identity(subject="probe", role=role), key)}
        return ClusterRpcProxy(rabbit_config, context_data=context, timeout=5)

    with proxy(None) as unsigned:
        for entrypoint in entrypoints:
            with pytest.raises(Unauthenticated):
                getattr(getattr(unsigned, service), entrypoint.method_name)()

    refused = 0
    for role in ROLES:
        with proxy(role) as cluster:
            for entrypoint in entrypoints:
                if role in entrypoint.roles:
                    continue
                with pytest.raises(Forbidden):
                    getattr(getattr(cluster, service), entrypoint.method_name)()
                refused += 1
    assert refused > 0
