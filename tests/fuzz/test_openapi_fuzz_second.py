"""The second half of the gateway's operations, fuzzed as test_openapi_fuzz.py says (a file
of its own, so that another test process can take it)."""
import pytest

from tests.fuzz.test_openapi_fuzz import fuzz_part, gateway_config  # noqa: F401 (fixture)


@pytest.mark.fuzz
@pytest.mark.timeout(900)  # its operations, valid and invalid input, two identities
def test_no_server_errors_and_every_answer_matches_the_description(seeded, gateway):
    fuzz_part(seeded, gateway, 1)
