"""Corrections' own nameko dependencies: the personal-data cipher, the rules, the
working calendar and the office's leaders, each built once from config.yml."""
from corrections.domain import Rules
from fazhi_common.crypto import FieldCipher
from fazhi_common.settings import Settings
from fazhi_common.workdays import WorkingCalendar


def _leaders(config):
    """User names of the office's leaders (``OFFICE_LEADERS``, comma-separated): with the
    person's own correction officer, the only callers who see a file unmasked."""
    raw = config.get("OFFICE_LEADERS") or ""
    names = raw if isinstance(raw, list) else raw.split(",")
    return frozenset(name.strip() for name in names if name.strip())


def cipher():
    return Settings(lambda config: FieldCipher(config["CORRECTIONS_DATA_KEY"]))


def rules():
    return Settings(Rules.from_config)


def calendar():
    return Settings(lambda config: WorkingCalendar.from_file(
        config.get("WORKING_CALENDAR_FILE") or None))


def leaders():
    return Settings(_leaders)
