"""Residents' answers count once verified: a one-time code for a portal answer, an
official's entry for a paper one. Answers taken before stay, unverified (not counted).

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("survey_answer") as table:
        table.add_column(sa.Column("channel", sa.String(10), nullable=False,
                                   server_default="portal"))
        table.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("receipt", sa.String(32), nullable=True))
        table.add_column(sa.Column("code_hash", sa.String(64), nullable=True))
        table.add_column(sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                   server_default="0"))
        table.add_column(sa.Column("entered_by", sa.String(64), nullable=True))
        table.create_unique_constraint("uq_survey_answer_receipt", ["receipt"])


def downgrade():
    with op.batch_alter_table("survey_answer") as table:
        table.drop_constraint("uq_survey_answer_receipt", type_="unique")
        for column in ("entered_by", "attempts", "code_expires_at", "code_hash", "receipt",
                       "verified_at", "channel"):
            table.drop_column(column)
