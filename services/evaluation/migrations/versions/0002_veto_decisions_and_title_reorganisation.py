"""proposed vetoes decided by an officer; titles waiting on a reorganisation decision

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:45:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('veto') as batch:
        batch.add_column(sa.Column('status', sa.String(length=16), nullable=False,
                                   server_default='confirmed'))
        batch.add_column(sa.Column('decided_by', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('decision_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('title') as batch:
        batch.add_column(sa.Column('reorganised_into', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('title') as batch:
        batch.drop_column('reorganised_into')
    with op.batch_alter_table('veto') as batch:
        for column in ('decision_reason', 'decided_at', 'decided_by', 'status'):
            batch.drop_column(column)
