"""Config loading: one YAML file per service, with environment overrides.

The YAML may reference the environment as ``${VAR}`` or ``${VAR:default}`` — the same
syntax ``nameko run --config`` understands, so one file serves both. On top of that, any
top-level key can be overridden by an environment variable ``FAZHI_<KEY>`` (values are
parsed as YAML, so ``FAZHI_MAX_WORKERS=20`` gives an int).
"""
import os

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


# The secrets the shipped config.yml files fall back on, for development on one machine.
# Anyone holding these could sign identities, read tokens or decrypt personal data.
DEVELOPMENT_SECRETS = {
    "GATEWAY_SIGNING_KEY": "Nvsmaw6ZPHzSHZpVpU5kFB-qqNhEj2h2WceCniAa6N4",
    "GATEWAY_VERIFY_KEYS": "YgC6sbDtrl9QJuuAT0SdM0fVYobMNbE3adokYyVa9W4",
    "SURVEY_SECRET": "dev-only-survey-secret-change-me",
    "MEDIATION_DATA_KEY": "xztyBbUNLAOf5uI0rbTHQMe_26_U1o0Mrs_dxqnTFdg=",
    "LEGALSERVICES_DATA_KEY": "5xk1zQ2o0bN8y6mJ3WZkQd7rS9cT4vL1aE2pH6uY0fI=",
    "LEGAL_AID_TRANSFER_KEY": "q7VtL3mP9xR2wK5nB8cD1fG4hJ6sA0zE3yU7iO9tW2c=",
    "CORRECTIONS_DATA_KEY": "seisXMIwYWdbTN5Gmum-refohwKCT-M7U7F6N4sjHtE=",
    "TOKEN_KEYS": "dev-only-token-key-change-me-before-any-real-use",
}


def development_secrets_in(config):
    """Names of the keys in ``config`` that still hold a development secret."""
    found = []
    for key, secret in DEVELOPMENT_SECRETS.items():
        value = config.get(key)
        values = value.values() if isinstance(value, dict) else [value]
        if any(secret in str(v) for v in values if v is not None):
            found.append(key)
    return found


def check_secrets(config, log):
    """Refuse to start in production with a development secret; warn anywhere else."""
    found = development_secrets_in(config)
    if not found:
        return
    if str(config.get("ENVIRONMENT", "development")) == "production":
        raise RuntimeError("ENVIRONMENT is production but these still hold development "
                           f"secrets: {', '.join(found)}. See docs/operations.md.")
    log.warning("development secrets in use (%s): set them before any real use",
                ", ".join(found))
