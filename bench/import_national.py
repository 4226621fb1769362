#!/usr/bin/env python3
"""Import of a national-size unit list, streamed: time and peak memory, against COPY.

Writes the national list of bench/national.py (about 665,000 rows of GBK CSV with
Chinese headers and kind labels, repeated rows, children before parents, cities without
counties), then times the whole ``fazhi-registry import`` command — read, check every
row, write, one outbox event per unit, audit, all in one transaction — on a fresh
SQLite file and on a fresh PostgreSQL database, with the command's peak resident memory
(its ``ru_maxrss``). The anchor, measured in the same run: PostgreSQL ``COPY`` of the same
rows into a bare table, the floor for any import. ``--scale`` takes a fraction of the
country (0.042: a province-size list of about 28,000 rows). ``--dry-run`` times only
``fazhi-registry import --dry-run`` on a fresh SQLite file: every row checked, none
written; it fails if one row is refused.

    .venv/bin/python bench/import_national.py [--scale 1.0] [--label import.national]
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres] [--no-sqlite]
        [--no-cities-without-counties] [--dry-run]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
sys.path[:0] = [str(ROOT / "common"), str(ROOT)]

from bench.national import national_units, with_quirks, write_csv  # noqa: E402
from bench.registry_import import drop_database, fresh_database  # noqa: E402
from fazhi_common.migrate import upgrade  # noqa: E402

MEMORY_GOAL_MB = 500


def timed_import(config, path, *options):
    """Seconds and peak resident memory (MB) of one ``fazhi-registry import`` run."""
    # the output goes to files, not pipes: the warnings of a national list's repeats would
    # fill a pipe nobody reads while the command runs
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([VENV_BIN / "fazhi-registry", "--config", config, "import",
                                  *options, path], stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        said, told = out.read().decode(), err.read().decode()
    if status != 0:
        raise SystemExit(f"import failed: {said[-1000:]} {told[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, said.strip()


def counts(url):
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with Session(engine) as session:
        found = [session.scalar(select(func.count()).select_from(text(table)))
                 for table in ("county", "town", "community", "outbox_event")]
    engine.dispose()
    return found


def copy_anchor(base_url, csv_path, folder):
    """PostgreSQL ``COPY`` of the same rows into a bare table: seconds."""
    import psycopg2
    import psycopg2.extensions

    psycopg2.extensions.set_wait_callback(None)  # psycogreen's, if installed, refuses COPY
    url, name = fresh_database(base_url, folder, "copy")
    try:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE unit (code char(12), name text, kind text,"
                        " urban_rural_code text)")
            started = time.perf_counter()
            with open(csv_path, encoding="gbk", newline="") as data:
                cur.copy_expert("COPY unit FROM STDIN WITH (FORMAT csv, HEADER true)",
                                _NoBlankLines(data))
            conn.commit()
            return time.perf_counter() - started
    finally:
        drop_database(base_url, name)


class _NoBlankLines:
    """The file without the blank lines COPY refuses (the import skips them too)."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        return "".join(line for line in self.data.readlines(size if size > 0 else -1)
                       if line.strip(" \r\n,"))

    readline = read


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--label", default="import.national")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server URL (a scratch database is made)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--no-cities-without-counties", action="store_true",
                        help="leave out Dongguan, Zhongshan, Danzhou and Jiayuguan")
    parser.add_argument("--dry-run", action="store_true",
                        help="only `import --dry-run` on SQLite: rows checked, none refused")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = folder / "units.csv"
        rows = write_csv(csv_path, with_quirks(national_units(
            args.scale, cities_without_counties=not args.no_cities_without_counties)))
        print(f"# {rows:,} rows, {csv_path.stat().st_size / 1e6:.1f} MB of GBK CSV")
        if args.dry_run:
            url, _ = fresh_database(None, folder, "sqlite")
            upgrade(ROOT / "services" / "registry", url)
            config = folder / "registry-sqlite.yml"
            config.write_text(yaml.safe_dump({"DATABASE_URL": url}))
            # a refused row ends the command with status 1: timed_import stops there
            dry, peak_mb, said = timed_import(config, csv_path, "--dry-run")
            print(f"{args.label}.dry_run_seconds={dry:.1f}  ({rows / dry:,.0f} rows/s; {said})")
            print(f"{args.label}.dry_run_peak_mb={peak_mb:.0f}  (goal < {MEMORY_GOAL_MB} MB: "
                  f"{'held' if peak_mb < MEMORY_GOAL_MB else 'MISSED'})")
            return
        seconds = {}
        for where in ([] if args.no_sqlite else ["sqlite"]) + ["postgresql"]:
            url, created = fresh_database(None if where == "sqlite" else args.database_url,
                                          folder, where)
            try:
                upgrade(ROOT / "services" / "registry", url)
                config = folder / f"registry-{where}.yml"
                config.write_text(yaml.safe_dump({"DATABASE_URL": url}))
                seconds[where], peak_mb, said = timed_import(config, csv_path)
                counties, towns, communities, events = counts(url)
                label = f"{args.label}.{where}"
                print(f"{label}_seconds={seconds[where]:.1f}  ({rows / seconds[where]:,.0f} "
                      f"rows/s; {counties:,} counties, {towns:,} towns, {communities:,} "
                      f"communities, {events:,} events in the outbox; {said})")
                print(f"{label}_peak_mb={peak_mb:.0f}  (goal < {MEMORY_GOAL_MB} MB: "
                      f"{'held' if peak_mb < MEMORY_GOAL_MB else 'MISSED'})")
            finally:
                if created:
                    drop_database(args.database_url, created)
        copy = copy_anchor(args.database_url, csv_path, folder)
        print(f"{args.label}.copy_seconds={copy:.2f}  (anchor: PostgreSQL COPY of the same "
              f"rows into a bare table)")
        print(f"{args.label}.ratio_to_copy={seconds['postgresql'] / copy:.1f}  (import on "
              f"PostgreSQL / COPY)")


if __name__ == "__main__":
    main()
