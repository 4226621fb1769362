"""Many rows in one statement (``fazhi_common.bulk``): what goes in comes back, on the
test database (SQLite or PostgreSQL), with a conflict updating the row it meets."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    cast,
    select,
)
from sqlalchemy.orm import Session

from fazhi_common.bulk import insert_rows, upsert
from fazhi_common.clock import UtcDateTime
from fazhi_common.db import make_engine

NOW = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=timezone.utc)
metadata = MetaData()
mark = Table("bulk_mark", metadata,
             Column("code", String(12), primary_key=True),
             Column("period", String(4), primary_key=True),
             Column("score", Float), Column("passed", Boolean), Column("due", Date),
             Column("breakdown", JSON), Column("at", UtcDateTime),
             Column("tries", Integer, default=0), Column("note", String(50)))


@pytest.fixture
def session(database_url):
    engine = make_engine(database_url("registry"))
    metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    metadata.drop_all(engine)
    engine.dispose()


def _stored(session):
    return {(r.code, r.period): r._asdict()
            for r in session.execute(select(mark).order_by(mark.c.code))}


def _row(n, **changed):
    return {"code": f"3301100010{n:02d}", "period": "2026", "score": n / 3,
            "passed": n % 2 == 0, "due": date(2026, 1, 1) + timedelta(days=n),
            "breakdown": {"marks": [[n / 7, None, f"自评 #{n}\t\"by\" town\\x", None]],
                          "vetoes": []},
            "at": NOW + timedelta(seconds=n), "note": None if n % 3 else "复核", **changed}


def test_upsert_stores_every_value_as_given_and_updates_on_conflict(session):
    rows = [_row(n) for n in range(7)]
    upsert(session, mark, rows, ("code", "period"), chunk=3)
    session.commit()
    stored = _stored(session)
    assert stored == {(r["code"], r["period"]): {**r, "tries": 0} for r in rows}
    # Chinese kept as UTF-8 text, not as \\u escapes of twice the bytes
    text_stored = session.scalar(select(cast(mark.c.breakdown, Text)).limit(1))
    assert "自评 #" in text_stored and "\\u" not in text_stored

    again = [_row(n, score=-1.5, passed=True, breakdown={"marks": []}) for n in (1, 5)]
    upsert(session, mark, again + [_row(9)], ("code", "period"))
    session.commit()
    stored = _stored(session)
    assert len(stored) == 8
    assert stored[(again[0]["code"], "2026")] == {**again[0], "tries": 0}
    assert stored[(rows[2]["code"], "2026")] == {**rows[2], "tries": 0}  # untouched


def test_insert_rows_takes_defaults_and_a_rolled_back_batch_leaves_nothing(session):
    insert_rows(session, mark, [_row(n) for n in range(3)])
    session.rollback()
    assert _stored(session) == {}
    insert_rows(session, mark, [_row(n) for n in range(3)], chunk=2)
    insert_rows(session, mark, [{**_row(4), "tries": 2}])
    session.commit()
    assert [r["tries"] for r in _stored(session).values()] == [0, 0, 0, 2]


def test_a_naive_timestamp_is_refused(session):
    with pytest.raises(Exception, match="aware"):
        upsert(session, mark, [_row(1, at=NOW.replace(tzinfo=None))], ("code", "period"))
