"""Secrets: none shipped, the quick start's own generated, any key from the repository refused."""
import os
import re
import secrets
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


def _real_secrets():
    """A value for every secret as a deployment makes them: random, written nowhere."""
    return {key: {"k1": secrets.token_urlsafe(32)} if key == "TOKEN_KEYS"
            else secrets.token_urlsafe(32) for key in SECRET_KEYS}


def test_a_key_from_the_repository_or_none_is_refused_everywhere():
    config = load_config(ROOT / "services" / "mediation" / "config.yml", environ={})
    with pytest.raises(RuntimeError, match="MEDIATION_DATA_KEY"):
        check_secrets(config)  # unset
    real = dict(config, **_real_secrets())
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


# Where a key would be written: any file of the repository a person or a program reads
# (configs of every service and the gateway, deployment files, docs, scripts, benchmarks,
# tests, the source), not what a run leaves behind.
_SKIPPED_DIRS = {".git", ".venv", "var", "__pycache__", "node_modules", "vendor",
                 ".pytest_cache", ".ruff_cache"}
_SKIPPED_SUFFIXES = {".pyc", ".png", ".ico", ".woff", ".woff2", ".xlsx", ".gz", ".db"}
# a value given to a name that holds a key or secret (GATEWAY_SIGNING_KEY, TOKEN_KEYS' k1,
# webhook_secret, SECRET, ...), or a ${..._KEY:default}
_NAME = r"""\b(?:[A-Za-z0-9_]*(?:KEY|SECRET|secret|_key)S?[A-Za-z0-9_]*|k\d+)["']?\s*[:=]\s*"""
_ASSIGNED = re.compile(_NAME + r"""["']([^\s"'}{,)]{8,})["']""")  # a quoted literal
# KEY=value in a YAML or .env file (12 characters at least: not a word of the prose)
_ASSIGNED_BARE = re.compile(_NAME + r"""([^\s"'}{,)$]{12,})""")
_DEFAULTED = re.compile(r"\$\{\w*(?:KEY|SECRET)\w*:([^}]+)\}")
# values so assigned that are names, not keys: routing keys, context keys, labels, and the
# compose file's "?set NAME" (its refusal to start without the variable)
NOT_KEYS = {"community_registered", "fazhi_identity", "fazhi_request_id", "self-governance",
            "书记兼任主任（一肩挑）"}


def _repository_files():
    for path in ROOT.rglob("*"):
        if (path.is_file() and path.suffix not in _SKIPPED_SUFFIXES
                and not _SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)):
            yield path


def _repository_strings():
    """Every value a file of the repository gives a key or secret (and every value ever
    shipped, ``KNOWN_SECRETS``)."""
    found = set(KNOWN_SECRETS)
    for path in _repository_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(_ASSIGNED.findall(text))
        if path.suffix not in {".py", ".js"}:  # in code a bare value is an expression
            found.update(_ASSIGNED_BARE.findall(text))
        found.update(_DEFAULTED.findall(text))
    return {v for v in found if v not in NOT_KEYS and not v.startswith(("?", "<", "$"))
            and v.strip("-")}


def test_the_scan_reads_every_part_of_the_repository():
    seen = {p.relative_to(ROOT).parts[0] for p in _repository_files()}
    assert {"bench", "common", "deploy", "docs", "gateway", "scripts", "services",
            "tests"} <= seen
    assert {"bench/auth.py", "deploy/k8s/secret.yaml", "gateway/config.yml",
            "services/corrections/config.yml"} <= {
        str(p.relative_to(ROOT)) for p in _repository_files()}


def test_every_key_written_in_the_repository_is_refused_as_any_secret():
    """A value the repository gives a key anywhere (a benchmark's, a test's, an example's)
    is refused for every secret: whoever has the source has it."""
    refused = {}
    for value in _repository_strings():
        for key in SECRET_KEYS:
            config = dict(_real_secrets(), **{key: {"k1": value} if key == "TOKEN_KEYS"
                                              else value})
            try:
                check_secrets(config)
            except RuntimeError:
                continue
            refused.setdefault(value, []).append(key)
    assert refused == {}, "add these to KNOWN_SECRETS or use a random value: " + str(refused)


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
