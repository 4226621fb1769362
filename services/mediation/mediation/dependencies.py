"""Mediation's own nameko dependencies: the personal-data cipher and the deadlines."""
from nameko.extensions import DependencyProvider

from fazhi_common.crypto import FieldCipher
from mediation.domain import Deadlines


class Cipher(DependencyProvider):
    """``self.cipher``: encrypts and decrypts parties' personal data (MEDIATION_DATA_KEY)."""

    def setup(self):
        self.cipher = FieldCipher(self.container.config["MEDIATION_DATA_KEY"])

    def get_dependency(self, worker_ctx):
        return self.cipher


class DeadlineSettings(DependencyProvider):
    """``self.deadlines``: the mediation periods and time limits from config.yml."""

    def setup(self):
        config = self.container.config
        self.deadlines = Deadlines(
            mediation_days=dict(config.get("MEDIATION_DAYS") or {}),
            default_mediation_days=int(config.get("DEFAULT_MEDIATION_DAYS", 30)),
            extension_days=int(config.get("EXTENSION_DAYS", 30)),
            confirmation_days=int(config.get("CONFIRMATION_APPLICATION_DAYS", 30)))

    def get_dependency(self, worker_ctx):
        return self.deadlines
