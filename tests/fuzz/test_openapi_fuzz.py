"""Generated requests against the gateway's own OpenAPI description (schemathesis).

Every operation is called with generated input, valid and invalid, against real
containers of every service on a seeded database (tests/dataset.py): once as a platform
administrator and once as a justice officer of one county. No answer may be a 5xx, every
answer must match the description (status code, content type, body schema), input that
breaks the description must be refused, and nothing the county officer is given may name
another county. The account endpoints are fuzzed with a throw-away administrator's token
and never aimed at the run's own accounts, so the run cannot revoke its own credentials:
at the end both tokens must still work.
"""
import itertools
import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.dataset import HOME, OTHER, E, M, R

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
ACCOUNTS = "/api/v1/auth/"  # logout, users, tokens, API keys: fuzzed on a throw-away account
ME = "/api/v1/auth/me"
# a city's spot-check draw is shown whole to each county under it, on purpose: anyone
# re-runs the draw from its seed and every county's eligible list
DRAWS = "/api/v1/evaluation/spot-checks"

EXAMPLES = 8  # per operation, mode and identity: 32 cases an operation that takes input
# what a case or a run may raise: schemathesis's failures are a BaseExceptionGroup; an
# interrupt or pytest's own timeout is not caught and ends the test at once
FAILURES = (Exception, BaseExceptionGroup)
MIN_CASES = 2  # per operation, over both modes and identities (one without parameters: 4)
# operations answered at least one 2xx: 60 of 146 when measured (6 Dec 2026; generated
# path ids rarely name a seeded object); raise it as the runs reach more (each half of the
# operations is held to half of it)
MIN_ANSWERED = 55


@pytest.fixture
def gateway_config(gateway_config):
    # tokens outlive the run (its timeout below): one ending by its age would pass the
    # later operations on 401s, and the check that the run kept its credentials would fail
    return {**gateway_config, "TOKEN_TTL_SECONDS": 3600}


def _stays_in_county(ctx, response, case):
    """A county officer's successful answer names no unit of another county."""
    if not 200 <= response.status_code < 300 or case.path.startswith(DRAWS):
        return None
    try:
        body = response.json()
    except ValueError:  # a file (an export), not JSON
        return None
    foreign = re.findall(rf"\b{OTHER[:6]}\d{{6}}\b", json.dumps(body))
    assert not foreign, f"another county's units in a county officer's answer: {foreign}"
    return None


def _takes_input(operation):
    return bool(list(operation.iter_parameters()) or operation.body)


def _fuzz(operation, mode, headers, failures, tally, checks=(), avoid=None):
    """Run one operation with generated input of one mode; record what fails and count,
    per operation, the cases sent and the 2xx answers (``tally``).

    ``avoid`` maps a path parameter to values it must not take (the run's own accounts).
    """
    checks = CHECKS + list(checks) + (
        [negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    counts = tally.setdefault(f"{operation.method.upper()} {operation.path}",
                              {"cases": 0, "2xx": 0})
    recorded = len(failures)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        for name, values in (avoid or {}).items():
            assume((case.path_parameters or {}).get(name) not in values)
        counts["cases"] += 1
        try:
            response = case.call(headers=headers())
            counts["2xx"] += 200 <= response.status_code < 300
            case.validate_response(response, checks=checks, headers=headers())
        except FAILURES as exc:
            failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:800]}")
            raise

    try:
        check()
    except FAILURES as exc:  # the next operation still runs; the test fails at the end
        if len(failures) == recorded:  # not a case's failure: the run itself broke
            failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): "
                            f"the run failed: {exc!r}"[:800])


# the operations are fuzzed in PARTS halves, one a test file (this one and
# test_openapi_fuzz_second.py), so that parallel test processes share the minutes
PARTS = 2


@pytest.mark.fuzz
@pytest.mark.timeout(900)  # its operations, valid and invalid input, two identities
def test_no_server_errors_and_every_answer_matches_the_description(seeded, gateway):
    fuzz_part(seeded, gateway, 0)


def fuzz_part(seeded, gateway, part):
    """Fuzz every PARTS-th operation from ``part`` on, then check the run kept its
    credentials and the county officer to its county."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", gateway.app)
    every = sorted((r.ok() for r in schema.get_all_operations()), key=lambda o: o.label)
    operations = every[part::PARTS]
    admin = gateway
    officer = gateway.as_role("justice_officer", HOME, department=seeded.home.department)
    throw_away = lambda: gateway.as_role(  # noqa: E731  (a fresh token each time)
        "platform_admin", None, department="throw-away").headers
    throw_away()  # the account exists before the run's own accounts are listed
    users = admin.get("/api/v1/auth/users?per_page=100").json["items"]
    own = {u["id"] for u in users}  # the admin, the officer, the throw-away, the dataset's
    assert len(own) >= 3

    failures, tally = [], {}
    for operation, mode in itertools.product(operations, GenerationMode):
        if mode is GenerationMode.NEGATIVE and not _takes_input(operation):
            continue  # nothing to break: no parameter and no body (the health checks)
        if operation.path.startswith(ACCOUNTS):
            token = throw_away()  # a logout in the previous operation ended the last one
            _fuzz(operation, mode, lambda token=token: token, failures, tally,
                  avoid={"user_id": own})
            continue
        _fuzz(operation, mode, lambda: admin.headers, failures, tally)
        _fuzz(operation, mode, lambda: officer.headers, failures, tally,
              checks=[_stays_in_county])
    assert not failures, "\n\n".join(failures[:20])
    # the run checked something: every operation was sent cases, and enough of them were
    # answered with a 2xx (a run of refusals alone proves little)
    print("\n".join(f"{op}: {c['cases']} cases, {c['2xx']} 2xx" for op, c in tally.items()))
    assert len(tally) == len(operations), sorted(tally)
    thin = {op: c for op, c in tally.items() if c["cases"] < MIN_CASES}
    assert not thin, f"operations sent fewer than {MIN_CASES} cases: {thin}"
    answered = [op for op, c in tally.items() if c["2xx"]]
    assert len(answered) >= MIN_ANSWERED // PARTS, (
        f"only {len(answered)} of {len(tally)} operations answered a 2xx: "
        f"{sorted(set(tally) - set(answered))}")

    # the run kept its own credentials
    for name, client in (("admin", admin), ("officer", officer)):
        assert client.get(ME).status_code == 200, name
    # and the officer was kept to its county: another county's records stay out of reach
    other = seeded.other.ids
    for path in (f"{M}/cases/{other['case_id']}", f"{M}/legal-aid/{other['application_id']}",
                 f"{E}/titles/{other['title_id']}", f"{E}/vetoes/{other['veto_id']}",
                 f"{E}/inspections/{other['inspection_id']}",
                 f"{R}/governance-bodies/{other['body_id']}",
                 f"{R}/communities/{seeded.other.villages[0]}"):
        assert officer.get(path).status_code in (403, 404), path
        assert admin.get(path).status_code == 200, path  # it exists
    for step, body in (("accept", {}), ("decline", {"reason": "越权"})):
        response = officer.post(f"{M}/cases/{other['case_id']}/{step}", json=body)
        assert response.status_code in (403, 404), (step, response.json)

    # hostile bodies on every public write, from an anonymous caller: 422 (the limits
    # before parsing), never a 500, nor any other refusal that would not have read them
    answers = _hostile_bodies(gateway, seeded.home.villages[0])
    assert answers and all(status == 422 for *_, status in answers), answers
    assert {"/api/v1/auth/login", "/console/session", "/api/v1/mediation/track",
            "/api/v1/mediation/applications"} <= {path for _, path, _ in answers}


HOSTILE = (b"[" * 5000 + b"]" * 5000,  # nesting past any parser's recursion
           b'{"period": ' + b"9" * 5000 + b"}",  # past Python's 4,300-digit int limit
           b'{"name": "\\udc00", "description": "\\ud800"}')  # lone surrogates


def _hostile_bodies(gateway, community_code):
    """``(method, path, status)`` of each hostile body sent to each public write."""
    app, answers = gateway.app, []
    anonymous = app.test_client()
    for rule in app.url_map.iter_rules():
        meta = getattr(app.view_functions[rule.endpoint], "openapi", None)
        methods = (rule.methods or set()) & {"POST", "PUT", "PATCH"}
        if not (meta and meta["public"] and methods):
            continue
        path = re.sub(r"<int:\w+>", "1", re.sub(r"<(?:string:)?\w+>", community_code,
                                                 rule.rule))
        for method, body in itertools.product(sorted(methods), HOSTILE):
            response = anonymous.open(path, method=method, data=body,
                                      headers={"Content-Type": "application/json"})
            answers.append((method, path, response.status_code))
    return answers
