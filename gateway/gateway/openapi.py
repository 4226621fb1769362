"""The gateway's OpenAPI description, built from the same marshmallow schemas it validates with.

Views declare what they take and give with ``@documented``; ``build_spec`` walks the URL
map, so a route cannot exist without appearing in the description.
"""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from fazhi_common.contracts.api import ErrorSchema
from fazhi_common.contracts.roles import STAFF

ERROR_RESPONSES = {
    "401": "Not authenticated", "403": "Not allowed", "404": "Not found",
    "409": "Conflicts with the current state", "422": "Invalid input",
    "413": "The body is larger than the endpoint accepts",
    "429": "Too many requests", "503": "A service is unavailable",
}


def documented(summary, body=None, query=None, response=None, status=200, tag=None,
               roles=STAFF, public=False, rate_limited=False, also=None, hidden=False,
               large_body=False, docs=None):
    """Attach OpenAPI facts and access rules to a view function.

    ``roles`` may call the view (checked before it runs); ``public`` views need no login
    (anonymous callers act as residents) and ``rate_limited`` ones are throttled per client.
    ``also`` maps further statuses the view answers with a JSON body to their schemas.
    ``hidden`` views (the console's pages and files) keep their access rules but are not
    part of the API's description.
    ``large_body`` views (bulk imports) take bodies up to ``MAX_IMPORT_BYTES``, the others
    up to ``MAX_BODY_BYTES``; anything larger is 413 before it is read.
    ``docs`` is ``(title, path#anchor)`` of the page in the repository's ``docs/`` that
    states the rules the operation follows (``externalDocs``).
    """
    def mark(view):
        view.openapi = {"summary": summary, "body": body, "query": query,
                        "response": response, "status": status, "tag": tag,
                        "roles": frozenset(roles), "public": public,
                        "rate_limited": rate_limited, "also": also or {},
                        "hidden": hidden, "large_body": large_body, "docs": docs}
        return view
    return mark


def _path(rule):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def build_spec(app, title="fazhi gateway", version="1"):
    spec = APISpec(title=title, version=version, openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "HTTP API of the democratic rule-of-law community "
                                        "platform: registry, evaluation, mediation and "
                                        "notifications."})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "bearerFormat": "JWT"})
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header",
                                               "name": "X-API-Key"})
    paths = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        meta = getattr(view, "openapi", None)
        if meta is None or meta["hidden"]:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = {"summary": meta["summary"], "operationId": rule.endpoint + "_" +
                         method.lower(), "responses": {}}
            if meta["tag"]:
                operation["tags"] = [meta["tag"]]
            if meta.get("docs"):
                operation["externalDocs"] = {"description": meta["docs"][0],
                                             "url": meta["docs"][1]}
            params = [{"in": "path", "name": arg, "required": True,
                       "schema": {"type": "integer" if "int:" in rule.rule else "string"}}
                      for arg in sorted(rule.arguments)]
            if meta["query"] is not None:
                params.append({"in": "query", "schema": meta["query"]})
            if params:
                operation["parameters"] = params
            if meta["body"] is not None:
                operation["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": meta["body"]}}}
            ok = {"description": "No content" if meta["status"] == 204 else "OK"}
            if meta["response"] is not None:
                ok["content"] = {"application/json": {"schema": meta["response"]}}
            operation["responses"][str(meta["status"])] = ok
            for status, text in ERROR_RESPONSES.items():
                operation["responses"][status] = {"description": text, "content": {
                    "application/problem+json": {"schema": "Error"}}}
            for status, schema in meta["also"].items():
                operation["responses"][str(status)] = {"description": "See body", "content": {
                    "application/json": {"schema": schema}}}
            if meta["public"]:
                operation["security"] = []
            else:
                operation["x-roles"] = sorted(meta["roles"])
            paths.setdefault(_path(rule), {})[method.lower()] = operation
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    spec.options["security"] = [{"bearer": []}, {"apiKey": []}]
    return spec.to_dict() | {"security": [{"bearer": []}, {"apiKey": []}]}
