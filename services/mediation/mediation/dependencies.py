"""Mediation's own nameko dependencies: the personal-data cipher, the cipher sealing an
applicant sent on to legal aid, and the deadlines."""
from nameko.extensions import DependencyProvider

from fazhi_common.crypto import FieldCipher
from fazhi_common.workdays import WorkingCalendar
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


class DeadlineSettings(DependencyProvider):
    """``self.deadlines``: the time limits from config.yml (``DEADLINE_RULES``), counted on
    the working calendar extended by ``WORKING_CALENDAR_FILE``."""

    def setup(self):
        config = self.container.config
        self.deadlines = Deadlines.from_config(
            config["DEADLINE_RULES"],
            WorkingCalendar.from_file(config.get("WORKING_CALENDAR_FILE") or None))

    def get_dependency(self, worker_ctx):
        return self.deadlines
