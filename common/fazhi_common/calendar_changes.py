"""Deadlines counted on the working calendar (fazhi_common.workdays) kept right when it
changes: the override file edited, a calendar package upgraded.

The calendar in force is known by its fingerprint; each one a service's stored deadlines
were counted on is kept in its own table (``CalendarStateColumns``). At start and every
``CALENDAR_CHECK_SECONDS`` the service reads the override file again; a new fingerprint
queues a ``recompute_deadlines`` job (fazhi_common.jobs) that walks the open rows in
batches and counts their deadlines again. From ``CALENDAR_NOTICE_WARNING_DAYS`` (60)
before a year without a State Council notice, the service warns at start and in its
health report (the gateway's ``/health/ready``).

A service supplies only what is its own: its settings built on the calendar, which rows
are open and how one row's deadlines are counted again (recording each moved date in the
row's timeline and announcing it)::

    class MediationService(calendar_changes.WatchesCalendar, base.ServiceBase):
        calendar_state = CalendarState          # its CalendarStateColumns table
        deadlines = CalendarSettings(build)     # build(config, calendar) -> settings
        job_runner = CalendarJobs(open_rows, recompute)

``open_rows(after)`` is a query of the open rows with an id above ``after``, by id;
``recompute(session, row, settings, today)`` counts the row's deadlines on
``settings`` and answers how many moved.
"""
import dataclasses
import logging
from datetime import date, datetime

from nameko.extensions import DependencyProvider
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from fazhi_common.clock import UtcDateTime, utcnow
from fazhi_common.contracts.roles import EVERYONE, SYSTEM
from fazhi_common.identity import rpc
from fazhi_common.jobs import JobRunner, start_job
from fazhi_common.timer import timer
from fazhi_common.workdays import WorkingCalendar

log = logging.getLogger(__name__)
RECOMPUTE_JOB = "recompute_deadlines"
BATCH = 200
EXAMPLE = "services/mediation/working_calendar.example.yml"


class CalendarStateColumns:
    """Each working calendar a service's stored deadlines were counted on (its
    fingerprint), the latest last (mix into the service's own declarative class)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def check_calendar(session, state, calendar):
    """Queue a recompute when ``calendar`` is not the one the deadlines were last counted
    on (a first start counts too: deadlines of an older release may predate the statutory
    holidays); the job, or None when nothing changed. ``state``: the service's table of
    ``CalendarStateColumns``.

    Each calendar applied is kept: an instance still on one that was since replaced (a
    rolling upgrade, an override file not yet copied to every host) does not count the
    deadlines back, which would flip them to and fro between instances.
    """
    latest = session.scalar(select(state).order_by(state.id.desc()).limit(1))
    if latest is not None and latest.fingerprint == calendar.fingerprint:
        return None
    if session.scalar(select(state.id).where(
            state.fingerprint == calendar.fingerprint).limit(1)) is not None:
        log.warning("this instance's working calendar (%s) was replaced by a newer one: "
                    "deadlines are not counted on it again", calendar.source or "packaged")
        return None
    session.add(state(fingerprint=calendar.fingerprint, changed_at=utcnow()))
    return start_job(session, RECOMPUTE_JOB, {"fingerprint": calendar.fingerprint,
                                              "source": calendar.source}, SYSTEM, area="")


def moved_note(deadline, was, now):
    """The timeline note of a deadline the calendar change moved (``deadline``: its
    Chinese name, e.g. 调解期限)."""
    return f"{deadline}由 {was} 改为 {now}：工作日历变更（节假日安排调整）"


def recompute_step(settings_of, open_rows, recompute, batch=BATCH):
    """The job's step: one batch of open rows (by id) per transaction, each counted again
    on the settings in force (``settings_of()``)."""

    def step(session, job, today):
        settings = settings_of()
        after = job.state.get("after", 0)
        rows = session.scalars(open_rows(after).limit(batch)).all()
        changed = job.state.get("changed", 0)
        for row in rows:
            changed += recompute(session, row, settings, today)
        job.state = {**job.state, "after": rows[-1].id if rows else after,
                     "changed": changed}
        job.done = (job.done or 0) + len(rows)
        if len(rows) < batch:
            job.result = {"deadlines_moved": changed}
            return True
        return False

    return step


def calendar_of(settings):
    """The working calendar of a settings value (or the calendar itself)."""
    return settings if isinstance(settings, WorkingCalendar) else settings.calendar


def with_calendar(settings, calendar):
    """``settings`` counted on ``calendar`` (a frozen dataclass with a ``calendar`` field,
    or the calendar itself)."""
    if isinstance(settings, WorkingCalendar):
        return calendar
    return dataclasses.replace(settings, calendar=calendar)


class CalendarSettings(DependencyProvider):
    """``self.<name>``: ``build(config, calendar)``, a policy value counted on the working
    calendar extended by ``WORKING_CALENDAR_FILE`` (``build`` None: the calendar itself).
    ``reload()`` reads the override file again; ``notice_warning(today)`` says when next
    year's State Council notice is missing (logged at start)."""

    def __init__(self, build=None):
        self.build = build or (lambda config, calendar: calendar)

    def setup(self):
        config = self.container.config
        self.path = config.get("WORKING_CALENDAR_FILE") or None
        self.warn_days = int(config.get("CALENDAR_NOTICE_WARNING_DAYS", 60))
        self.value = self.build(config, WorkingCalendar.from_file(self.path))
        warning = self.notice_warning(date.today())
        if warning:
            log.warning("%s: %s", getattr(self.container, "service_name", "service"),
                        warning)

    @property
    def calendar(self):
        return calendar_of(self.value)

    def reload(self):
        """The calendar as the override file has it now (kept if it cannot be read)."""
        try:
            calendar = WorkingCalendar.from_file(self.path)
        except (OSError, ValueError) as exc:
            log.error("working calendar %s not reloaded: %s", self.path, exc)
            return self.calendar
        if calendar.fingerprint != self.calendar.fingerprint:
            self.value = with_calendar(self.value, calendar)
        return calendar

    def notice_warning(self, today):
        """The next year starts within the warning days and no notice for it is known."""
        year = self.calendar.missing_notice(today, self.warn_days)
        if year is None:
            return None
        return (f"no State Council holiday notice for {year} in the working calendar and "
                f"{year} begins within {self.warn_days} days: deadlines reaching into it "
                "count the statutory holidays only and are provisional; add the notice to "
                f"WORKING_CALENDAR_FILE ({EXAMPLE})")

    def report(self, today):
        """The health report's part: the calendar's source, its last published year and
        the warning, if any."""
        calendar = self.calendar
        return {"source": calendar.source, "published_to": max(calendar.published_years),
                "warning": self.notice_warning(today)}

    def get_dependency(self, worker_ctx):
        return self.value


def calendar_settings(container):
    """The container's CalendarSettings provider."""
    return next(d for d in container.dependencies if isinstance(d, CalendarSettings))


class CalendarWatch(DependencyProvider):
    """``self.calendar_watch``: this container's CalendarSettings provider, to reload the
    working calendar and tell whether a notice is missing."""

    def get_dependency(self, worker_ctx):
        return calendar_settings(self.container)


class CalendarJobs(JobRunner):
    """The service's background jobs: ``recompute_deadlines`` on the calendar in force
    (``open_rows`` and ``recompute`` as the module says), beside any other ``steps``."""

    def __init__(self, open_rows, recompute, steps=None):
        super().__init__(steps or {})
        self.open_rows, self.recompute = open_rows, recompute

    def setup(self):
        super().setup()
        settings = calendar_settings(self.container)
        self.steps = {**self.steps, RECOMPUTE_JOB: recompute_step(
            lambda: settings.value, self.open_rows, self.recompute)}


class WatchesCalendar:
    """A service whose deadlines are counted on the working calendar: inherit it before
    ``ServiceBase``, name the calendar state table in ``calendar_state`` and hold a
    CalendarSettings and a CalendarJobs."""

    calendar_state = None  # the service's CalendarStateColumns table
    calendar_watch = CalendarWatch()

    @timer("CALENDAR_CHECK_SECONDS", 600, eager=True)
    def check_working_calendar(self):
        """At start and then periodically: a changed calendar (override file edited, a
        package upgraded) queues the recompute of every open deadline."""
        calendar = self.calendar_watch.reload()
        with self.db.transaction() as session:
            job = check_calendar(session, self.calendar_state, calendar)
            if job is not None:
                self.audit(session, "working_calendar_changed", job.id,
                           {"source": calendar.source}, caller=SYSTEM)

    @rpc(roles=EVERYONE)
    def health(self):
        """The base's report, and a warning when next year's holiday notice is missing."""
        report = super().health()
        report["working_calendar"] = self.calendar_watch.report(date.today())
        return report
