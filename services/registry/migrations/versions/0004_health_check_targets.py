"""per-county yearly targets of enterprise legal health checks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 18:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'health_check_target',
        sa.Column('county_code', sa.String(length=12), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('target', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['county_code'], ['county.code']),
        sa.PrimaryKeyConstraint('county_code', 'year'))


def downgrade():
    op.drop_table('health_check_target')
