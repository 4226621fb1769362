"""A community's corrections counts, kept from the corrections service's events, so that
an indicator can score "no one lost from supervision" without seeing a person.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "supervision_fact",
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("community_code", sa.String(12), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("under_correction", sa.Integer(), nullable=False),
        sa.Column("unreported", sa.Integer(), nullable=False),
        sa.Column("lost_contact", sa.Integer(), nullable=False),
        sa.Column("announced_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_supervision_fact_community_on", "supervision_fact",
                    ["community_code", "on"])


def downgrade():
    op.drop_index("ix_supervision_fact_community_on", "supervision_fact")
    op.drop_table("supervision_fact")
