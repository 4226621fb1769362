"""``fazhi-registry``: the civil-affairs operator's command line for unit lists.

    fazhi-registry import 县乡村名单.xlsx [--dry-run] [--errors report.csv]
    fazhi-registry export units.csv [--county 330110000000]
    fazhi-registry announce-units [--chunk 500]

It works on the registry's own database (the same config as the service), the way an
operator runs migrations; a relative SQLite path is the checkout's, as for the service
scripts/run starts, whatever directory the command runs in. The import is checked row by
row with progress shown, and it is all or nothing. Events for the new units go into the
outbox in the same transaction; the running registry service's relay announces them to the
other services.

``announce-units`` replays every unit's current state to the services keeping a read model
of units (after an upgrade, for units registered before it): see ``registry.announce``.
"""
import argparse
import getpass
import os
import sys
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from fazhi_common.audit import append_audit
from fazhi_common.config import load_config
from fazhi_common.contracts.errors import ValidationFailed
from fazhi_common.contracts.roles import PLATFORM_ADMIN, Identity
from fazhi_common.db import make_engine, writer
from registry import announce, exporting, importing, office_files

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yml"
CHECKOUT = DEFAULT_CONFIG.parent.parent.parent  # scripts/run starts the services from here
PREPARE = ("Prepare the checkout first: scripts/run creates and migrates the databases under "
           "var/ (stop it with Ctrl-C once it has started), or migrate this one with "
           ".venv/bin/alembic -c services/registry/alembic.ini upgrade head; or name another "
           "database with --config or REGISTRY_DATABASE_URL.")


class NoDatabase(Exception):
    """The registry's database cannot be used: what is wrong and what to do."""


class Progress:
    """On a terminal, one line on stderr that redraws itself: ``check [#####-----]
    2500/5000``; elsewhere (a log, a pipe) one line per step, as a log reads."""

    WIDTH = 30

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.redraw = self.stream.isatty()
        self.stage = None

    def __call__(self, stage, done, total):
        """``total`` None: not known yet (the check reads the file as it goes)."""
        if stage != self.stage and self.stage is not None and self.redraw:
            self.stream.write("\n")
        self.stage = stage
        if total is None:
            line = f"{stage:>5} {done} rows"
        else:
            filled = self.WIDTH * done // max(total, 1)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            line = f"{stage:>5} [{bar}] {done}/{total}"
        self.stream.write(f"\r{line}" if self.redraw else f"{line}\n")
        self.stream.flush()

    def finish(self):
        if self.stage is not None and self.redraw:
            self.stream.write("\n")
        self.stage = None


def _operator():
    """Who runs the command, for the audit trail: the operating-system account."""
    return Identity(subject=f"cli:{getpass.getuser()}", role=PLATFORM_ADMIN,
                    department=os.environ.get("FAZHI_DEPARTMENT", "registry-operator"))


def _database_url(config_path):
    url = make_url(load_config(config_path)["DATABASE_URL"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.is_absolute():
            path = CHECKOUT / path
        if not path.exists():
            raise NoDatabase(f"There is no registry database at {path}. {PREPARE}")
        url = url.set(database=str(path))
    return url


def _sessions(config_path):
    url = _database_url(config_path)
    engine = make_engine(url.render_as_string(hide_password=False))
    where = url.render_as_string(hide_password=True)
    try:
        migrated = inspect(engine).has_table("community")
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise NoDatabase(f"The registry database {where} cannot be opened ({reason}). "
                         f"{PREPARE}") from None
    if not migrated:
        raise NoDatabase(f"The registry database {where} holds no registry tables. {PREPARE}")
    return sessionmaker(writer(engine), expire_on_commit=False)


def import_command(args):
    path = Path(args.file)
    progress = Progress()
    sessions = _sessions(args.config)
    try:
        # read twice from the file, never held whole: a national list in bounded memory
        rows = office_files.FileRows(path.name, path=path)
        with sessions() as session:
            result = importing.import_rows(session, rows, dry_run=args.dry_run,
                                           progress=progress)
            progress.finish()
            if not result["errors"] and not args.dry_run:
                append_audit(session, _operator(), "registry.import_file", path.name,
                             {k: result[k] for k in ("created", "updated", "unchanged")})
                session.commit()
    except ValidationFailed as exc:
        progress.finish()
        print(f"error: {exc.message} {exc.fields}", file=sys.stderr)
        return 2
    for warning in result["warnings"]:
        for field, problems in sorted(warning["fields"].items()):
            print(f"warning: line {warning['line']} ({warning['code']}) {field}: "
                  f"{'; '.join(problems)}", file=sys.stderr)
    if result["errors"]:
        report = Path(args.errors or f"{path.stem}.errors.csv")
        with report.open("w", newline="", encoding="utf-8-sig") as stream:
            exporting.write_error_report(result["errors"], stream)
        print(f"{result['failed']} of {result['rows']} rows are invalid; nothing was "
              f"imported. Row report: {report}")
        return 1
    if args.dry_run:
        print(f"{result['rows']} rows are valid (dry run: nothing written).")
        return 0
    print(f"imported {path.name}: {result['created']} created, {result['updated']} updated, "
          f"{result['unchanged']} unchanged")
    return 0


def export_command(args):
    path = Path(args.file)
    with _sessions(args.config)() as session:
        rows = exporting.export_rows(session, args.county)
    if path.suffix.lower() == ".xlsx":
        exporting.write_xlsx(rows, path)
    else:
        with path.open("w", newline="", encoding="utf-8-sig") as stream:
            exporting.write_csv(rows, stream)
    print(f"exported {len(rows)} units to {path}")
    return 0


def announce_command(args):
    progress = Progress()
    sessions = _sessions(args.config)
    result = announce.announce_units(sessions, chunk=args.chunk, progress=progress)
    progress.finish()
    with sessions() as session:
        append_audit(session, _operator(), "registry.announce_units", "units", result)
        session.commit()
    print(f"announced {result['units']} units in {result['events']} unit_snapshot events "
          "(the registry service's relay publishes them)")
    return 0


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(prog="fazhi-registry", description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=os.environ.get("REGISTRY_CONFIG", DEFAULT_CONFIG),
                        help="the registry service's config file")
    commands = parser.add_subparsers(dest="command", required=True)
    imp = commands.add_parser("import", help="import counties, towns and communities")
    imp.add_argument("file", help=".csv (UTF-8 or GBK) or .xlsx")
    imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imp.add_argument("--errors", help="where to write the row report (default FILE.errors.csv)")
    imp.set_defaults(run=import_command)
    exp = commands.add_parser("export", help="export units to .csv or .xlsx")
    exp.add_argument("file")
    exp.add_argument("--county", help="only this county's units (12-digit code)")
    exp.set_defaults(run=export_command)
    ann = commands.add_parser("announce-units",
                              help="replay every unit to the read models of units")
    ann.add_argument("--chunk", type=_positive, default=announce.CHUNK,
                     help="units per event and per transaction")
    ann.set_defaults(run=announce_command)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except NoDatabase as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
