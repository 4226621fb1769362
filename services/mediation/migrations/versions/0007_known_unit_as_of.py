"""known units remember when the registry stated them (snapshots never undo newer facts)

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    # nullable: units learnt before this release have no known time and take a snapshot
    op.add_column("known_unit", sa.Column("as_of", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("known_unit") as batch:
        batch.drop_column("as_of")
