"""A job started in parts: two runners (two instances of a service) take the parts, each
unit of work is done once, and the whole the caller holds shows the parts' progress and
ends once, announced once, with the last part; failed if one part failed."""
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from fazhi_common.contracts.roles import SYSTEM
from fazhi_common.db import Database, make_engine
from fazhi_common.jobs import (
    DONE,
    FAILED,
    PART_OF,
    PARTS,
    QUEUED,
    Job,
    JobRunner,
    job_view,
    start_job,
)
from fazhi_common.outbox import OutboxEvent
from tests.helpers import wait_until

KIND = "probe.parts"
BAD_UNIT = 7  # a unit the step refuses, when a test asks for it
refused = set()


def count(session, job, today):
    """One unit a step, from the part's ``first`` to its ``last`` (taken or not as given)."""
    unit = job.state.get("next", job.params["first"])
    if unit in refused:
        raise ValueError(f"unit {unit} is malformed")
    job.state = {**job.state, "next": unit + 1, "units": [*job.state.get("units", []), unit]}
    job.done, job.total = job.done + 1, job.params["last"] - job.params["first"] + 1
    finished = unit == job.params["last"]
    if finished:
        job.result = {"counted": job.done, "kind": "units"}
    return finished


class JobProbe:
    name = "registry"
    db = Database()
    jobs = JobRunner({KIND: count})


@pytest.fixture
def parted(container_factory, service_config):
    """``parted(ranges)``: the whole of a job in those parts, ended, as two runners left it."""
    config = service_config("registry", JOB_POLL_SECONDS=0.1)
    engine = make_engine(config["DATABASE_URL"])
    sessions = sessionmaker(engine, expire_on_commit=False)

    def run(ranges):
        with sessions() as session:
            whole = start_job(session, KIND, {"note": "probe"}, SYSTEM, parts=[
                {"first": first, "last": last} for first, last in ranges])
            session.commit()
            view = job_view(whole)
            assert (view["status"], view["done"], view["total"]) == (QUEUED, 0, None)
        for _ in range(2):  # two instances of the service, each with its runner
            container_factory(JobProbe, config).start()

        def ended():
            with sessions() as session:
                found = session.get(Job, whole.id)
                return found if found.status in (DONE, FAILED) else None
        ended_whole = wait_until(ended, timeout=60, interval=0.1)
        with sessions() as session:
            parts = sorted(session.scalars(select(Job).where(
                Job.id.in_(ended_whole.state[PARTS]))), key=lambda p: p.params["first"])
            told = session.scalars(select(OutboxEvent.envelope).where(
                OutboxEvent.event_type == "registry_job_finished")).all()
            shown = job_view(session.get(Job, whole.id))
        # the whole's end is told once; a part's is not told at all
        assert [(e["data"]["job_id"], e["data"]["status"]) for e in told] == \
            [(whole.id, ended_whole.status)]
        assert all(p.params[PART_OF] == whole.id and p.params["note"] == "probe"
                   for p in parts)
        return ended_whole, parts, shown

    yield run
    refused.clear()
    engine.dispose()


def test_the_parts_share_the_work_and_the_whole_ends_once(parted):
    whole, parts, shown = parted([(0, 5), (6, 9), (10, 17)])
    assert [p.status for p in parts] == [DONE] * 3
    assert [p.state["units"] for p in parts] == \
        [list(range(0, 6)), list(range(6, 10)), list(range(10, 18))]  # each unit once
    assert (whole.status, whole.done, whole.total, whole.error) == (DONE, 18, 18, None)
    assert whole.result == {"counted": 18, "kind": "units"}
    assert whole.finished_at >= max(p.finished_at for p in parts)
    assert (shown["status"], shown["done"], shown["total"]) == (DONE, 18, 18)


def test_a_failed_part_fails_the_whole_once_the_others_end(parted):
    refused.add(BAD_UNIT)
    whole, parts, _shown = parted([(0, 3), (4, 9), (10, 13)])
    assert [p.status for p in parts] == [DONE, FAILED, DONE]
    assert parts[2].state["units"] == [10, 11, 12, 13]  # the others ran to their end
    assert (whole.status, whole.error) == (FAILED, "ValueError: unit 7 is malformed")
    assert whole.done == 4 + 3 + 4


def test_one_part_is_a_plain_job(container_factory, service_config):
    config = service_config("registry")
    engine = make_engine(config["DATABASE_URL"])
    with sessionmaker(engine)() as session:
        job = start_job(session, KIND, {"note": "probe"}, SYSTEM,
                        parts=[{"first": 0, "last": 3}])
        assert job.params == {"note": "probe", "first": 0, "last": 3}
        assert PARTS not in job.state
        assert session.scalar(select(Job.id).where(Job.id != job.id)) is None
        assert uuid.UUID(job.id)
    engine.dispose()
