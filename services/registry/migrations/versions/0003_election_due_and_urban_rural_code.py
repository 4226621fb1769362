"""election_due once per term; NBS urban-rural classification code of a unit

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('community', sa.Column('urban_rural_code', sa.String(length=3),
                                         nullable=True))
    op.add_column('governance_body', sa.Column('election_due_announced_for', sa.Date(),
                                               nullable=True))
    op.create_index(op.f('ix_governance_body_term_ends_on'), 'governance_body',
                    ['term_ends_on'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_governance_body_term_ends_on'), table_name='governance_body')
    with op.batch_alter_table('governance_body') as batch:
        batch.drop_column('election_due_announced_for')
    with op.batch_alter_table('community') as batch:
        batch.drop_column('urban_rural_code')
