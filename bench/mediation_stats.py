#!/usr/bin/env python3
"""How long mediation's statistics query takes on 1,000,000 cases in PostgreSQL.

Creates a scratch database, migrates it with the service's own migrations, fills it with
``--cases`` cases in one ``INSERT ... SELECT FROM generate_series`` (about 20 counties ×
6 kinds, two years of receipts, a realistic mix of open, declined, agreed, failed and
overdue cases), runs ``VACUUM ANALYZE``, then times ``operations.statistics`` — the very
query the RPC runs — for a whole year, for one county and for one kind. The scratch
database is dropped afterwards unless ``--keep``.

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

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "common"), str(ROOT / "services" / "mediation")]

from fazhi_common.identity import SYSTEM  # noqa: E402
from fazhi_common.migrate import upgrade  # noqa: E402
from mediation import operations as ops  # noqa: E402

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
CROSS JOIN LATERAL (SELECT DATE '2024-01-01' + (g.i % 730) AS received_on,
                           1 + (g.i % 45) AS days) AS d
JOIN mediation_organisation o ON o.id = 1 + (g.i % :organisations)
"""


def timed(session, query, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = ops.statistics(session, query, SYSTEM)
        samples.append(time.perf_counter() - started)
    return min(samples), statistics.median(samples), result


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server URL (any database; a scratch one is made)")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
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
        upgrade(ROOT / "services" / "mediation", url)
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(ORGANISATIONS), {"counties": COUNTIES, "kinds": list(KINDS)})
            conn.execute(text(CASES), {"cases": args.cases,
                                       "organisations": COUNTIES * len(KINDS)})
        print(f"inserted {args.cases:,} cases in {time.perf_counter() - started:.1f} s")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE mediation_case"))

        queries = {
            "whole year, all kinds and counties": {
                "date_from": date(2024, 1, 1), "date_to": date(2024, 12, 31)},
            "two years, all": {"date_from": date(2024, 1, 1), "date_to": date(2025, 12, 31)},
            "one quarter": {"date_from": date(2025, 4, 1), "date_to": date(2025, 6, 30)},
            "one county, one year": {"date_from": date(2025, 1, 1),
                                     "date_to": date(2025, 12, 31),
                                     "county_code": "330105000000"},
            "one kind, one year": {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31),
                                   "mediation_kind": "medical"},
        }
        with Session(engine) as session:
            for label, query in queries.items():
                best, middle, result = timed(session, query, args.repeat)
                total = result["total"]
                print(f"{label:38} best {best * 1e3:7.1f} ms  median {middle * 1e3:7.1f} ms  "
                      f"({len(result['rows'])} rows; {total['volume']:,} cases, success "
                      f"{total['success_rate']}, median {total['median_duration_days']} d, "
                      f"overdue {total['overdue']:,})")
    finally:
        engine.dispose()
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
