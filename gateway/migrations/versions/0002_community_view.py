"""the gateway's view of the registry's communities

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'community_view',
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('etag', sa.String(length=40), nullable=True),
        sa.Column('as_of', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('code'),
    )


def downgrade():
    op.drop_table('community_view')
