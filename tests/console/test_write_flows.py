"""Every write operation an official performs has a console flow: the desk builds its form
from the API's description, so the operation needs its Chinese name and every field its
Chinese label; a machine's or a resident's operation is exempt, for the reason given."""
from fazhi_common.contracts import vocabulary

WRITES = ("post", "put", "patch", "delete")
# operation -> why no official's form
EXEMPT = {
    "auth.login_post": "the sign-in page (POST /console/session) signs officials in",
    "auth.logout_post": "the shell's 退出 button (POST /console/session/logout)",
    "registry.run_election_due_schedule_post": "machine: the daily timer runs it",
    "evaluation.run_re_evaluation_schedule_post": "machine: the daily timer runs it",
    "mediation.scan_overdue_post": "machine: the daily timer runs it",
    "mediation.apply_post": "a resident's: the residents' pages",
    "mediation.track_post": "a resident's: the residents' pages",
    "legalservices.apply_legal_aid_public_post": "a resident's: the residents' pages",
    "legalservices.object_to_legal_aid_refusal_post": "a resident's: the residents' pages",
    "legalservices.scan_overdue_post": "machine: the daily timer runs it",
    "corrections.scan_unreported_post": "machine: the daily timer runs it",
    "evaluation.answer_survey_post": "a resident's: the residents' pages",
    "evaluation.verify_survey_answer_post": "a resident's: the residents' pages",
}


def write_operations(spec):
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            if method in WRITES:
                yield path, op


def body_fields(spec, schema, seen=()):
    """Every property name of a request body, nested ones included."""
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if name in seen:
            return
        seen = (*seen, name)
        schema = spec["components"]["schemas"][name]
    for name, prop in schema.get("properties", {}).items():
        yield name
        yield from body_fields(spec, prop.get("items", prop), seen)


def test_every_write_operation_has_a_flow_or_an_exemption(gateway_app):
    spec = gateway_app.extensions["openapi"]
    missing = []
    for path, op in write_operations(spec):
        if op["operationId"] in EXEMPT:
            continue
        if op["operationId"] not in vocabulary.OPERATIONS:
            missing.append(f"{op['operationId']} ({path}): no Chinese name in OPERATIONS")
        schema = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        params = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        for field in [*params, *body_fields(spec, schema.get("schema", {}))]:
            if field not in vocabulary.FIELDS:
                missing.append(f"{op['operationId']}: field {field} has no label in FIELDS")
    assert not missing, "\n".join(sorted(set(missing)))


def test_exemptions_and_names_are_of_operations_that_exist(gateway_app):
    ids = {op["operationId"] for _, op in write_operations(gateway_app.extensions["openapi"])}
    assert set(EXEMPT) <= ids, set(EXEMPT) - ids
    assert set(vocabulary.OPERATIONS) <= ids, set(vocabulary.OPERATIONS) - ids
    # an official's operation is never exempt: a public one or the platform's own timer
    assert all(reason.startswith(("machine", "a resident", "the ")) for reason in EXEMPT.values())
