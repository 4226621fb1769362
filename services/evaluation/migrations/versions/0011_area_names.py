"""The names of counties and towns, kept from the registry's events, so that reports and
rankings name the areas they count.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "area_fact",
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
    )


def downgrade():
    op.drop_table("area_fact")
