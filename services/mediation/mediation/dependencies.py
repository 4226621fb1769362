"""Mediation's own nameko dependencies: the personal-data cipher, the cipher sealing an
applicant sent on to legal aid, and the deadlines."""
from nameko.extensions import DependencyProvider

from fazhi_common.calendar_changes import CalendarJobs, CalendarSettings
from fazhi_common.crypto import FieldCipher
from mediation.calendar_changes import open_cases, recompute
from mediation.deadlines import Deadlines


class Cipher(DependencyProvider):
    """``self.cipher``: encrypts and decrypts parties' personal data (MEDIATION_DATA_KEY)."""

    def setup(self):
        self.cipher = FieldCipher(self.container.config["MEDIATION_DATA_KEY"])

    def get_dependency(self, worker_ctx):
        return self.cipher


class TransferCipher(DependencyProvider):
    """``self.transfer``: seals a failed case's applicant for the legal services service
    (LEGAL_AID_TRANSFER_KEY, the same value in both services)."""

    def setup(self):
        self.transfer = FieldCipher(self.container.config["LEGAL_AID_TRANSFER_KEY"])

    def get_dependency(self, worker_ctx):
        return self.transfer


class DeadlineSettings(CalendarSettings):
    """``self.deadlines``: the time limits from config.yml (``DEADLINE_RULES``), counted on
    the working calendar extended by ``WORKING_CALENDAR_FILE`` (reloaded when an operator
    edits it; fazhi_common.calendar_changes)."""

    def __init__(self):
        super().__init__(lambda config, calendar: Deadlines.from_config(
            config["DEADLINE_RULES"], calendar))

    @property
    def deadlines(self):
        return self.value


class DeadlineJobs(CalendarJobs):
    """The background jobs of mediation: recomputing deadlines on the calendar in force."""

    def __init__(self):
        super().__init__(open_cases, recompute)
