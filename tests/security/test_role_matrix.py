"""The whole surface against the reviewed access policy (docs/access-policy.md).

Expectations come from that page alone (tests/security/policy.py), never from the roles
the code declares: the gateway's routes, its OpenAPI ``x-roles`` and every service's
``@rpc`` entrypoints must each match their row. Then, with every service running on a
seeded database (tests/dataset.py), every operation is called as every role: a role the
row admits, scoped to a county and to a town, must reach the service and read seeded
objects with a 2xx; any other role is refused with 403; the same requests naming the
other county's objects are refused as the row's area rule says (404 for a read or an
object named by its id, 403 for a write naming a unit). Every RPC is also called straight
on the bus, unsigned and as each role its row does not admit.
"""
import inspect
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.rpc import Rpc
from nameko.standalone.rpc import ClusterRpcProxy

from fazhi_common.contracts.errors import Forbidden, Unauthenticated
from fazhi_common.contracts.roles import MEDIATOR, PLATFORM_ADMIN, ROLES, Identity
from fazhi_common.division import Division
from fazhi_common.identity import CONTEXT_KEY, SignedRpc, sign_identity, signing_key
from gateway.openapi import build_spec
from tests.conftest import SIGNING_KEY
from tests.helpers import service_class
from tests.security import matrix_requests as requests
from tests.security import policy

ROOT = Path(__file__).resolve().parents[2]
# every service of the repository, those added later included
SERVICES = sorted(p.parent.parent.name for p in ROOT.glob("services/*/*/service.py"))
LOGOUT = ("post", "/api/v1/auth/logout")  # called last, on a second token of each account
GATEWAY_ONLY = "/api/v1/auth/"  # accounts live in the gateway itself: no service behind
# seeded objects of a county itself, not of its town (a county government's adviser)
COUNTY_LEVEL = ("adviser_id",)
BOUND = ("area", "level", "case")  # area rules whose out-of-area requests are walked


def _entrypoints(service):
    """``{"service.method": entrypoint}`` of every entrypoint declared on the class."""
    found = {}
    for name, function in inspect.getmembers(service_class(service), inspect.isfunction):
        for entrypoint in getattr(function, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            found.setdefault(f"{service}.{name}", []).append(entrypoint)
    return found


def _fail_on(lines):
    assert not lines, "\n".join(lines)


# -- the code against the document (no bus, no database) ---------------------------------------

def test_the_document_names_every_role_and_operation_kind():
    rows = policy.load().operations
    assert {role for row in rows.values() for role in row.roles} == set(ROLES)
    assert any(" " in op for op in rows) and any(" " not in op for op in rows)


def test_every_rpc_entrypoint_is_signed_and_admits_the_documents_roles():
    code, unsigned = {}, []
    for service in SERVICES:
        for operation, entrypoints in _entrypoints(service).items():
            for entrypoint in entrypoints:
                if isinstance(entrypoint, Rpc) and not isinstance(entrypoint, SignedRpc):
                    unsigned.append(f"{operation}: a plain Rpc, not a SignedRpc")
                elif isinstance(entrypoint, SignedRpc):
                    code[operation] = (entrypoint.roles, False)
    assert len(SERVICES) >= 4 and code
    _fail_on(unsigned + policy.differences(policy.load().bus(), code, "the services' @rpc"))


def _route(rule):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def test_gateway_and_openapi_admit_the_documents_roles(database_url):
    from gateway.app import create_app
    from tests.conftest import gateway_config

    # only the routes are read: no request is sent, no broker is needed
    config = gateway_config.__wrapped__({"AMQP_URI": "memory://"}, database_url)
    gateway_app = create_app(config)
    routes, hidden = {}, set()
    for rule in gateway_app.url_map.iter_rules():
        meta = getattr(gateway_app.view_functions[rule.endpoint], "openapi", None) or {
            "roles": frozenset(), "public": False, "hidden": False}  # undocumented: no row
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes[f"{method} {_route(rule)}"] = (meta["roles"], meta["public"])
            if meta["hidden"]:  # the console's pages: routes, not part of the description
                hidden.add(f"{method} {_route(rule)}")
    documented = policy.load().http()
    spec = build_spec(gateway_app)
    described = {f"{method.upper()} {path}": (frozenset(op.get("x-roles", ROLES)),
                                             op.get("security") == [])
                 for path, methods in spec["paths"].items() for method, op in methods.items()}
    gateway_app.extensions["rpc"].close()
    _fail_on(policy.differences(documented, routes, "the gateway's routes")
             + policy.differences({op: row for op, row in documented.items()
                                   if op not in hidden}, described, "the OpenAPI x-roles"))


# -- the running platform against the document ----------------------------------------------

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


def _departments(home):
    return {"linked_department_officer": home.referrer, "mediator": home.department,
            "justice_officer": home.department}


@dataclass(frozen=True)
class Account:
    role: str
    scope: str  # "platform", "county" or "town"
    area: str | None
    department: str
    client: object

    @property
    def username(self):  # as the gateway fixture's as_role names it
        return f"{self.role}-{self.area or 'all'}-{self.department}"

    def covers(self, code):
        return self.area is None or Division(self.area).covers(code)


def _accounts(gateway, home):
    """Each role in the home county and in its town; the platform administrator once,
    platform-wide."""
    departments = _departments(home)
    accounts = [Account(PLATFORM_ADMIN, "platform", None, "test",
                        gateway.as_role(PLATFORM_ADMIN, None))]
    for role in ROLES:
        if role != PLATFORM_ADMIN:
            department = departments.get(role, "matrix")
            for scope, area in (("county", home.code), ("town", home.town)):
                accounts.append(Account(role, scope, area, department,
                                        gateway.as_role(role, area, department=department)))
    return accounts


def _send(client, method, url, body):
    response = client.open(url, method=method.upper(), **({} if body is None else {"json": body}))
    answer = response.json if isinstance(response.json, dict) else {}
    return response.status_code, answer


def _expected(row, method, path, url, body, account, home, state):
    """What the document says ``account`` gets for this request in its own county:
    "role" (403 naming the role), "area" (403 naming a field), "hidden" (404), "2xx",
    "found" (not 404), "area or answered" or "answered" (anything but a denial or a
    failure)."""
    if account.role not in row.roles:
        return "role"
    if account.area is None:
        return "2xx" if method == "get" and requests.names_seeded_objects(path) else "answered"
    by_id = "{" in path
    if row.area == "department" and by_id and (account.department != home.department
                                               or account.scope == "town"):
        return "hidden"  # another department's, or (to a town) its county's subscription
    if url in state["deleted"] or (row.area == "case" and account.role == MEDIATOR and by_id
                                   and state["mediator"]() not in (None, account.username)):
        return "hidden"  # deleted by the walk, or a case assigned to another mediator
    code = re.search(r"/(\d{12})(?:/|$|\?)", url)
    if row.area in BOUND and code and not account.covers(code.group(1)):
        return "hidden"  # the unit named in the path lies outside (a town's own county)
    if row.area in BOUND and account.scope == "town" and any(
            f"{{{name}}}" in path for name in COUNTY_LEVEL):
        return "hidden"  # an object of the county itself, outside any of its towns
    if method != "get":
        # the seeded titles are a city's (no county or town account acts on one)
        narrower = {"city": True, "covering": by_id, "above": True, "level": True}
        if narrower.get(row.area) and requests.names_seeded_objects(path):
            return "area"
        if not all(account.covers(unit) for unit in requests.units_named(body)):
            return "area or answered"  # refused if the unit it acts on is outside
    if requests.names_seeded_objects(path):
        # the object exists: a read gets it, a write may meet its state (409) or a bad body
        # (422), never a 404
        return "2xx" if method == "get" else ("found" if by_id else "answered")
    return "answered"


def _failure(expected, status, answer, role):
    denial = answer.get("fields") == {"role": [role]}
    if expected == "role":
        return not (status == 403 and denial)
    if expected == "hidden":
        return status != 404
    if status == 403 and not denial and expected in ("area", "area or answered"):
        return False
    if expected == "area" or status in (401, 403) or status >= 500:
        return True
    if expected == "found":
        return status == 404
    return expected == "2xx" and not 200 <= status < 300


@pytest.mark.once  # every operation as every role, through every running service
@pytest.mark.timeout(400)  # some 2,000 requests through the services: a minute and a half idle
def test_every_operation_as_the_document_says(seeded, gateway, rpc_calls):
    documented = policy.load().http()
    spec = gateway.get("/api/v1/openapi.json").json
    home, other = seeded.home, seeded.other
    accounts = _accounts(gateway, home)
    # the account endpoints work on a throw-away account, never on a caller's own
    gateway.as_role("viewer", home.code, department="victim")
    users = gateway.get("/api/v1/auth/users?per_page=100").json["items"]
    key = gateway.post("/api/v1/auth/api-keys", json={"name": "victim", "role": "resident",
                                                      "department": "portal"}).json
    victim = {"user_id": next(u["id"] for u in users if u["department"] == "victim"),
              "key_pk": key["id"]}
    values = requests.path_values(seeded, home, victim)
    elsewhere = requests.path_values(seeded, other, victim)
    anonymous = gateway.anonymous()
    failures, counts = [], Counter()
    walk = []
    for method, path, operation in requests.operations(spec):
        row = documented[f"{method.upper()} {path}"]
        url = requests.url(path, operation, values, home)
        body = requests.body(spec, method, path, operation, home)
        status, _ = _send(anonymous, method, url, body)
        if status != 401:
            failures.append(("anonymous not refused", method, url, status))
        if (method, path) != LOGOUT:
            walk.append((method, path, operation, row, url, body))

    # out of the area first, while every seeded object is as the dataset made it
    for method, path, operation, row, _, _ in walk:
        if row.area not in BOUND or path.startswith(GATEWAY_ONLY):
            continue
        url = requests.url(path, operation, elsewhere, other)
        body = requests.body(spec, method, path, operation, other)
        by_id = "{" in path
        if not by_id and not (method != "get" and requests.units_named(body)):
            continue  # a list: narrowed, which the fuzzer's answers check
        expected = 404 if method == "get" or by_id else 403
        for account in accounts:
            if account.role in row.roles and account.scope == "county":
                status, answer = _send(account.client, method, url, body)
                counts["out of area"] += 1
                if status != expected:
                    failures.append(("out of area", method.upper(), url, account.role, status,
                                     expected, answer.get("code"), answer.get("fields")))

    # then reads, writes, and deletions last, so that no step removes what another names
    walk.sort(key=lambda step: ("get", "delete").index(step[0]) if step[0] in (
        "get", "delete") else 0.5)
    case = f"/api/v1/mediation/cases/{home.ids['case_id']}"
    state = {"deleted": set(),  # what the walk itself deleted
             "mediator": lambda: accounts[0].client.get(case).json["mediator"]}
    for method, path, _, row, url, body in walk:
        for account in accounts:
            if account.role not in row.roles and account.scope == "town":
                continue  # a role's refusal does not depend on its area
            expected = _expected(row, method, path, url, body, account, home, state)
            before = len(rpc_calls)
            status, answer = _send(account.client, method, url, body)
            if method == "delete" and 200 <= status < 300:
                state["deleted"].add(url)
            counts[expected] += 1
            counts["2xx answers"] += 200 <= status < 300
            if _failure(expected, status, answer, account.role):
                failures.append((f"expected {expected}", method.upper(), url, account.role,
                                 account.scope, status, answer.get("code"), answer.get("fields")))
            elif (expected != "role" and status != 403 and not path.startswith(GATEWAY_ONLY)
                  and len(rpc_calls) == before):
                failures.append(("stopped at the gateway", method.upper(), url, account.role))
    assert not failures, "\n".join(map(str, failures))
    # the whole surface was walked, not an empty spec
    assert (counts["role"] > 400 and counts["2xx answers"] > 600
            and counts["out of area"] > 40 and counts["hidden"] > 10), counts

    # logging out ends only the token it came with: each account's walking token still works
    for account in accounts:
        if account.scope != "town":
            second = gateway.as_role(account.role, account.area, department=account.department)
            assert second.post("/api/v1/auth/logout").status_code == 204, account.role
            assert second.get("/api/v1/auth/me").status_code == 401, account.role
            assert account.client.get("/api/v1/auth/me").status_code == 200, account.role


@pytest.mark.parametrize("service", SERVICES)
def test_every_rpc_refuses_roles_it_does_not_admit_and_unsigned_calls(
        service, container_factory, service_config, rabbit_config):
    container = container_factory(service_class(service), service_config(service))
    container.start()
    entrypoints = [e for e in container.entrypoints if isinstance(e, SignedRpc)]
    assert entrypoints
    documented = policy.load().bus()
    key = signing_key(SIGNING_KEY)

    def proxy(role):
        context = None
        if role is not None:
            context = {CONTEXT_KEY: sign_identity(Identity(subject="probe", role=role), key)}
        return ClusterRpcProxy(rabbit_config, context_data=context, timeout=15)

    with proxy(None) as unsigned:
        for entrypoint in entrypoints:
            with pytest.raises(Unauthenticated):
                getattr(getattr(unsigned, service), entrypoint.method_name)()

    refused = 0
    for role in ROLES:
        with proxy(role) as cluster:
            for entrypoint in entrypoints:
                if role in documented[f"{service}.{entrypoint.method_name}"].roles:
                    continue
                with pytest.raises(Forbidden):
                    getattr(getattr(cluster, service), entrypoint.method_name)()
                refused += 1
    assert refused > 0
