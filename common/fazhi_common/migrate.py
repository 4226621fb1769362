"""Alembic glue shared by every service: each service keeps its own migrations folder.

A service's ``migrations/env.py`` calls ``run_env(metadata)``; ``upgrade(service_dir, url)``
runs that service's migrations programmatically (the run script, tests, deploy jobs).
The database URL comes from ``-x url=...``, else ``DATABASE_URL``, else the service's
``config.yml``.
"""
import os
from pathlib import Path

from alembic import command, context
from alembic.config import Config as AlembicConfig
from sqlalchemy import MetaData, pool

from fazhi_common import audit, outbox  # noqa: F401  (their tables join CommonBase)
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


def upgrade(service_dir, url, revision="head"):
    service_dir = Path(service_dir)
    alembic_config = AlembicConfig(str(service_dir / "alembic.ini"))
    alembic_config.set_main_option("script_location", str(service_dir / "migrations"))
    alembic_config.attributes["url"] = url
    command.upgrade(alembic_config, revision)
