#!/usr/bin/env python3
"""Time the bulk import of a unit list: ``fazhi-registry import`` on a 5,000-row GBK file.

Builds a realistic list (2 counties, 50 towns, villages and communities for the rest, Chinese
names, GBK-encoded CSV and the same as .xlsx), migrates a fresh registry database, and times
the whole command (read, check every row, write, one outbox event per unit, audit) once per
format. Each import runs against its own fresh database.

    .venv/bin/python bench/registry_import.py [--rows 5000] [--database-url postgresql://...]
"""
import argparse
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "common"))
    from fazhi_common.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_files(unit_list(args.rows), folder)
        print(f"{args.rows} rows; database: {'PostgreSQL' if args.database_url else 'SQLite'}")
        for path in files:
            url, created = fresh_database(args.database_url, folder, path.suffix[1:])
            try:
                upgrade(ROOT / "services" / "registry", url)
                config = folder / "registry.yml"
                config.write_text(yaml.safe_dump({"DATABASE_URL": url}))
                started = time.perf_counter()
                subprocess.run([VENV_BIN / "fazhi-registry", "--config", config, "import",
                                path], check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                seconds = time.perf_counter() - started
                engine = create_engine(url.replace("postgresql://",
                                                   "postgresql+psycopg2://", 1))
                with Session(engine) as session:
                    events = session.scalar(select(func.count()).select_from(
                        text("outbox_event")))
                engine.dispose()
                print(f"  {path.suffix[1:]:>4}: {seconds:6.2f} s for the whole command "
                      f"({args.rows / seconds:,.0f} rows/s), {events} events in the outbox")
            finally:
                if created:
                    drop_database(args.database_url, created)


if __name__ == "__main__":
    main()
