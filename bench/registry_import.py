#!/usr/bin/env python3
"""Time the bulk import of a unit list: ``fazhi-registry import`` on a 5,000-row GBK file.

Builds a realistic list (2 counties, 50 towns, villages and communities for the rest, Chinese
names, GBK-encoded CSV and the same as .xlsx), migrates a fresh registry database, and times
the whole command (read, check every row, write, one outbox event per unit, audit) once per
format. Each import runs against its own fresh database.

    .venv/bin/python bench/registry_import.py [--rows 5000] [--database-url postgresql://...]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from fazhi_common.division import Division

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def unit_list(rows):
    """Header plus ``rows`` units: counties, then towns, then villages/communities."""
    counties = [Division("330110000000"), Division("330111000000")]
    towns = [c.child(t) for c in counties for t in range(1, 26)]
    lines = [("统计用区划代码", "名称")]
    lines += [(c, f"{i}号区") for i, c in enumerate(counties, 1)]
    lines += [(t, f"{i}街道" if i % 2 else f"{i}镇") for i, t in enumerate(towns, 1)]
    n = 0
    while len(lines) - 1 < rows:
        town = towns[n % len(towns)]
        number = n // len(towns) + 1
        name = f"第{number}村" if n % 3 else f"第{number}社区"
        lines.append((town.child(number), name))
        n += 1
    return lines


def write_files(lines, folder):
    csv_path = folder / "units.csv"
    csv_path.write_bytes("\n".join(",".join(row) for row in lines).encode("gbk"))
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("units")
    for row in lines:
        sheet.append(list(row))
    xlsx_path = folder / "units.xlsx"
    book.save(xlsx_path)
    return [csv_path, xlsx_path]


def fresh_database(base_url, folder, label):
    if base_url is None:
        return f"sqlite:///{folder / f'registry-{label}.db'}", None
    name = f"fazhi_bench_import_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url.replace("postgresql://", "postgresql+psycopg2://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name, name


def drop_database(base_url, name):
    admin = create_engine(base_url.replace("postgresql://", "postgresql+psycopg2://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def copy_anchor(base_url, csv_path):
    """PostgreSQL ``COPY`` of the same rows into a bare table: the floor for any import."""
    import psycopg2
    import psycopg2.extensions

    psycopg2.extensions.set_wait_callback(None)  # psycogreen's, if installed, refuses COPY
    url, name = fresh_database(base_url, csv_path.parent, "copy")
    try:
        with psycopg2.connect(url) as conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE unit (code char(12) PRIMARY KEY, name text,"
                        " urban_rural_code text)")
            started = time.perf_counter()
            with open(csv_path, encoding="gbk") as data:
                cur.copy_expert("COPY unit FROM STDIN WITH (FORMAT csv, HEADER true)",
                                _no_blank_lines(data))
            conn.commit()
            return time.perf_counter() - started
    finally:
        drop_database(base_url, name)


class _no_blank_lines:
    """A file object without the blank lines COPY refuses (the importer skips them)."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        return "".join(line for line in self.data.readlines(size if size > 0 else -1)
                       if line.strip(" \r\n,"))

    def readline(self, size=-1):
        return self.read(size)


def timed_import(config, path):
    """Seconds and peak resident memory (MB) of one ``fazhi-registry import`` run."""
    started = time.perf_counter()
    child = subprocess.Popen([VENV_BIN / "fazhi-registry", "--config", config, "import", path],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"import failed: {child.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--province", action="store_true",
                        help="a province-size list (27,023 units, GBK, quirks) instead")
    parser.add_argument("--national", action="store_true",
                        help="a national-size list (about 650,000 units)")
    parser.add_argument("--xlsx", action="store_true", help="also time the Excel form")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--label", default="import", help="prefix of the figures printed")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT / "common"), str(ROOT)]
    from bench.province import national_units, province_units, with_quirks, write_csv
    from fazhi_common.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.province or args.national:
            units = national_units() if args.national else province_units()
            csv_path = write_csv(folder / "units.csv", with_quirks(units))
            with open(csv_path, encoding="gbk") as written:
                rows = sum(1 for line in written if line.strip(" \r\n,")) - 1
            files = [csv_path]
        else:
            lines = unit_list(args.rows)
            files = write_files(lines, folder)
            rows = args.rows
            if not args.xlsx:
                files = files[:1]
        where = "PostgreSQL" if args.database_url else "SQLite"
        for path in files:
            url, created = fresh_database(args.database_url, folder, path.suffix[1:])
            try:
                upgrade(ROOT / "services" / "registry", url)
                config = folder / "registry.yml"
                config.write_text(yaml.safe_dump({"DATABASE_URL": url}))
                seconds, peak_mb = timed_import(config, path)
                engine = create_engine(url.replace("postgresql://",
                                                   "postgresql+psycopg2://", 1))
                with Session(engine) as session:
                    events = session.scalar(select(func.count()).select_from(
                        text("outbox_event")))
                engine.dispose()
                label = f"{args.label}.{path.suffix[1:]}_{where.lower()}"
                print(f"{label}_seconds={seconds:.2f}  ({rows} rows, {rows / seconds:,.0f} "
                      f"rows/s, {events} events in the outbox)")
                print(f"{label}_peak_mb={peak_mb:.0f}  (goal < 500 MB streamed)")
            finally:
                if created:
                    drop_database(args.database_url, created)
        if args.database_url and (args.province or args.national):
            copy_seconds = copy_anchor(args.database_url, files[0])
            print(f"{args.label}.copy_seconds={copy_seconds:.2f}  (PostgreSQL COPY of the "
                  f"same rows)")
            print(f"{args.label}.ratio_to_copy={seconds / copy_seconds:.1f}  (import / COPY)")


if __name__ == "__main__":
    main()
