"""the channel of a mediated case; where a survey answer came from, and bursts flagged

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('mediation_fact', sa.Column('mediation_kind', sa.String(length=32),
                                              nullable=True))
    op.add_column('survey_answer', sa.Column('source_key', sa.String(length=64),
                                             nullable=True))
    op.add_column('survey_answer', sa.Column('flagged', sa.Boolean(), nullable=False,
                                             server_default=sa.false()))
    op.create_index('ix_survey_answer_source', 'survey_answer',
                    ['community_code', 'period', 'source_key', 'answered_at'])


def downgrade():
    op.drop_index('ix_survey_answer_source', table_name='survey_answer')
    with op.batch_alter_table('survey_answer') as batch:
        batch.drop_column('flagged')
        batch.drop_column('source_key')
    with op.batch_alter_table('mediation_fact') as batch:
        batch.drop_column('mediation_kind')
