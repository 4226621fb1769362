"""Mediation's own nameko dependencies: the personal-data cipher, the cipher sealing an
applicant sent on to legal aid, and the deadlines."""
import dataclasses
import logging
from datetime import date

from nameko.extensions import DependencyProvider

from fazhi_common.crypto import FieldCipher
from fazhi_common.jobs import JobRunner
from fazhi_common.workdays import WorkingCalendar
from mediation.calendar_changes import RECOMPUTE_JOB, recompute_step
from mediation.deadlines import Deadlines

log = logging.getLogger(__name__)


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
    the working calendar extended by ``WORKING_CALENDAR_FILE``. ``reload()`` reads the
    override file again (an operator edited it); the service then recomputes deadlines."""

    def setup(self):
        config = self.container.config
        self.path = config.get("WORKING_CALENDAR_FILE") or None
        self.warn_days = int(config.get("CALENDAR_NOTICE_WARNING_DAYS", 60))
        self.deadlines = Deadlines.from_config(
            config["DEADLINE_RULES"], WorkingCalendar.from_file(self.path))
        warning = self.notice_warning(date.today())
        if warning:
            log.warning("mediation: %s", warning)

    def reload(self):
        """The deadlines on the override file as it is now (kept if it cannot be read)."""
        try:
            calendar = WorkingCalendar.from_file(self.path)
        except (OSError, ValueError) as exc:
            log.error("working calendar %s not reloaded: %s", self.path, exc)
            return self.deadlines
        if calendar.fingerprint != self.deadlines.calendar.fingerprint:
            self.deadlines = dataclasses.replace(self.deadlines, calendar=calendar)
        return self.deadlines

    def notice_warning(self, today):
        """The next year starts within the warning days and no notice for it is known."""
        year = self.deadlines.calendar.missing_notice(today, self.warn_days)
        if year is None:
            return None
        return (f"no State Council holiday notice for {year} in the working calendar and "
                f"{year} begins within {self.warn_days} days: deadlines reaching into it "
                "count the statutory holidays only and are provisional; add the notice to "
                "WORKING_CALENDAR_FILE (services/mediation/working_calendar.example.yml)")

    def get_dependency(self, worker_ctx):
        return self.deadlines


class CalendarWatch(DependencyProvider):
    """``self.calendar_watch``: this container's DeadlineSettings, to reload the working
    calendar and tell whether a notice is missing."""

    def get_dependency(self, worker_ctx):
        return _settings(self.container)


class DeadlineJobs(JobRunner):
    """The background jobs of mediation: recomputing deadlines on the calendar in force."""

    def __init__(self):
        super().__init__({})

    def setup(self):
        super().setup()
        settings = _settings(self.container)
        self.steps = {RECOMPUTE_JOB: recompute_step(lambda: settings.deadlines)}


def _settings(container):
    return next(d for d in container.dependencies if isinstance(d, DeadlineSettings))
