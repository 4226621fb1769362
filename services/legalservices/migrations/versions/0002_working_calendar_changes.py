"""the working calendar's changes recompute open legal-aid deadlines: the calendars the
deadlines were counted on, and each date moved

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "legalservices_calendar_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "legal_aid_deadline_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("application_id", sa.Integer(),
                  sa.ForeignKey("legal_aid_application.id"), nullable=False),
        sa.Column("deadline", sa.String(32), nullable=False),
        sa.Column("previous_due_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False))
    op.create_index("ix_legal_aid_deadline_change_application_id",
                    "legal_aid_deadline_change", ["application_id"])


def downgrade():
    op.drop_index("ix_legal_aid_deadline_change_application_id",
                  table_name="legal_aid_deadline_change")
    op.drop_table("legal_aid_deadline_change")
    op.drop_table("legalservices_calendar_state")
