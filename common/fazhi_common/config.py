"""Config loading: one YAML file per service, with environment overrides.

The YAML may reference the environment as ``${VAR}`` or ``${VAR:default}`` — the same
syntax ``nameko run --config`` understands, so one file serves both. On top of that, any
top-level key can be overridden by an environment variable ``FAZHI_<KEY>`` (values are
parsed as YAML, so ``FAZHI_MAX_WORKERS=20`` gives an int).
"""
import os
import re

import yaml
from nameko.cli.main import setup_yaml_parser

ENV_PREFIX = "FAZHI_"
_parser_ready = False


def _ensure_parser():
    global _parser_ready
    if not _parser_ready:
        setup_yaml_parser()
        _parser_ready = True


def load_config(path, environ=None):
    """Read ``path`` and apply ``FAZHI_*`` environment overrides."""
    _ensure_parser()
    environ = os.environ if environ is None else environ
    with open(path, encoding="utf-8") as fh:
        config = yaml.safe_load(fh) or {}
    for name, raw in environ.items():
        if name.startswith(ENV_PREFIX):
            config[name[len(ENV_PREFIX):]] = yaml.safe_load(raw) if raw else raw
    return config


# Every secret a part reads. The shipped config.yml files give none of them a value: the
# quick start generates its own (``local_secrets``), a deployment sets its own.
SECRET_KEYS = ("GATEWAY_SIGNING_KEY", "GATEWAY_VERIFY_KEYS", "SURVEY_SECRET",
               "MEDIATION_DATA_KEY", "LEGALSERVICES_DATA_KEY", "LEGAL_AID_TRANSFER_KEY",
               "CORRECTIONS_DATA_KEY", "TOKEN_KEYS")
# Values that were once shipped in this repository (old config.yml defaults, test keys):
# anyone with a copy of the source holds them, so no part accepts them anywhere.
KNOWN_SECRETS = (
    "Nvsmaw6ZPHzSHZpVpU5kFB-qqNhEj2h2WceCniAa6N4",
    "YgC6sbDtrl9QJuuAT0SdM0fVYobMNbE3adokYyVa9W4",
    "dev-only-survey-secret-change-me",
    "xztyBbUNLAOf5uI0rbTHQMe_26_U1o0Mrs_dxqnTFdg=",
    "5xk1zQ2o0bN8y6mJ3WZkQd7rS9cT4vL1aE2pH6uY0fI=",
    "q7VtL3mP9xR2wK5nB8cD1fG4hJ6sA0zE3yU7iO9tW2c=",
    "seisXMIwYWdbTN5Gmum-refohwKCT-M7U7F6N4sjHtE=",
    "dev-only-token-key-change-me-before-any-real-use",
    "test-token-key-of-at-least-32-bytes",
    "bench-token-key-of-at-least-32-bytes",
    "test-survey-secret",
    # shared secrets of the tests' own subscriptions and residents: no platform key either
    "0123456789abcdef",
    "s3cret-shared-with-the-court",
    "a-different-secret-entirely",
    "resident-secret-1",
)
# the deployment examples' placeholders (deploy/, docs) all say "change me"
_PLACEHOLDER = re.compile(r"change[-_ ]?me", re.IGNORECASE)


def _values(value):
    return list(value.values()) if isinstance(value, dict) else [value]


def repository_secrets_in(config):
    """Names of the keys in ``config`` holding a value found in this repository."""
    found = []
    for key in SECRET_KEYS:
        values = [str(v) for v in _values(config.get(key)) if v is not None]
        if any(_PLACEHOLDER.search(v) or any(k in v for k in KNOWN_SECRETS) for v in values):
            found.append(key)
    return found


def missing_secrets_in(config):
    """Names of the secret keys ``config`` lists but leaves empty."""
    return [key for key in SECRET_KEYS if key in config
            and not any(str(v).strip() for v in _values(config[key]) if v is not None)]


def check_secrets(config, log=None):
    """Refuse to start with a secret left empty or one found in the repository.

    Refused in every environment, development included: a key anyone can read in the
    source signs an administrator's token as well on a laptop reachable from a network.
    """
    found = repository_secrets_in(config)
    if found:
        raise RuntimeError(f"这些密钥取自代码仓库，任何人都可得到，拒绝启动：{', '.join(found)}。"
                           "请生成新的密钥（见 docs/operations.md）。")
    missing = missing_secrets_in(config)
    if missing:
        raise RuntimeError(f"这些密钥未设置，拒绝启动：{', '.join(missing)}。scripts/run 会在 "
                           "var/secrets.env 生成；部署时请自行设置（见 docs/operations.md）。")
