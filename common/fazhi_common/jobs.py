"""Background jobs: long work a request starts and a caller polls, run in small chunks.

Anything that grows with a province (a scheme revision's recompute, a province-wide
recompute, a national import) does not fit in one RPC call: the request records a
``job`` row in its own transaction and answers at once (the gateway says 202 with the
job's id). The service's ``JobRunner`` then takes queued jobs and runs each as a series
of steps, every step in its own transaction together with the job's progress and cursor,
yielding to the other green threads between steps. A job therefore resumes where it
stopped after a crash, never repeating or skipping a committed step. Its end is recorded
with a ``<service>_job_finished`` event in the same transaction as its last step.

A step is a function ``step(session, job, today) -> bool`` (True when the job is done)
that reads its cursor from ``job.state``, does one bounded batch of work, and writes
``job.state``, ``job.done``, ``job.total`` (and ``job.result`` at the end).
"""
import logging
import uuid
from datetime import date, timedelta

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import JSON, Integer, String, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from fazhi_common.clock import UtcDateTime, utcnow
from fazhi_common.db import Database
from fazhi_common.errors import NotFound
from fazhi_common.outbox import record_event
from fazhi_common.tables import CommonBase

log = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)


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


def start_job(session, kind, params, caller, area=None):
    """Queue a job in the caller's transaction (it runs once that commits)."""
    job = Job(id=str(uuid.uuid4()), kind=kind, status=QUEUED, params=params, state={},
              done=0, area=area if area is not None else (caller.area or ""),
              requested_by=caller.subject)
    session.add(job)
    session.flush()
    return job


def job_view(job):
    return {"id": job.id, "kind": job.kind, "status": job.status, "done": job.done,
            "total": job.total, "result": job.result, "error": job.error,
            "requested_by": job.requested_by, "created_at": job.created_at,
            "finished_at": job.finished_at}


def get_job(session, job_id, scope):
    """A job the caller may see (one started within its area); 404 otherwise."""
    job = session.get(Job, job_id) if isinstance(job_id, str) and len(job_id) <= 36 else None
    # a platform-wide job (no area) is for platform-wide eyes only
    if job is None or not (scope.covers(job.area) if job.area else not scope.prefix):
        raise NotFound(f"No job {job_id}.")
    return job


class JobRunner(DependencyProvider):
    """Runs this service's queued jobs, one step per transaction.

    ``steps`` maps a job kind to its step function. Config: ``JOB_POLL_SECONDS`` (how
    often to look for work), ``JOB_STALE_SECONDS`` (a running job whose instance has not
    advanced it for this long is taken over: its instance died).
    """

    def __init__(self, steps):
        self.steps = dict(steps)
        self._running = False

    def setup(self):
        config = self.container.config
        self.poll = float(config.get("JOB_POLL_SECONDS", 1.0))
        self.stale = float(config.get("JOB_STALE_SECONDS", 120))

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
        while self._running:
            try:
                job_id = self._claim(database)
                if job_id is None:
                    eventlet.sleep(self.poll)
                    continue
                self._work(database, job_id)
            except Exception:  # the database away: the job stays, try again later
                log.exception("job runner")
                eventlet.sleep(self.poll)

    def _claim(self, database):
        stale_before = utcnow() - timedelta(seconds=self.stale)
        # looked for with a plain read first: most polls find nothing, and a write session
        # would take SQLite's write lock every poll
        with database.session_factory() as session:
            job_id = session.scalar(
                select(Job.id).where(Job.kind.in_(self.steps), or_(
                    Job.status == QUEUED,
                    (Job.status == RUNNING) & (Job.heartbeat_at < stale_before)))
                .order_by(Job.created_at).limit(1))
        if job_id is None:
            return None
        with database.write_sessions() as session:
            claimed = session.execute(
                update(Job).where(Job.id == job_id, or_(
                    Job.status == QUEUED,
                    (Job.status == RUNNING) & (Job.heartbeat_at < stale_before)))
                .values(status=RUNNING, heartbeat_at=utcnow())).rowcount
            session.commit()
            return job_id if claimed else None

    def _work(self, database, job_id):
        while self._running:
            with database.write_sessions() as session:
                job = session.get(Job, job_id)
                try:
                    finished = self.steps[job.kind](session, job, date.today())
                except Exception as exc:
                    session.rollback()
                    log.exception("job %s (%s) failed", job_id, job.kind)
                    job = session.get(Job, job_id)
                    job.status, job.error = FAILED, f"{type(exc).__name__}: {exc}"[:500]
                    finished = True
                else:
                    if finished:
                        job.status = DONE
                job.heartbeat_at = utcnow()
                if finished:
                    job.finished_at = utcnow()
                    record_event(session, f"{self.container.service_name}_job_finished", {
                        "job_id": job.id, "kind": job.kind, "status": job.status,
                        "done": job.done, "total": job.total, "error": job.error})
                session.commit()
            if database.relay:
                database.relay.wake()
            if finished:
                return
            eventlet.sleep(0)  # let RPC workers and event handlers in between steps
