"""A job whose step loses its database connection is taken up again from its committed
cursor and finishes, every unit of work done once; a step's own error still ends it
failed."""
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from fazhi_common.db import Database, make_engine
from fazhi_common.jobs import DONE, FAILED, INTERRUPTIONS, QUEUED, Job, JobRunner
from fazhi_common.outbox import OutboxEvent
from tests.conftest import TEST_DATABASE
from tests.helpers import wait_until

KIND, UNITS, FAULTY_UNIT = "probe.count", 4, 2
faults = []  # what the step does, once, to its faulty unit after writing its work


def count(session, job, today):
    """One unit a step: the units done so far live in the job's own row."""
    unit = job.state.get("next", 0)
    job.state = {**job.state, "next": unit + 1, "units": [*job.state.get("units", []), unit]}
    session.flush()  # this step's work is written, not yet committed
    if unit == FAULTY_UNIT and faults:
        faults.pop()(session)
    job.done, job.total = unit + 1, UNITS
    return unit + 1 == UNITS


class JobProbe:
    """The registry's jobs machinery (its database, its job-finished event), one kind."""
    name = "registry"
    db = Database()
    jobs = JobRunner({KIND: count})


@pytest.fixture
def run_job(container_factory, service_config):
    """``run_job(fault)``: the ended job, run by a live runner with ``fault`` once."""
    config = service_config("registry", JOB_POLL_SECONDS=0.1)
    engine = make_engine(config["DATABASE_URL"])
    sessions = sessionmaker(engine, expire_on_commit=False)

    def run(fault):
        faults[:] = [fault]
        with sessions() as session:
            job = Job(id=str(uuid.uuid4()), kind=KIND, status=QUEUED, area="",
                      requested_by="admin", params={}, state={}, done=0)
            session.add(job)
            session.commit()
        container_factory(JobProbe, config).start()

        def ended():
            with sessions() as session:
                found = session.get(Job, job.id)
                return found if found.status in (DONE, FAILED) else None
        ended_job = wait_until(ended, timeout=30, interval=0.1)
        assert not faults  # the fault did happen
        with sessions() as session:  # its end is told once, with how it ended
            told = session.scalars(select(OutboxEvent.envelope).where(
                OutboxEvent.event_type == "registry_job_finished")).all()
        assert [(e["data"]["job_id"], e["data"]["status"]) for e in told] == \
            [(job.id, ended_job.status)]
        return ended_job

    yield run
    faults.clear()
    engine.dispose()


def _assert_done_once(job):
    assert (job.status, job.error, job.done) == (DONE, None, UNITS)
    assert job.state["units"] == list(range(UNITS))  # none repeated, none skipped
    assert INTERRUPTIONS not in job.state  # its runner never gave it up


def _disconnect_flagged(session):
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection"),
                           connection_invalidated=True)


def test_a_step_whose_connection_is_lost_is_repeated(run_job):
    _assert_done_once(run_job(_disconnect_flagged))


@pytest.mark.skipif(not TEST_DATABASE.startswith("postgresql"), reason="PostgreSQL only")
def test_a_step_whose_backend_is_terminated_is_repeated(run_job):
    def terminate(session):
        pid = session.scalar(text("SELECT pg_backend_pid()"))
        other = make_engine(session.bind.url.render_as_string(hide_password=False))
        try:
            with other.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                wait_until(lambda: connection.scalar(text(
                    "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": pid}))
        finally:
            other.dispose()
        session.execute(text("SELECT 1"))  # the step goes on, on its dead connection

    _assert_done_once(run_job(terminate))


def test_a_step_that_errs_ends_the_job_failed(run_job):
    def bad_data(session):
        raise ValueError("unit 2 is malformed")

    job = run_job(bad_data)
    assert (job.status, job.error) == (FAILED, "ValueError: unit 2 is malformed")
    assert job.state["units"] == [0, 1] and job.finished_at is not None
