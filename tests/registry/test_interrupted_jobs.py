"""A job whose runner died (its process killed mid-job) is taken up again at once by the
next runner that looks, and given up as failed after too many interruptions; a job a
live runner holds is left alone."""
import base64

from sqlalchemy.orm import sessionmaker

from fazhi_common.db import make_engine
from fazhi_common.jobs import FAILED, INTERRUPTIONS, RUNNING, Job, RunnerLocks
from registry import importing
from registry.models import Community
from registry.service import RegistryService
from tests.helpers import wait_until

UNITS = "统计用区划代码,名称\n330110000000,余杭区\n330110001000,良渚街道\n330110001201,大陆村\n"


def _orphan(sessions, interruptions=0):
    """An import job left running by a runner that is gone (nobody holds its lock)."""
    with sessions() as session:
        job = Job(id="5f0c1a52-1d1e-4c55-9a3e-2b7a0d9c8e11", kind=importing.IMPORT_JOB,
                  status=RUNNING, area="", requested_by="admin", done=0,
                  params={"filename": "units.csv", "dry_run": False,
                          "content_base64": base64.b64encode(UNITS.encode()).decode()},
                  state={INTERRUPTIONS: interruptions} if interruptions else {})
        session.add(job)
        session.commit()
        return job.id


def _ended(sessions, job_id):
    def poll():
        with sessions() as session:
            job = session.get(Job, job_id)
            return job if job.status in ("done", "failed") else None
    return wait_until(poll, timeout=30, interval=0.1)


def test_an_orphaned_job_is_resumed_and_a_held_one_left_alone(container_factory,
                                                              service_config):
    config = service_config("registry", JOB_POLL_SECONDS=0.1)
    engine = make_engine(config["DATABASE_URL"])
    sessions = sessionmaker(engine, expire_on_commit=False)
    job_id = _orphan(sessions)
    # another runner, alive, works it: a starting instance must leave it be
    other = RunnerLocks(make_engine(config["DATABASE_URL"]))
    held = other.try_hold(job_id)
    assert held is not None and other.try_hold(job_id) is None
    container = container_factory(RegistryService, config)
    container.start()
    try:
        runner = RunnerLocks(engine)
        assert runner.try_hold(job_id) is None
        with sessions() as session:
            assert session.get(Job, job_id).status == RUNNING
        other.release(held)  # that runner dies: the job is taken up and finishes

        job = _ended(sessions, job_id)
        assert (job.status, job.result["created"]) == ("done", 3)
        assert job.state[INTERRUPTIONS] == 1
        with sessions() as session:
            assert session.get(Community, "330110001201").name == "大陆村"
    finally:
        other.engine.dispose()
        engine.dispose()


def test_a_job_interrupted_too_often_is_given_up(container_factory, service_config):
    config = service_config("registry", JOB_POLL_SECONDS=0.1, JOB_MAX_INTERRUPTIONS=2)
    engine = make_engine(config["DATABASE_URL"])
    sessions = sessionmaker(engine, expire_on_commit=False)
    job_id = _orphan(sessions, interruptions=2)
    container_factory(RegistryService, config).start()
    try:
        job = _ended(sessions, job_id)
        assert job.status == FAILED and job.error.startswith("interrupted 3 times")
        assert job.finished_at is not None
        with sessions() as session:  # nothing of it was run
            assert session.get(Community, "330110001201") is None
    finally:
        engine.dispose()
