"""results' breakdowns compressed with lz4 on PostgreSQL

A province's recompute rewrites ~26,000 results, each with a ~7.6 KB breakdown; the
server's default (pglz) compression of those values took about a third of the write,
lz4 a fraction of it. Rows written before keep their compression until rewritten.
SQLite, and a PostgreSQL built without lz4, are left as they are.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _lz4_available():
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and bool(bind.scalar(sa.text(
        "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
        "AND 'lz4' = ANY(enumvals)")))


def upgrade():
    if _lz4_available():
        op.execute("ALTER TABLE result ALTER COLUMN breakdown SET COMPRESSION lz4")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE result ALTER COLUMN breakdown SET COMPRESSION DEFAULT")
