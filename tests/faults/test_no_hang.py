"""Waits that used to have no end now have one: what starved a loaded machine into a hang
fails, with a reason, within a bound taken from configuration."""
import eventlet
import pytest
from sqlalchemy import text

from fazhi_common import db
from fazhi_common.contracts.errors import Unavailable
from tests.conftest import Vhosts


def test_a_management_api_that_fails_gives_an_error_not_a_hang(monkeypatch):
    # nothing listens on port 9: every vhost request fails at once
    monkeypatch.setattr(Vhosts, "WAIT", 1)
    monkeypatch.delenv("FAZHI_TEST_SLOT", raising=False)  # vhosts of the process's own
    pipeline = Vhosts("http://guest:guest@127.0.0.1:9", "pyamqp://guest:guest@127.0.0.1:9/",
                      "guest")
    try:
        with pytest.raises(RuntimeError, match="no broker vhost") as failed:
            pipeline.get()
        assert "Connection" in str(failed.value)  # the reason travels with the error
        with pytest.raises(RuntimeError, match="no broker vhost"):
            pipeline.get(fresh=True)
        assert not pipeline.threads[0].dead  # the maker survived the failure, still trying
    finally:
        pipeline.close()


def test_a_writer_behind_a_stuck_writer_gets_503_not_a_hang(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "SQLITE_WRITE_WAIT_SECONDS", 0.5)
    engine = db.make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    writer = db.writer(engine)
    with writer.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    release = eventlet.event.Event()

    def stuck():
        with writer.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            release.wait()

    holder = eventlet.spawn(stuck)
    eventlet.sleep(0)  # the holder takes the write lock
    try:
        with pytest.raises(Unavailable, match="busy"), writer.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
    finally:
        release.send(True)
        holder.wait()
    with writer.begin() as conn:  # the lock was released by the holder's commit
        conn.execute(text("INSERT INTO t VALUES (3)"))
        assert conn.scalar(text("SELECT group_concat(x) FROM t")) == "1,3"
    engine.dispose()
