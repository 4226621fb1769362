"""background jobs (fazhi_common.jobs)

Revision ID: 0005
Revises: 0004
"""
from fazhi_common.migrate import create_job_table, drop_job_table

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    create_job_table()


def downgrade():
    drop_job_table()
