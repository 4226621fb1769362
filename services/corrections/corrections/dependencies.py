"""Corrections' own nameko dependencies: the personal-data cipher, the rules, the
working calendar (reloaded when an operator edits it) and the job that counts the report
deadlines again when it changes, and the office's leaders, each built from config.yml."""
from functools import partial

from corrections.domain import Rules
from corrections.operations import open_files, recompute_report_deadline
from fazhi_common.calendar_changes import CalendarJobs, CalendarSettings
from fazhi_common.crypto import FieldCipher
from fazhi_common.settings import Settings


def _leaders(config):
    """User names of the office's leaders (``OFFICE_LEADERS``, comma-separated): with the
    person's own correction officer, the only callers who see a file unmasked."""
    raw = config.get("OFFICE_LEADERS") or ""
    names = raw if isinstance(raw, list) else raw.split(",")
    return frozenset(name.strip() for name in names if name.strip())


def _cipher(config):
    return FieldCipher(config["CORRECTIONS_DATA_KEY"])


def cipher():
    return Settings(_cipher)


def rules():
    return Settings(Rules.from_config)


def calendar():
    """``self.calendar``: the working calendar with the operator's override file."""
    return CalendarSettings()


class DeadlineJobs(CalendarJobs):
    """The background jobs of corrections: recomputing the report deadlines on the
    calendar in force (a moved date is a record of the file, its note sealed)."""

    def __init__(self):
        super().__init__(open_files, None)

    def setup(self):
        config = self.container.config
        self.recompute = partial(recompute_report_deadline, rules=Rules.from_config(config),
                                 cipher=_cipher(config))
        super().setup()



def leaders():
    return Settings(_leaders)
