"""The legal services' own nameko dependencies: the personal-data cipher and receipts,
the cipher of applicants sent on from mediation, legal aid's time limits and the job
that counts them again when the working calendar changes."""
from nameko.extensions import DependencyProvider

from fazhi_common.calendar_changes import CalendarJobs, CalendarSettings
from fazhi_common.crypto import FieldCipher
from legalservices.deadlines import LegalAidRules
from legalservices.operations import open_applications, recompute_deadline
from legalservices.tracking import Receipts


class Cipher(DependencyProvider):
    """``self.cipher``: encrypts and decrypts applicants' and callers' personal data
    (LEGALSERVICES_DATA_KEY)."""

    def setup(self):
        self.cipher = FieldCipher(self.container.config["LEGALSERVICES_DATA_KEY"])

    def get_dependency(self, worker_ctx):
        return self.cipher


class ReceiptKeys(DependencyProvider):
    """``self.receipts``: checks residents' secrets, including those of receipts copied
    from mediation (LEGAL_AID_LEGACY_DIGEST_KEY)."""

    def setup(self):
        config = self.container.config
        self.receipts = Receipts(FieldCipher(config["LEGALSERVICES_DATA_KEY"]),
                                 config.get("LEGAL_AID_LEGACY_DIGEST_KEY") or None)

    def get_dependency(self, worker_ctx):
        return self.receipts


class TransferCipher(DependencyProvider):
    """``self.transfer``: opens applicants' data sealed by mediation in its
    ``mediation_legal_aid_requested`` event (LEGAL_AID_TRANSFER_KEY)."""

    def setup(self):
        self.transfer = FieldCipher(self.container.config["LEGAL_AID_TRANSFER_KEY"])

    def get_dependency(self, worker_ctx):
        return self.transfer


class LegalAidSettings(CalendarSettings):
    """``self.deadlines``: legal aid's time limits from config.yml (``LEGAL_AID_RULES``) on
    the working calendar extended by ``WORKING_CALENDAR_FILE`` (reloaded when an operator
    edits it; fazhi_common.calendar_changes)."""

    def __init__(self):
        super().__init__(lambda config, calendar: LegalAidRules.from_config(
            config["LEGAL_AID_RULES"], calendar))


class DeadlineJobs(CalendarJobs):
    """The background jobs of legal services: recomputing the running legal-aid deadlines
    on the calendar in force."""

    def __init__(self):
        super().__init__(open_applications, recompute_deadline)
