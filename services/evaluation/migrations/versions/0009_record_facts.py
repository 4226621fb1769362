"""registry records that answer indicators (record_kept): scored from the record, not
entered again as evidence

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "record_fact",
        sa.Column("record_kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("community_code", sa.String(length=12), nullable=True),
        sa.Column("town_code", sa.String(length=12), nullable=True),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("subkind", sa.String(length=40), nullable=True),
        sa.Column("dated_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("standing", sa.Boolean(), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("record_kind", "record_id"))
    for column in ("community_code", "town_code", "county_code"):
        op.create_index(f"ix_record_fact_{column}", "record_fact", [column])


def downgrade():
    op.drop_table("record_fact")
