"""a community whose collective finances are busy discloses them monthly (村民委员会组织法
art. 30); every other community quarterly

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("community") as batch:
        batch.add_column(sa.Column("collective_finances_busy", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("community") as batch:
        batch.drop_column("collective_finances_busy")
