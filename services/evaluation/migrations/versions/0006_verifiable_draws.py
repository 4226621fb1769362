"""verifiable spot-check draws: committed (seed hash, eligible digest) before revealed;
a redraw supersedes a draw with a reason

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

from fazhi_common import draws

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DRAW = sa.table("spot_check_draw", sa.column("id", sa.Integer), sa.column("seed", sa.String),
                sa.column("eligible", sa.JSON), sa.column("method", sa.String),
                sa.column("status", sa.String), sa.column("seed_hash", sa.String),
                sa.column("eligible_digest", sa.String), sa.column("revealed_by", sa.String),
                sa.column("revealed_at", sa.DateTime(timezone=True)),
                sa.column("committed_by", sa.String),
                sa.column("committed_at", sa.DateTime(timezone=True)))


def upgrade():
    with op.batch_alter_table("spot_check_draw") as batch:
        batch.alter_column("drawn_by", new_column_name="committed_by",
                           existing_type=sa.String(length=100), existing_nullable=False)
        batch.alter_column("drawn_at", new_column_name="committed_at",
                           existing_type=sa.DateTime(timezone=True), existing_nullable=False)
        batch.alter_column("sample", existing_type=sa.JSON(), nullable=True)
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("method", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("seed_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("county_codes", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("eligible_digest", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("revealed_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("redraw_of_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("superseded_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("superseded_reason", sa.String(length=500), nullable=True))
        batch.create_foreign_key("fk_spot_check_draw_redraw_of", "spot_check_draw",
                                 ["redraw_of_id"], ["id"])
    # draws made before commitments existed were drawn and published at once: they are
    # revealed draws whose hash and digest are taken now, so the verifier checks them too
    bind = op.get_bind()
    for row in bind.execute(sa.select(DRAW.c.id, DRAW.c.seed, DRAW.c.eligible,
                                      DRAW.c.committed_by, DRAW.c.committed_at)).all():
        bind.execute(DRAW.update().where(DRAW.c.id == row.id).values(
            status="revealed", method=draws.METHOD, seed_hash=draws.seed_hash(row.seed),
            eligible_digest=draws.eligible_digest(row.eligible),
            revealed_by=row.committed_by, revealed_at=row.committed_at))
    with op.batch_alter_table("spot_check_draw") as batch:
        for name, kind in (("status", sa.String(length=16)), ("method", sa.String(length=40)),
                           ("seed_hash", sa.String(length=64)),
                           ("eligible_digest", sa.String(length=64))):
            batch.alter_column(name, existing_type=kind, nullable=False)


def downgrade():
    with op.batch_alter_table("spot_check_draw") as batch:
        batch.drop_constraint("fk_spot_check_draw_redraw_of", type_="foreignkey")
        for name in ("superseded_reason", "superseded_at", "superseded_by", "redraw_of_id",
                     "revealed_at", "revealed_by", "eligible_digest", "county_codes",
                     "seed_hash", "method", "status"):
            batch.drop_column(name)
    # a draw committed but never revealed has no sample (and no inspection names it)
    op.execute(sa.text("DELETE FROM spot_check_draw WHERE sample IS NULL"))
    with op.batch_alter_table("spot_check_draw") as batch:
        batch.alter_column("sample", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("committed_at", new_column_name="drawn_at",
                           existing_type=sa.DateTime(timezone=True), existing_nullable=False)
        batch.alter_column("committed_by", new_column_name="drawn_by",
                           existing_type=sa.String(length=100), existing_nullable=False)
