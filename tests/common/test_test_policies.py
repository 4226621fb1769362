"""The suite's own rules: which skips CI allows, which browser errors a test may ignore."""
from types import SimpleNamespace

from tests import skip_policy
from tests.console.test_browser import EXPECTED_REFUSAL


def _skip(reason):
    return SimpleNamespace(nodeid=f"t::{reason}", longrepr=("t.py", 1, f"Skipped: {reason}"))


def test_only_the_allowed_skips_pass_in_ci():
    reports = [_skip("PostgreSQL only"), _skip("no rabbitmq-server under /usr/lib/rabbitmq/bin"),
               _skip("tool not installed (run .ci/lint-deploy to install it)")]
    assert [reason for _, reason in skip_policy.disallowed(reports)] == [
        "no rabbitmq-server under /usr/lib/rabbitmq/bin",
        "tool not installed (run .ci/lint-deploy to install it)"]


def test_the_browser_filter_matches_the_status_not_a_number_in_the_text():
    line = "http://127.0.0.1:{port}/api/v1/x - Failed to load resource: the server " \
           "responded with a status of {status} ({text})"
    assert EXPECTED_REFUSAL.search(line.format(port=8080, status=404, text="NOT FOUND"))
    for port in (40401, 40404, 44220):  # a port holding the digits of an expected status
        failed = line.format(port=port, status=500, text="INTERNAL SERVER ERROR")
        assert not EXPECTED_REFUSAL.search(failed), failed
    assert not EXPECTED_REFUSAL.search("Uncaught TypeError at app.js:404:12")
