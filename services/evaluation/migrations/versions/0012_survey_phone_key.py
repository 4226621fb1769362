"""One phone confirms one resident's survey answer per community and period: a keyed hash
of the phone the code went to (never the number). Answers taken before have none.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("survey_answer") as table:
        table.add_column(sa.Column("phone_key", sa.String(64), nullable=True))
    op.create_index("ix_survey_answer_phone", "survey_answer",
                    ["community_code", "period", "phone_key"])


def downgrade():
    op.drop_index("ix_survey_answer_phone", table_name="survey_answer")
    with op.batch_alter_table("survey_answer") as table:
        table.drop_column("phone_key")
