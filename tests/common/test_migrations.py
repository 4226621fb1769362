"""Each part's migrations build exactly the tables its models describe, and undo cleanly."""
import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from fazhi_common.db import make_engine
from fazhi_common.migrate import downgrade
from fazhi_common.tables import CommonBase
from tests.conftest import SERVICE_DIRS

# the shared tables each part keeps besides its own (the gateway keeps only an audit trail)
COMMON_TABLES = {"gateway": {"audit_entry"}}


def _metadata(part):
    own = importlib.import_module(f"{part}.models").Base.metadata
    wanted = COMMON_TABLES.get(part, set(CommonBase.metadata.tables))
    common = MetaData()
    for name in wanted:
        CommonBase.metadata.tables[name].to_metadata(common)
    return [own, common]


@pytest.mark.parametrize("part", sorted(SERVICE_DIRS))
def test_migrations_match_the_models(part, database_url):
    engine = make_engine(database_url(part))
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), _metadata(part))
    engine.dispose()
    assert differences == []


@pytest.mark.parametrize("part", sorted(SERVICE_DIRS))
def test_migrations_downgrade_to_nothing(part, tmp_path):
    url = f"sqlite:///{tmp_path / f'{part}.db'}"
    from fazhi_common.migrate import upgrade

    upgrade(SERVICE_DIRS[part], url)
    downgrade(SERVICE_DIRS[part], url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
