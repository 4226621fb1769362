"""community self-governance: party organisation fields, meetings, major matters, grids,
grid reports, funding lines, purchased services, culture performances

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 20:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(14, 2)


def _community():
    return (sa.Column('community_code', sa.String(length=12), nullable=False),
            sa.ForeignKeyConstraint(['community_code'], ['community.code']))


def _table(name, *columns):
    code, fk = _community()
    op.create_table(name, sa.Column('id', sa.Integer(), nullable=False), code, *columns, fk,
                    sa.PrimaryKeyConstraint('id'))
    op.create_index(f'ix_{name}_community_code', name, ['community_code'])


def upgrade():
    with op.batch_alter_table('governance_body') as batch:
        batch.add_column(sa.Column('secretary_name', sa.String(length=50), nullable=True))
        batch.add_column(sa.Column('secretary_chairs_committee', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
    _table('meeting',
           sa.Column('kind', sa.String(length=40), nullable=False),
           sa.Column('held_on', sa.Date(), nullable=False),
           sa.Column('eligible', sa.Integer(), nullable=False),
           sa.Column('attended', sa.Integer(), nullable=False),
           sa.Column('households', sa.Integer(), nullable=True),
           sa.Column('households_present', sa.Integer(), nullable=True),
           sa.Column('agenda', sa.Text(), nullable=False),
           sa.Column('resolutions', sa.Text(), nullable=True),
           sa.Column('votes_for', sa.Integer(), nullable=True),
           sa.Column('quorate', sa.Boolean(), nullable=False),
           sa.Column('quorum_rule', sa.Text(), nullable=False),
           sa.Column('passed', sa.Boolean(), nullable=True))
    _table('major_matter',
           sa.Column('title', sa.String(length=200), nullable=False),
           sa.Column('meeting_id', sa.Integer(), sa.ForeignKey('meeting.id'), nullable=True),
           sa.Column('proposed_on', sa.Date(), nullable=False),
           sa.Column('discussed_on', sa.Date(), nullable=True),
           sa.Column('reviewed_on', sa.Date(), nullable=True),
           sa.Column('resolved_on', sa.Date(), nullable=True),
           sa.Column('resolution_disclosed_on', sa.Date(), nullable=True),
           sa.Column('result_disclosed_on', sa.Date(), nullable=True),
           sa.Column('complete', sa.Boolean(), nullable=False),
           sa.Column('missing', sa.JSON(), nullable=False))
    _table('grid',
           sa.Column('name', sa.String(length=100), nullable=False),
           sa.Column('worker_name', sa.String(length=50), nullable=False),
           sa.Column('households', sa.Integer(), nullable=False),
           sa.Column('established_on', sa.Date(), nullable=False),
           sa.Column('ended_on', sa.Date(), nullable=True))
    _table('grid_report',
           sa.Column('grid_id', sa.Integer(), sa.ForeignKey('grid.id'), nullable=False),
           sa.Column('kind', sa.String(length=16), nullable=False),
           sa.Column('found_on', sa.Date(), nullable=False),
           sa.Column('place', sa.String(length=200), nullable=False),
           sa.Column('dispute_category', sa.String(length=32), nullable=True),
           sa.Column('description', sa.Text(), nullable=False),
           sa.Column('status', sa.String(length=16), nullable=False),
           sa.Column('case_id', sa.Integer(), nullable=True),
           sa.Column('organisation_id', sa.Integer(), nullable=True),
           sa.Column('outcome', sa.String(length=16), nullable=True),
           sa.Column('closed_on', sa.Date(), nullable=True))
    op.create_index('ix_grid_report_grid_id', 'grid_report', ['grid_id'])
    _table('funding_line',
           sa.Column('year', sa.Integer(), nullable=False),
           sa.Column('source', sa.String(length=16), nullable=False),
           sa.Column('budgeted', MONEY, nullable=False),
           sa.Column('spent', MONEY, nullable=False))
    _table('purchased_service',
           sa.Column('provider', sa.String(length=200), nullable=False),
           sa.Column('contract_number', sa.String(length=64), nullable=False),
           sa.Column('amount', MONEY, nullable=False),
           sa.Column('starts_on', sa.Date(), nullable=False),
           sa.Column('ends_on', sa.Date(), nullable=False),
           sa.Column('evaluation_result', sa.String(length=16), nullable=True),
           sa.Column('paid', MONEY, nullable=False))
    _table('culture_performance',
           sa.Column('work_title', sa.String(length=200), nullable=False),
           sa.Column('work_kind', sa.String(length=16), nullable=False),
           sa.Column('troupe', sa.String(length=100), nullable=False),
           sa.Column('performed_on', sa.Date(), nullable=False),
           sa.Column('audience', sa.Integer(), nullable=False))


def downgrade():
    for name in ('culture_performance', 'purchased_service', 'funding_line', 'grid_report',
                 'grid', 'major_matter', 'meeting'):
        op.drop_table(name)
    with op.batch_alter_table('governance_body') as batch:
        batch.drop_column('ended_on')
        batch.drop_column('secretary_chairs_committee')
        batch.drop_column('secretary_name')
