"""Draws made before commitments existed become revealed draws the verifier checks; the
downgrade keeps revealed draws and drops commitments that were never revealed."""
from datetime import datetime, timezone

import sqlalchemy as sa

from fazhi_common import draws
from fazhi_common.db import make_engine
from fazhi_common.migrate import downgrade, upgrade
from tests.conftest import SERVICE_DIRS

ELIGIBLE = {"330110000000": ["330110001202", "330110001201", "330110001203"]}
AT = datetime(2025, 4, 12, 9, 30, tzinfo=timezone.utc)


def test_old_draws_become_verifiable_and_the_downgrade_keeps_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'evaluation.db'}"
    upgrade(SERVICE_DIRS["evaluation"], url, "0005")
    engine = make_engine(url)
    draw = sa.table("spot_check_draw", *(sa.column(c) for c in (
        "id", "period", "area", "seed", "per_county", "title_holders_only", "status")),
        sa.column("eligible", sa.JSON), sa.column("sample", sa.JSON),
        sa.column("drawn_by"), sa.column("drawn_at", sa.DateTime(timezone=True)))
    sample = draws.draw("county-meeting-0412", ELIGIBLE, per_county=1)
    with engine.begin() as connection:
        connection.execute(draw.insert().values(
            id=1, period="2025", area="330110", seed="county-meeting-0412", per_county=1,
            title_holders_only=False, eligible=ELIGIBLE, sample=sample, drawn_by="inspector",
            drawn_at=AT))
    upgrade(SERVICE_DIRS["evaluation"], url, "0006")
    with engine.connect() as connection:
        row = connection.execute(sa.text("SELECT * FROM spot_check_draw")).mappings().one()
    assert (row["status"], row["method"], row["committed_by"], row["revealed_by"]) == (
        "revealed", draws.METHOD, "inspector", "inspector")
    published = {"id": 1, "method": row["method"], "per_county": 1, "share": None,
                 "seed": row["seed"], "seed_hash": row["seed_hash"], "eligible": ELIGIBLE,
                 "eligible_digest": row["eligible_digest"], "sample": sample}
    assert draws.verify(published) == []
    with engine.begin() as connection:  # a commitment never revealed
        connection.execute(sa.text(
            "INSERT INTO spot_check_draw (id, period, area, status, method, seed, seed_hash, "
            "title_holders_only, eligible, eligible_digest, committed_by, committed_at, "
            "per_county) VALUES (2, '2025', '330110', 'committed', :m, 's', :h, 0, :e, :d, "
            "'inspector', :at, 1)"), {"m": draws.METHOD, "h": draws.seed_hash("s"),
                                      "e": '{"330110000000": ["330110001201"]}',
                                      "d": "x", "at": AT})
    downgrade(SERVICE_DIRS["evaluation"], url, "0005")
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, seed, drawn_by FROM spot_check_draw")
                                  ).all()
    assert [tuple(r) for r in rows] == [(1, "county-meeting-0412", "inspector")]
    engine.dispose()
