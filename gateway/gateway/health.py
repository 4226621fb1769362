"""Readiness: ask every service behind this gateway for its health, in parallel."""
from concurrent.futures import ThreadPoolExecutor

from marshmallow import Schema, fields

from fazhi_common.contracts.roles import VIEWER, Identity
from fazhi_common.identity import CONTEXT_KEY, sign_identity
from gateway.rpc import ServiceUnavailable

ALL_SERVICES = ("registry", "evaluation", "mediation", "legalservices", "notifications",
                "corrections")
GATEWAY = Identity(subject="gateway-health", role=VIEWER, department="gateway")


class Readiness(Schema):
    status = fields.String(metadata={"enum": ["ok", "degraded"]})
    services = fields.Dict(keys=fields.String(), values=fields.Dict())


def _one(app, service):
    context = {CONTEXT_KEY: sign_identity(GATEWAY, app.extensions["identity_key"])}
    try:
        return app.extensions["rpc"].call(service, "health", context=context)
    except ServiceUnavailable as exc:
        return {"service": service, "status": "unavailable", "detail": exc.reason}


def check_services(app, services):
    with ThreadPoolExecutor(max_workers=len(services) or 1) as pool:
        reports = list(pool.map(lambda s: _one(app, s), services))
    status = "ok" if all(r["status"] == "ok" for r in reports) else "degraded"
    return {"status": status, "services": {r["service"]: r for r in reports}}
