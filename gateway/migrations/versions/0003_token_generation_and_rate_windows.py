"""token generation per account; the public rate limit's shared counters

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("token_generation", sa.Integer(), nullable=False,
                                      server_default="0"))
    op.create_table(
        "rate_window",
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("window", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client", "window"),
    )
    with op.batch_alter_table("rate_window") as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_window_window"), ["window"], unique=False)


def downgrade():
    with op.batch_alter_table("rate_window") as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_window_window"))
    op.drop_table("rate_window")
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("token_generation")
