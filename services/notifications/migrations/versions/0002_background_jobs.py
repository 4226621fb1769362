"""background jobs (fazhi_common.jobs)

Revision ID: 0002
Revises: 0001
"""
from fazhi_common.migrate import create_job_table, drop_job_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    create_job_table()


def downgrade():
    drop_job_table()
