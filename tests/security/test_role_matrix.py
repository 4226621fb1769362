"""Every role against every endpoint and every RPC: the whole surface, not a sample.

The gateway's OpenAPI description names the roles of each operation (``x-roles``); the
services name them on each ``@rpc``. Here every operation is called as every role and
without a login, and every RPC straight on the bus as a role it does not admit. Area and
object-level denials (another county's ids, another department's referrals) depend on
data and are walked in test_access_matrix.py and each service's end-to-end tests.
"""
import re

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from fazhi_common.errors import Forbidden, Unauthenticated
from fazhi_common.identity import (
    CONTEXT_KEY,
    ROLES,
    Identity,
    SignedRpc,
    sign_identity,
    signing_key,
)
from tests.conftest import SIGNING_KEY
from tests.helpers import SERVICES, service_class

SKIP = {("post", "/api/v1/auth/logout")}  # would end the session the test uses
SAMPLE = {"integer": "1", "string": "330110001001"}


def _operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if (method, path) in SKIP:
                continue
            yield method, _sample_url(path, operation), operation


def _sample_url(path, operation):
    """``path`` with each parameter filled by a well-formed sample value."""
    params = {p["name"]: SAMPLE.get(p["schema"].get("type"), "1")
              for p in operation.get("parameters", []) if p["in"] == "path"}
    return re.sub(r"{(\w+)}", lambda m: params[m.group(1)], path)


def test_every_operation_admits_exactly_its_roles(gateway):
    spec = gateway.get("/api/v1/openapi.json").json
    clients = {role: gateway.as_role(role, "330110000000") for role in ROLES}
    anonymous = gateway.anonymous()
    checked = 0
    for method, url, operation in _operations(spec):
        if operation.get("security") == []:
            continue  # public: residents' forms, health, login
        call = {"get": lambda c, u: c.get(u), "delete": lambda c, u: c.delete(u)}.get(
            method, lambda c, u, m=method: c.open(u, method=m.upper(), json={}))
        assert call(anonymous, url).status_code == 401, (method, url)
        allowed = set(operation["x-roles"])
        for role, client in clients.items():
            response = call(client, url)
            if role in allowed:
                # past the gateway's role check: whatever follows is not a role denial
                assert response.status_code != 401, (method, url, role)
                assert not (response.status_code == 403 and "role" in
                            (response.json or {}).get("fields", {})), (method, url, role)
            else:
                assert response.status_code == 403, (method, url, role, response.json)
                assert response.json["fields"] == {"role": [role]}
            checked += 1
    assert checked > 300  # the whole surface was walked, not an empty spec


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
