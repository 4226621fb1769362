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
