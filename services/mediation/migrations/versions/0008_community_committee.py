"""a community's own people's mediation committee (it takes its grid reports first)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mediation_organisation") as batch:
        batch.add_column(sa.Column("community_code", sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table("mediation_organisation") as batch:
        batch.drop_column("community_code")
