"""The command-line tools and the service runner print what they do and nothing of their
libraries: no eventlet deprecation notice, no warning an operator cannot act on."""
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NOISE = re.compile(r"deprecat|warning", re.IGNORECASE)
PYPROJECTS = [ROOT / "common" / "pyproject.toml", ROOT / "gateway" / "pyproject.toml",
              *sorted((ROOT / "services").glob("*/pyproject.toml"))]
CONSOLE_SCRIPTS = sorted(name for pyproject in PYPROJECTS for name in tomllib.loads(
    pyproject.read_text()).get("project", {}).get("scripts", {}))
# the tools run as modules (docs/operations.md)
MODULE_TOOLS = ["gateway.admin", "fazhi_common.migrate", "fazhi_common.healthcheck",
                "fazhi_common.quorum_migration", "fazhi_common.identity"]


def _run(*command):
    # as an operator's shell runs it: no warning filters from the environment
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_every_entry_point_is_checked():
    assert {"fazhi-registry", "fazhi-audit", "fazhi-service"} <= set(CONSOLE_SCRIPTS)


@pytest.mark.parametrize("script", CONSOLE_SCRIPTS)
def test_a_console_script_says_nothing_of_its_libraries(script):
    assert (BIN / script).exists(), f"{script} is not installed: pip install -e its package"
    done = _run(str(BIN / script), "--help")
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()
    assert not NOISE.search(done.stderr), done.stderr


@pytest.mark.parametrize("module", MODULE_TOOLS)
def test_a_module_tool_says_nothing_of_its_libraries(module):
    done = _run(sys.executable, "-m", module, "--help")
    assert "usage" in (done.stdout + done.stderr).lower()
    assert not NOISE.search(done.stderr), done.stderr


def test_the_service_runner_starts_nameko_without_the_eventlet_notice():
    # nameko imports eventlet, then the service: an unknown one ends the run right there
    done = _run(str(BIN / "fazhi-service"), "--broker", "pyamqp://guest:guest@127.0.0.1:1//",
                "no_such_service_module")
    assert "No module named 'no_such_service_module'" in done.stdout + done.stderr
    assert not NOISE.search(done.stderr), done.stderr
