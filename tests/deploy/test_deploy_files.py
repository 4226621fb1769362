"""The deployment files are valid: the checks of .ci/lint-deploy (deploy/lint.py).

Structural checks always run; a tool-backed check (docker compose config,
kubernetes-validate, systemd-analyze, hadolint) is skipped when its tool is not here
(`.ci/lint-deploy` installs the PyPI ones into var/lint-venv); in CI, where
FAZHI_REQUIRE_LINT_TOOLS=1, a missing tool fails instead.
"""
import base64
import hashlib
import json
import subprocess
import sys

import pytest

from deploy import lint
from deploy.rabbitmq import broker_users
from fazhi_common.units import READ_THROUGH_SERVICES, RegistryReadThrough
from tests.helpers import SERVICES, service_class


@pytest.mark.parametrize("check", [c for _, c in lint.CHECKS], ids=[t for t, _ in lint.CHECKS])
def test_deploy_check(check):
    problems = check()
    if problems is None and lint.tools_required():
        pytest.fail("tool not installed, and FAZHI_REQUIRE_LINT_TOOLS=1 requires it")
    if problems is None:
        pytest.skip("tool not installed (run .ci/lint-deploy to install it)")
    assert problems == []


def test_structure_check_catches_a_department_running_anothers_part(tmp_path, monkeypatch):
    compose = tmp_path / "compose"
    compose.mkdir()
    for path in lint.COMPOSE.iterdir():
        (compose / path.name).write_text(path.read_text())
    justice = compose / "justice.yml"
    justice.write_text(justice.read_text().replace("  mediation:\n", "  registry:\n", 1))
    monkeypatch.setattr(lint, "COMPOSE", compose)
    assert any("justice.yml: runs" in p for p in lint.check_compose_structure())


def test_definitions_carry_hashed_passwords_rabbitmq_accepts():
    table = broker_users.all_permissions()
    document = broker_users.definitions("fazhi", table, {user: "pw" for user in table})
    assert {u["name"] for u in document["users"]} == set(table)
    assert all(len(u["password_hash"]) == 48 for u in document["users"])  # 4+32 bytes, b64
    # rabbit_password_hashing_sha256: base64(salt + sha256(salt + password)); this form was
    # checked against a live broker with `rabbitmqctl authenticate_user`
    raw = base64.b64decode(broker_users.password_hash("guest", salt=b"\x90\x8d\xc6\x0a"))
    assert raw == b"\x90\x8d\xc6\x0a" + hashlib.sha256(b"\x90\x8d\xc6\x0aguest").digest()


def test_department_definitions_hold_only_that_departments_users():
    out = subprocess.run(
        [sys.executable, "deploy/rabbitmq/broker_users.py", "definitions", "--vhost", "fazhi",
         "--department", "civil-affairs", "--no-passwords"],
        cwd=lint.ROOT, capture_output=True, text=True, check=True).stdout
    users = {u["name"] for u in json.loads(out)["users"]}
    assert users == {"fazhi-registry", "fazhi-evaluation"}


def test_broker_passwords_come_from_the_environment():
    found = broker_users.passwords(None, ["fazhi-registry"],
                                   environ={"BROKER_PASSWORD_REGISTRY": "from-env"})
    assert found == {"fazhi-registry": "from-env"}


def test_migrate_cli_upgrades_a_service_database(tmp_path):
    url = f"sqlite:///{tmp_path}/registry.db"
    env_run = dict(cwd=lint.ROOT, capture_output=True, text=True, timeout=120)
    upgrade = subprocess.run([sys.executable, "-m", "fazhi_common.migrate", "upgrade",
                              "services/registry", "--url", url], **env_run)
    assert upgrade.returncode == 0, upgrade.stderr
    current = subprocess.run([sys.executable, "-m", "fazhi_common.migrate", "current",
                              "services/registry", "--url", url], **env_run)
    assert "(head)" in current.stdout


def test_healthcheck_fails_in_one_line_when_the_database_is_unreachable(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("AMQP_URI: pyamqp://guest:guest@127.0.0.1:1/\n"
                      "DATABASE_URL: postgresql://nobody@127.0.0.1:1/none\n")
    result = subprocess.run([sys.executable, "-m", "fazhi_common.healthcheck", "--config",
                             str(config), "--service", "registry", "--timeout", "2"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout.startswith("unhealthy: ")


def test_every_service_that_asks_the_registry_may_await_its_replies():
    # a read-through's reply queue needs the broker permission READ_THROUGH_SERVICES gives
    asking = {name for name in SERVICES if any(
        isinstance(value, RegistryReadThrough) for value in vars(service_class(name)).values())}
    assert asking == set(READ_THROUGH_SERVICES)
    for name in asking:
        _configure, write, read = broker_users.all_permissions()[f"fazhi-{name}"]
        assert f"rpc\\.reply-{name}-" in write and f"rpc\\.reply-{name}-" in read
