"""Generated requests against the gateway's own OpenAPI description (schemathesis).

Every operation is called with generated input, valid and invalid, as a platform
administrator, against real containers of every service: no answer may be a 5xx, every answer
must match the description (status code, content type, body schema), and input that
breaks the description must be refused.
"""
import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import SERVICES, service_class

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
SKIP = {
    "/api/v1/auth/logout",  # would revoke the token the rest of the run uses
}

EXAMPLES = 30


@pytest.fixture
def fuzz_target(container_factory, service_config, gateway):
    for name in SERVICES:
        container_factory(service_class(name), service_config(name)).start()
    return gateway


def _fuzz(operation, mode, headers, failures):
    """Run one operation with generated input of one mode; record what fails."""
    checks = CHECKS + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        try:
            case.call_and_validate(headers=headers, checks=checks)
        except BaseException as exc:
            failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:800]}")
            raise

    try:
        check()
    except BaseException:  # recorded above; the next operation still runs
        pass


@pytest.mark.fuzz
@pytest.mark.timeout(900)  # every operation, valid and invalid input: a few minutes
def test_no_server_errors_and_every_answer_matches_the_description(fuzz_target):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_target.app)
    operations = [r.ok() for r in schema.get_all_operations()]
    failures = []
    for operation, mode in itertools.product(operations, GenerationMode):
        if operation.path not in SKIP:
            _fuzz(operation, mode, fuzz_target.headers, failures)
    assert not failures, "\n\n".join(failures[:20])
