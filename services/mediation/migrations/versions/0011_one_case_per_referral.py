"""one case per referral: a department's reference is unique among its cases

Two deliveries of the same referral (a retry after a lost answer) could both find no
earlier case and both insert; the unique index makes the second fail, and the service
then answers with the first. Duplicates made before it keep their cases (nothing is
deleted): each later one's reference is marked "[重复 <id>]" so the index can be made.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text(
        "UPDATE mediation_case SET referrer_reference = "
        "substr(referrer_reference, 1, 80) || ' [重复 ' || CAST(id AS VARCHAR(20)) || ']' "
        "WHERE referrer_reference IS NOT NULL AND id > ("
        " SELECT min(earlier.id) FROM mediation_case AS earlier"
        " WHERE earlier.referrer_department = mediation_case.referrer_department"
        " AND earlier.referrer_reference = mediation_case.referrer_reference)"))
    op.create_index("uq_case_referral", "mediation_case",
                    ["referrer_department", "referrer_reference"], unique=True)


def downgrade():
    op.drop_index("uq_case_referral", table_name="mediation_case")
