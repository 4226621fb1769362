"""audit trail

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:36:58.274810
"""
from fazhi_common.migrate import create_audit_table, drop_audit_table


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    create_audit_table()


def downgrade():
    drop_audit_table()
