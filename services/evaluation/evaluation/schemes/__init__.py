"""The default indicator schemes, kept as data in ``default.yml`` next to this module."""
from pathlib import Path

import yaml

from evaluation import domain
from fazhi_common.contracts.api.evaluation import SchemeIn
from fazhi_common.validation import load

DEFAULT_FILE = Path(__file__).with_name("default.yml")


def load_schemes(path=DEFAULT_FILE):
    """The schemes of a scheme file, each validated as the API would validate it."""
    with open(path, encoding="utf-8") as fh:
        document = yaml.safe_load(fh)
    schemes = []
    for raw in document["schemes"]:
        scheme = load(SchemeIn(), raw)
        domain.check_scheme(scheme)
        schemes.append(scheme)
    return schemes
