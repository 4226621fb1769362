#!/usr/bin/env python3
"""How long mediation's statistics take on 1,000,000 cases in PostgreSQL.

Creates a scratch database, migrates it with the service's own migrations, fills it with
``--cases`` cases in one ``INSERT ... SELECT FROM generate_series`` (20 counties × 6
kinds, two years of receipts, durations of 1-60 days, a realistic mix of open, declined,
agreed, failed and overdue cases; organisation, day and duration drawn independently, so
the monthly sums are as many as real data makes), runs ``VACUUM ANALYZE``, then times
``statistics.statistics`` — what the RPC runs: the yearly and monthly sums the triggers keep, plus
the cases of ragged period ends — against the anchor, the same statistics counted from
the cases directly (the query before the sums), for several periods. Both must give the
same answer. The cases go in before the migration that adds the sums, which then fills
them from the cases, as an upgrade of a running deployment does; a further ``--through``
cases then go in through the triggers, whose time is their cost per case.
The scratch database is dropped afterwards unless ``--keep``.

    .venv/bin/python bench/mediation_stats.py [--url postgresql://postgres@127.0.0.1:5432/postgres]
                                              [--cases 1000000] [--repeat 5] [--keep]
"""
import argparse
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "common"), str(ROOT / "services" / "mediation")]

from fazhi_common.contracts.roles import SYSTEM  # noqa: E402
from fazhi_common.migrate import _alembic_config, upgrade  # noqa: E402
from mediation import statistics as stats  # noqa: E402

SUMS_REVISION = "0006"  # the migration that adds the sums and their triggers
KINDS = ("people", "medical", "litigation", "police", "traffic", "procuratorate")
COUNTIES = 20

ORGANISATIONS = """
INSERT INTO mediation_organisation (name, kind, county_code, department,
                                    supervising_department, created_at)
SELECT k.kind || ' ' || c.n, k.kind, (330100 + c.n) || '000000', 'justice-' || (330100 + c.n),
       'justice-' || (330100 + c.n), now()
FROM generate_series(1, :counties) AS c(n),
     unnest(CAST(:kinds AS text[])) AS k(kind)
"""

# One row per case; random() picks the outcome, the dates follow from it.
CASES = """
INSERT INTO mediation_case (
    organisation_id, mediation_kind, channel, referrer_kind, referrer_department,
    referrer_reference, dispute_category, amount_claimed, description, county_code,
    town_code, community_code, status, result, received_on, accepted_on, mediation_due_on,
    extended, concluded_on, duration_days, closed_on, overdue, created_at)
SELECT o.id, o.kind, 'referral', 'court', 'court-' || substr(o.county_code, 1, 6),
       'R' || g.i, 'damages', (g.i % 50000)::numeric, 'bench case', o.county_code,
       substr(o.county_code, 1, 6) || '001000', substr(o.county_code, 1, 6) || '001001',
       CASE WHEN r.x < 0.08 THEN 'declined' WHEN r.x < 0.15 THEN 'mediating'
            WHEN r.x < 0.75 THEN 'closed' ELSE 'returned' END,
       CASE WHEN r.x < 0.08 THEN 'declined' WHEN r.x < 0.15 THEN NULL
            WHEN r.x < 0.75 THEN 'agreement' ELSE 'failure' END,
       d.received_on,
       CASE WHEN r.x >= 0.08 THEN d.received_on + 1 END,
       CASE WHEN r.x >= 0.08 THEN d.received_on + 31 END,
       false,
       CASE WHEN r.x >= 0.15 THEN d.received_on + d.days END,
       CASE WHEN r.x >= 0.15 THEN d.days END,
       CASE WHEN r.x < 0.08 THEN d.received_on WHEN r.x >= 0.15 THEN d.received_on + d.days END,
       r.x BETWEEN 0.08 AND 0.12,
       now()
FROM generate_series(1, :cases) AS g(i)
CROSS JOIN LATERAL (SELECT random() + 0 * g.i AS x) AS r  -- per row, not once
CROSS JOIN LATERAL (SELECT DATE '2024-01-01' + floor(random() * 730 + 0 * g.i)::int
                               AS received_on,
                           1 + floor(random() * 60 + 0 * g.i)::int AS days,
                           1 + floor(random() * :organisations + 0 * g.i)::int AS o) AS d
JOIN mediation_organisation o ON o.id = d.o
"""


def timed(session, query, repeat, source=stats._parts):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = stats.statistics(session, query, SYSTEM, source=source)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server URL (any database; a scratch one is made)")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--through", type=int, default=20_000,
                        help="how many of the cases go in through the triggers, timed")
    parser.add_argument("--repeat", type=int, default=5, help="the median of this many")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    admin_url = args.url.replace("postgresql://", "postgresql+psycopg2://", 1)
    name = f"fazhi_bench_mediation_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.url.rsplit("/", 1)[0] + "/" + name
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        service = ROOT / "services" / "mediation"
        script = ScriptDirectory.from_config(_alembic_config(service, url))
        upgrade(service, url, script.get_revision(SUMS_REVISION).down_revision)
        params = {"organisations": COUNTIES * len(KINDS)}
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(ORGANISATIONS), {"counties": COUNTIES, "kinds": list(KINDS)})
            conn.execute(text(CASES), {**params, "cases": args.cases - args.through})
        print(f"inserted {args.cases - args.through:,} cases in "
              f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        upgrade(service, url)
        print(f"migrated, filling the monthly sums, in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(CASES), {**params, "cases": args.through})
        seconds = time.perf_counter() - started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE mediation_case"))
            conn.execute(text("VACUUM ANALYZE mediation_case_sums"))
            monthly = conn.scalar(text("SELECT count(*) FROM mediation_case_sums"))
        print(f"mediation_stats.trigger_us_per_case={seconds / args.through * 1e6:.0f}  "
              f"({args.through:,} cases inserted through the triggers in {seconds:.1f} s; "
              f"{monthly:,} yearly and monthly sums for {args.cases:,} cases)")

        queries = {
            "two_years": {"date_from": date(2024, 1, 1), "date_to": date(2025, 12, 31)},
            "one_year": {"date_from": date(2024, 1, 1), "date_to": date(2024, 12, 31)},
            "ragged_year": {"date_from": date(2024, 3, 17), "date_to": date(2025, 3, 16)},
            "one_quarter": {"date_from": date(2025, 4, 1), "date_to": date(2025, 6, 30)},
            "one_county_year": {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31),
                                "county_code": "330105000000"},
            "one_kind_year": {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31),
                              "mediation_kind": "medical"},
        }
        with Session(engine) as session:
            for label, query in queries.items():
                ours, result = timed(session, query, args.repeat)
                direct, expected = timed(session, query, args.repeat,
                                         source=stats.counted_from_cases)
                if result != expected:
                    raise SystemExit(f"{label}: the sums disagree with the cases")
                total = result["total"]
                goal = "  goal < 100 ms" if label == "two_years" else ""
                print(f"mediation_stats.{label}_ms={ours * 1e3:.1f}  anchor (counted from the "
                      f"cases) {direct * 1e3:.1f} ms, ratio {ours / direct:.2f};{goal} "
                      f"({total['volume']:,} cases, median {total['median_duration_days']} d,"
                      f" same answer)")
    finally:
        engine.dispose()
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
