"""titles named jointly: each department's decision; validity only as local policy;
a community's busy collective finances (disclosed monthly)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "title_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title_id", sa.Integer(), sa.ForeignKey("title.id"), nullable=False,
                  index=True),
        sa.Column("act", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("department", sa.String(16), nullable=False),
        sa.Column("department_name", sa.String(100), nullable=False),
        sa.Column("area", sa.String(12), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("in_effect", sa.Boolean(), nullable=False))
    with op.batch_alter_table("title") as batch:
        batch.alter_column("valid_until", existing_type=sa.Date(), nullable=True)
        batch.add_column(sa.Column("validity_source", sa.Text(), nullable=True))
    with op.batch_alter_table("community_fact") as batch:
        batch.add_column(sa.Column("collective_finances_busy", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("community_fact") as batch:
        batch.drop_column("collective_finances_busy")
    with op.batch_alter_table("title") as batch:
        batch.drop_column("validity_source")
    op.drop_table("title_decision")
