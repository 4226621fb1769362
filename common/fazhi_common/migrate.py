"""Alembic glue shared by every service: each service keeps its own migrations folder.

A service's ``migrations/env.py`` calls ``run_env(metadata)``; ``upgrade(service_dir, url)``
runs that service's migrations programmatically (the run script, tests, deploy jobs).
The database URL comes from ``-x url=...``, else ``DATABASE_URL``, else the service's
``config.yml``.

From a shell (deploy jobs, entrypoints, scripts/department):
    python -m fazhi_common.migrate upgrade services/registry   # URL from its config.yml
    python -m fazhi_common.migrate current gateway
On PostgreSQL the upgrade holds an advisory lock, so replicas starting at once queue.
"""
import argparse
import os
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config as AlembicConfig
from sqlalchemy import MetaData, pool, text

from fazhi_common import audit, jobs, outbox  # noqa: F401  (their tables join CommonBase)
from fazhi_common.config import load_config
from fazhi_common.db import make_engine
from fazhi_common.tables import CommonBase


def _url(alembic_config):
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or alembic_config.attributes.get("url") or os.environ.get("DATABASE_URL")
    if not url:
        service_dir = Path(alembic_config.config_file_name).parent
        url = load_config(service_dir / "config.yml")["DATABASE_URL"]
    return url


def run_env(metadata, common_tables=None):
    """Body of a service's env.py: its own tables plus the common ones (or those named)."""
    alembic_config = context.config
    url = _url(alembic_config)
    common = CommonBase.metadata
    if common_tables is not None:
        common = MetaData()
        for name in common_tables:
            CommonBase.metadata.tables[name].to_metadata(common)
    targets = [metadata, common]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=targets, literal_binds=True,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=targets,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def _alembic_config(service_dir, url):
    service_dir = Path(service_dir)
    alembic_config = AlembicConfig(str(service_dir / "alembic.ini"))
    alembic_config.set_main_option("script_location", str(service_dir / "migrations"))
    alembic_config.attributes["url"] = url
    return alembic_config


def upgrade(service_dir, url, revision="head"):
    command.upgrade(_alembic_config(service_dir, url), revision)


def downgrade(service_dir, url, revision):
    """Undo migrations down to ``revision`` ("base": all of them)."""
    command.downgrade(_alembic_config(service_dir, url), revision)


# Advisory-lock key (any constant): replicas that start together migrate one at a time.
_LOCK_KEY = 0x66617A68  # "fazh"


def _database_url(service_dir, config=None):
    """The service's own URL: its config.yml with ${VAR} and FAZHI_DATABASE_URL applied.

    A bare ``DATABASE_URL`` in the environment is deliberately not consulted here: one
    shared env file must not migrate every service into the same database.
    """
    return load_config(Path(config or Path(service_dir) / "config.yml"))["DATABASE_URL"]


def upgrade_locked(service_dir, url, revision="head"):
    """``upgrade``, holding a PostgreSQL advisory lock so concurrent starters queue."""
    if not url.startswith("postgresql"):
        return upgrade(service_dir, url, revision)
    engine = make_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
            try:
                upgrade(service_dir, url, revision)
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
    finally:
        engine.dispose()


def main(argv=None):
    """``python -m fazhi_common.migrate upgrade services/registry`` (deploy, run scripts)."""
    parser = argparse.ArgumentParser(prog="python -m fazhi_common.migrate",
                                     description="Run a fazhi part's Alembic migrations.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text_ in (("upgrade", "migrate to a revision (default head)"),
                        ("current", "print the database's revision")):
        cmd = sub.add_parser(name, help=text_)
        cmd.add_argument("service_dir", help="folder holding alembic.ini, migrations/, "
                                             "config.yml (services/<name> or gateway)")
        cmd.add_argument("--config", help="config file (default SERVICE_DIR/config.yml)")
        cmd.add_argument("--url", help="database URL (default: DATABASE_URL of the config)")
        if name == "upgrade":
            cmd.add_argument("--revision", default="head")
    args = parser.parse_args(argv)
    service_dir = Path(args.service_dir)
    if not (service_dir / "alembic.ini").is_file():
        parser.error(f"{service_dir}/alembic.ini not found")
    url = args.url or _database_url(service_dir, args.config)
    if args.command == "upgrade":
        upgrade_locked(service_dir, url, args.revision)
        print(f"{service_dir.resolve().name}: database at {args.revision}")
    else:
        command.current(_alembic_config(service_dir, url))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# -- the tables every service shares (fazhi_common.outbox and fazhi_common.audit) ------------
# Called from a service's migrations. They create the tables as first defined; a later
# change to a shared table needs a revision of its own in every service that has it.

def create_outbox_tables():
    """``outbox_event`` (events waiting for the relay) and ``processed_event`` (handled)."""
    op.create_table(
        "outbox_event",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_event_sent_at", "outbox_event", ["sent_at"])
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("handler", sa.String(length=100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "handler"),
    )


def drop_outbox_tables():
    op.drop_table("processed_event")
    op.drop_index("ix_outbox_event_sent_at", table_name="outbox_event")
    op.drop_table("outbox_event")


def create_audit_table():
    """``audit_entry``: the hash-chained audit trail."""
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("department", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("authority", sa.Boolean(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_audit_entry_action", "audit_entry", ["action"])
    op.create_index("ix_audit_entry_subject", "audit_entry", ["subject"])


def drop_audit_table():
    op.drop_index("ix_audit_entry_subject", table_name="audit_entry")
    op.drop_index("ix_audit_entry_action", table_name="audit_entry")
    op.drop_table("audit_entry")


def create_job_table():
    """``job``: background jobs and their progress (fazhi_common.jobs)."""
    op.create_table(
        "job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_job_status", "job", ["status"])


def drop_job_table():
    op.drop_index("ix_job_status", table_name="job")
    op.drop_table("job")

