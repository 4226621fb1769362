"""Background jobs: long work a request starts and a caller polls, run in small chunks.

Anything that grows with a province (a scheme revision's recompute, a province-wide
recompute, a national import) does not fit in one RPC call: the request records a
``job`` row in its own transaction and answers at once (the gateway says 202 with the
job's id). The service's ``JobRunner`` then takes queued jobs and runs each as a series
of steps, every step in its own transaction together with the job's progress and cursor,
yielding to the other green threads between steps. A job therefore resumes where it
stopped after a crash, never repeating or skipping a committed step. Its end is recorded
with a ``<service>_job_finished`` event in the same transaction as its last step.

Whoever works a job holds its lock (``RunnerLocks``), which dies with the process: a job
left ``running`` whose lock is free was interrupted (its process was killed or lost its
database) and is resumed at once by the next instance that looks, the restarted one
included; one interrupted ``JOB_MAX_INTERRUPTIONS`` times (it may be what kills its
process) ends ``failed``.

A step that loses its database connection (the server restarted, a connection reset or
killed) is no fault of the job: its transaction was rolled back, so the runner gives the
job back to the queue as a stopping service does, not counted as an interruption, and
takes it up again from its committed cursor after its poll interval (once per interval
for as long as the database stays away). Only if that requeue fails too does the job
stay ``running`` and count as interrupted when it is taken up. Any other error of a step
(bad data, a bug) ends the job ``failed`` with the error recorded.

A step is a function ``step(session, job, today) -> bool`` (True when the job is done)
that reads its cursor from ``job.state``, does one bounded batch of work, and writes
``job.state``, ``job.done``, ``job.total`` (and ``job.result`` at the end).

Work that a province makes long can be started in parts (``start_job(parts=...)``), so
that every instance of the service takes one and they share it: each part is a job of
its own, with its own lock, cursor and interruptions. The job the caller was given (the
whole) is never run: it shows the sum of its parts while they run, and ends, announced
once, with the last of them (failed if any part failed).
"""
import fcntl
import logging
import os
import threading
import uuid
from datetime import date

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import JSON, Integer, String, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column, object_session

from fazhi_common.clock import UtcDateTime, utcnow
from fazhi_common.contracts.errors import NotFound
from fazhi_common.db import Database
from fazhi_common.outbox import record_event
from fazhi_common.tables import CommonBase

log = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
# kept in ``job.state`` beside the step's cursor: how often the job's runner died
INTERRUPTIONS = "interruptions"
# a whole's ``state``: the ids of its parts; a part's ``params``: the id of its whole
PARTS, PART_OF = "parts", "part_of"


class Job(CommonBase):
    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    area: Mapped[str] = mapped_column(String(12))  # "" for platform-wide
    requested_by: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict] = mapped_column(JSON)
    state: Mapped[dict] = mapped_column(JSON)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[object] = mapped_column(UtcDateTime, default=utcnow)
    heartbeat_at: Mapped[object | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[object | None] = mapped_column(UtcDateTime)


def start_job(session, kind, params, caller, area=None, parts=()):
    """Queue a job in the caller's transaction (it runs once that commits).

    ``parts``: the params that tell each part its share of the work (each added to
    ``params``); with more than one, the job returned is their whole, which no runner runs.
    """
    def queued(params, state):
        job = Job(id=str(uuid.uuid4()), kind=kind, status=QUEUED, params=params, state=state,
                  done=0, area=area if area is not None else (caller.area or ""),
                  requested_by=caller.subject)
        session.add(job)
        return job

    if len(parts) > 1:
        whole = queued(params, {})
        whole.state = {PARTS: [queued({**params, **part, PART_OF: whole.id}, {}).id
                               for part in parts]}
    else:
        whole = queued({**params, **(parts[0] if parts else {})}, {})
    session.flush()
    return whole


def job_view(job):
    status, done, total = job.status, job.done, job.total
    if PARTS in job.state and status not in (DONE, FAILED):  # its parts' progress
        parts = object_session(job).execute(select(Job.status, Job.done, Job.total).where(
            Job.id.in_(job.state[PARTS]))).all()
        status = RUNNING if any(p.status != QUEUED for p in parts) else QUEUED
        done = sum(p.done for p in parts)
        total = None if any(p.total is None for p in parts) else sum(p.total for p in parts)
    return {"id": job.id, "kind": job.kind, "status": status, "done": done,
            "total": total, "result": job.result, "error": job.error,
            "requested_by": job.requested_by, "created_at": job.created_at,
            "finished_at": job.finished_at}


def finish(session, job, status, service, error=None):
    """End a job and announce it as ``<service>_job_finished``; a part, the announcement
    of its whole once the last part ends."""
    job.status, job.finished_at = status, utcnow()
    if error:
        job.error = error[:500]
    if PART_OF in job.params:
        job = _whole_ended(session, job.params[PART_OF])
        if job is None:
            return
    record_event(session, f"{service}_job_finished", {
        "job_id": job.id, "kind": job.kind, "status": job.status,
        "done": job.done, "total": job.total, "error": job.error})


def _whole_ended(session, whole_id):
    """The whole of a part that just ended, ended too if that part was its last; else
    None. Its row is locked first, so of two parts ending at once only the later one,
    which sees the other's end committed, ends the whole."""
    session.flush()  # the part's own end, seen below
    whole = session.get(Job, whole_id, with_for_update=True, populate_existing=True)
    if whole is None or whole.status in (DONE, FAILED):
        return None
    parts = session.scalars(select(Job).where(Job.id.in_(whole.state[PARTS]))
                            .order_by(Job.id).execution_options(populate_existing=True)).all()
    if any(p.status not in (DONE, FAILED) for p in parts):
        return None
    failed = [p for p in parts if p.status == FAILED]
    whole.status, whole.finished_at = (FAILED if failed else DONE), utcnow()
    whole.error = failed[0].error if failed else None
    whole.done = sum(p.done for p in parts)
    whole.total = sum(p.total or 0 for p in parts)
    whole.result = _summed([p.result for p in parts if p.result])
    return whole


def _summed(results):
    """The parts' results as one: counts added up, anything else as the first part has it."""
    summed = {}
    for result in results:
        for key, value in result.items():
            if isinstance(value, int | float) and not isinstance(value, bool) \
                    and isinstance(summed.get(key), int | float):
                summed[key] += value
            else:
                summed.setdefault(key, value)
    return summed


def get_job(session, job_id, scope):
    """A job the caller may see (one started within its area); 404 otherwise."""
    job = session.get(Job, job_id) if isinstance(job_id, str) and len(job_id) <= 36 else None
    # a platform-wide job (no area) is for platform-wide eyes only
    if job is None or not (scope.covers(job.area) if job.area else not scope.prefix):
        raise NotFound(f"No job {job_id}.")
    return job


def connection_lost(exc):
    """Whether ``exc`` says the database connection itself went away (SQLAlchemy flags a
    disconnect its dialect recognises and invalidates that connection; the pool checks
    the others before handing them out again)."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class RunnerLocks:
    """The locks that say a job is being worked, released by the death of the process
    that holds them, so a job's runner is known alive or dead without waiting.

    PostgreSQL: a session advisory lock (two-key form, apart from the one-key locks of
    migrations and audit) on a connection kept while the job runs. SQLite: a byte-range
    lock on a file beside the database (instances of a service on one SQLite file share a
    machine). POSIX locks do not exclude their own process, and closing any descriptor
    of the file drops them all: one descriptor per file and a set of the jobs held here.
    """

    _CLASS = 0x6A6F62  # "job"
    _files = {}
    _held = set()
    _guard = threading.Lock()

    def __init__(self, engine):
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        path = None if self.postgres else engine.url.database
        self.path = os.path.abspath(path) + ".jobs.lock" if path and path != ":memory:" \
            else None

    @staticmethod
    def _key(job_id):
        return uuid.UUID(job_id).int % (1 << 31)

    def try_hold(self, job_id):
        """A handle to ``release``, or None when a live runner works the job."""
        key = self._key(job_id)
        if self.postgres:
            conn = self.engine.connect()
            try:
                held = conn.scalar(text("SELECT pg_try_advisory_lock(:c, :k)"),
                                   {"c": self._CLASS, "k": key})
                conn.commit()
            except BaseException:
                conn.invalidate()
                raise
            if held:
                return conn, key
            conn.close()
            return None
        with self._guard:
            if (self.path, job_id) in self._held:
                return None
            if self.path is not None:
                if self.path not in self._files:
                    self._files[self.path] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.lockf(self._files[self.path], fcntl.LOCK_EX | fcntl.LOCK_NB, 1, key)
                except OSError:  # another process holds it
                    return None
            self._held.add((self.path, job_id))
            return job_id, key

    def release(self, handle):
        owner, key = handle
        if self.postgres:
            try:
                owner.execute(text("SELECT pg_advisory_unlock(:c, :k)"),
                              {"c": self._CLASS, "k": key})
                owner.commit()
                owner.close()
            except Exception:  # its connection is gone, and the lock with it
                owner.invalidate()
            return
        with self._guard:
            self._held.discard((self.path, owner))
            if self.path is not None:
                fcntl.lockf(self._files[self.path], fcntl.LOCK_UN, 1, key)


class JobRunner(DependencyProvider):
    """Runs this service's queued jobs, one step per transaction.

    ``steps`` maps a job kind to its step function. Config: ``JOB_POLL_SECONDS`` (how
    often to look for work), ``JOB_MAX_INTERRUPTIONS`` (how often a job is resumed after
    its runner died before it is given up as failed).
    """

    def __init__(self, steps):
        self.steps = dict(steps)
        self._running = False

    def setup(self):
        config = self.container.config
        self.poll = float(config.get("JOB_POLL_SECONDS", 1.0))
        self.max_interruptions = int(config.get("JOB_MAX_INTERRUPTIONS", 3))

    def start(self):
        self._running = True
        self.container.spawn_managed_thread(self._run, identifier="job_runner")

    def stop(self):
        self._running = False

    kill = stop

    def _sessions(self):
        # the Database provider of the same container: its write sessions (IMMEDIATE on
        # SQLite) and its outbox relay, which publishes the job's end after commit
        return next(d for d in self.container.dependencies if isinstance(d, Database))

    def _run(self):
        database = self._sessions()
        locks = RunnerLocks(database.engine)
        while self._running:
            try:
                claimed = self._claim(database, locks)
                if claimed is None:
                    eventlet.sleep(self.poll)
                    continue
                try:
                    self._work(database, claimed[0])
                finally:
                    locks.release(claimed[1])
            except Exception as exc:  # the database away: the job stays, try again later
                if connection_lost(exc):
                    log.warning("job runner lost its database connection: %s", exc)
                else:
                    log.exception("job runner")
                eventlet.sleep(self.poll)

    def _claim(self, database, locks):
        """(job id, lock) of a queued job, or of a running one whose runner died."""
        # looked for with a plain read first: most polls find nothing, and a write session
        # would take SQLite's write lock every poll
        with database.session_factory() as session:
            candidates = session.execute(
                select(Job.id, Job.state).where(Job.kind.in_(self.steps),
                                                Job.status.in_((QUEUED, RUNNING)))
                .order_by(Job.created_at).limit(100)).all()
        for job_id, state in candidates:
            if PARTS in state:
                continue  # a whole: its parts are the jobs to run
            lock = locks.try_hold(job_id)
            if lock is None:
                continue  # a live runner works it
            try:
                if self._take(database, job_id):
                    return job_id, lock
            except BaseException:
                locks.release(lock)
                raise
            locks.release(lock)
        return None

    def _take(self, database, job_id):
        """Mark the job running (read again under its lock: it may have ended)."""
        with database.write_sessions() as session:
            job = session.get(Job, job_id)
            if job is None or job.status not in (QUEUED, RUNNING):
                return False
            if job.status == RUNNING:  # its lock is free: its runner died mid-way
                interruptions = job.state.get(INTERRUPTIONS, 0) + 1
                job.state = {**job.state, INTERRUPTIONS: interruptions}
                if interruptions > self.max_interruptions:
                    log.error("job %s (%s) interrupted %d times: given up", job.id,
                              job.kind, interruptions)
                    self._finish(session, job, FAILED, f"interrupted {interruptions} times "
                                 "(its service stopped while running it)")
                    session.commit()
                    return False
                log.warning("job %s (%s) was interrupted (its runner stopped): resuming",
                            job.id, job.kind)
            job.status, job.heartbeat_at = RUNNING, utcnow()
            session.commit()
            return True

    def _finish(self, session, job, status, error=None):
        finish(session, job, status, self.container.service_name, error)

    def _work(self, database, job_id):
        finished = False
        try:
            while self._running and not finished:
                finished = self._step(database, job_id)
                if database.relay:
                    database.relay.wake()
                eventlet.sleep(0)  # let RPC workers and event handlers in between steps
        finally:
            if not finished:  # the service stops (or lost its database) mid-job
                self._requeue(database, job_id)

    def _step(self, database, job_id):
        with database.write_sessions() as session:
            job = session.get(Job, job_id)
            interruptions = job.state.get(INTERRUPTIONS)
            try:
                finished = self.steps[job.kind](session, job, date.today())
            except Exception as exc:
                if connection_lost(exc):
                    raise  # not the job's fault: ``_work`` requeues it, ``_run`` retries
                session.rollback()
                log.exception("job %s (%s) failed", job_id, job.kind)
                job = session.get(Job, job_id)
                self._finish(session, job, FAILED, f"{type(exc).__name__}: {exc}")
                finished = True
            else:
                if interruptions and INTERRUPTIONS not in job.state:
                    job.state = {**job.state, INTERRUPTIONS: interruptions}
                if finished:
                    self._finish(session, job, DONE)
            job.heartbeat_at = utcnow()
            session.commit()
            return finished

    @staticmethod
    def _requeue(database, job_id):
        """A job a stopping service leaves waits for the next start, not counted as an
        interruption (its step's transaction was rolled back)."""
        try:
            with database.write_sessions() as session:
                job = session.get(Job, job_id)
                if job is not None and job.status == RUNNING:
                    job.status = QUEUED
                    session.commit()
        except Exception:  # it stays running, and counts as interrupted when taken up
            log.warning("job %s left running", job_id, exc_info=True)
