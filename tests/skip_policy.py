"""In CI (``FAZHI_CI=1``, set by .ci/run) a skipped test fails the run unless its reason
is in the allow-list below: a test that could not run proved nothing, and a silent skip
reads as a pass. Outside CI skips are only listed (scripts/test passes ``-rs``)."""
import os

import pytest

# Each entry: the skip's reason, and why skipping it in one pass loses nothing.
ALLOWED = {
    # the SQLite pass: the PostgreSQL pass of the same run takes the database away
    "an embedded database cannot go away",
    # the SQLite pass: the PostgreSQL pass of the same run runs it
    "PostgreSQL only",
}
_skipped = []


def _reason(report):
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")


def disallowed(reports):
    """``(nodeid, reason)`` of each skip whose reason is not allowed."""
    return [(r.nodeid, _reason(r)) for r in reports if _reason(r) not in ALLOWED]


@pytest.hookimpl
def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped.append(report)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    if os.environ.get("FAZHI_CI") != "1":
        return
    refused = disallowed(_skipped)
    if refused:
        lines = "\n".join(f"  {nodeid}: {reason}" for nodeid, reason in refused)
        session.config.get_terminal_writer().line(
            f"\nSkips not allowed in CI (tests/skip_policy.py lists the allowed ones):\n"
            f"{lines}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
