"""Secrets: none shipped, the quick start's own generated, any key from the repository refused."""
import os
import re
import stat
import warnings
from datetime import timedelta

import jwt
import pytest

from fazhi_common.clock import utcnow
from fazhi_common.config import (
    KNOWN_SECRETS,
    SECRET_KEYS,
    check_secrets,
    load_config,
    missing_secrets_in,
    repository_secrets_in,
)
from fazhi_common.local_secrets import generate_local_secrets
from tests.conftest import ROOT, SERVICE_DIRS


def test_the_shipped_configs_hold_no_secret():
    for path in SERVICE_DIRS.values():
        config = load_config(path / "config.yml", environ={})
        assert repository_secrets_in(config) == []
        assert missing_secrets_in(config) == [k for k in SECRET_KEYS if k in config]


def test_a_key_from_the_repository_or_none_is_refused_everywhere():
    config = load_config(ROOT / "services" / "mediation" / "config.yml", environ={})
    with pytest.raises(RuntimeError, match="MEDIATION_DATA_KEY"):
        check_secrets(config)  # unset
    real = dict(config, GATEWAY_VERIFY_KEYS="a-real-public-key", MEDIATION_DATA_KEY="a-real-key",
                LEGAL_AID_TRANSFER_KEY="another-real-key")
    check_secrets(real)
    for environment in ("development", "production"):
        for value in (*KNOWN_SECRETS, "change-me-to-a-random-token-key-of-32-bytes-or-more"):
            with pytest.raises(RuntimeError, match="MEDIATION_DATA_KEY"):
                check_secrets(dict(real, ENVIRONMENT=environment, MEDIATION_DATA_KEY=value))


def test_a_service_with_a_repository_key_does_not_start(container_factory, service_config):
    from registry.service import RegistryService

    config = service_config("registry", GATEWAY_VERIFY_KEYS=KNOWN_SECRETS[1])
    with pytest.raises(RuntimeError, match="GATEWAY_VERIFY_KEYS"):
        container_factory(RegistryService, config).start()


def test_the_quick_start_generates_its_secrets_once_and_private(tmp_path):
    path = tmp_path / "secrets.env"
    generate_local_secrets(path)
    first = path.read_text()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    generate_local_secrets(path)
    assert path.read_text() == first  # kept: a new key would void every token and datum
    other = tmp_path / "other.env"
    generate_local_secrets(other)
    assert set(first.splitlines()[1:]).isdisjoint(other.read_text().splitlines()[1:])


def _repository_strings():
    """Every value a config, deployment file or document of the repository gives a key."""
    files = [ROOT / "README.md", *(p / "config.yml" for p in SERVICE_DIRS.values()),
             *(ROOT / "deploy").rglob("*"), *(ROOT / "docs").rglob("*.md"),
             *(ROOT / "tests").rglob("*.py")]
    found = set(KNOWN_SECRETS)
    for path in files:
        if path.is_file() and path.suffix not in {".pyc"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(re.findall(r"""(?:KEY|SECRET|k1)\w*["']?\s*[:=]\s*["']?([^\s"'}{,)]{8,})""",
                                    text, re.IGNORECASE))
            found.update(re.findall(r"\$\{\w*(?:KEY|SECRET)\w*:([^}]+)\}", text))
    return found


def test_no_key_in_the_repository_signs_a_token_the_quick_start_accepts(
        tmp_path, monkeypatch, gateway_config):
    from gateway.admin import create_user
    from gateway.app import create_app

    path = tmp_path / "secrets.env"
    generate_local_secrets(path)  # as scripts/run does on first run
    for line in path.read_text().splitlines()[1:]:
        monkeypatch.setenv(*line.split("=", 1))
    config = load_config(ROOT / "gateway" / "config.yml", environ={})
    config.update(AMQP_URI=gateway_config["AMQP_URI"], DATABASE_URL=gateway_config["DATABASE_URL"])
    app = create_app(config)
    try:
        create_user(app.extensions["db"], "admin", "platform_admin", "platform", None,
                    "a password of the admin")
        client = app.test_client()
        now = utcnow()
        claims = {"sub": "admin", "role": "platform_admin", "jti": "forged", "iat": now,
                  "exp": now + timedelta(minutes=5)}
        candidates = _repository_strings()
        assert len(candidates) > 10
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyJWT warns of the short ones: sign anyway
            for key in candidates:
                token = jwt.encode(claims, key, algorithm="HS256", headers={"kid": "k1"})
                answer = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
                assert answer.status_code == 401, key
    finally:
        app.extensions["rpc"].close()
