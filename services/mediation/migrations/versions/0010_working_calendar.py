"""the working calendar's changes recompute open deadlines; traffic police mediation;
the court's decision on judicial confirmation; steps flagged for an officer

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = (
    ("traffic_procedure", sa.String(24)), ("basis_document", sa.String(24)),
    ("document_received_on", sa.Date()), ("period_start_event", sa.String(24)),
    ("period_start_on", sa.Date()), ("deadline_basis", sa.JSON()),
    ("officer_review", sa.Text()), ("outcome_note", sa.Text()),
    ("court_decision_due_on", sa.Date()), ("court_decision_due_rule", sa.Text()),
)


# plain ALTER TABLE, not a batch: SQLite's batch mode copies the table, and the copy
# would lose the statistics triggers of 0006
def upgrade():
    for name, type_ in COLUMNS:
        op.add_column("mediation_case", sa.Column(name, type_, nullable=True))
    op.add_column("mediation_case", sa.Column("court_extended", sa.Boolean(), nullable=False,
                                              server_default=sa.false()))
    op.create_table(
        "mediation_calendar_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False))


def downgrade():
    op.drop_table("mediation_calendar_state")
    op.drop_column("mediation_case", "court_extended")
    for name, _type in reversed(COLUMNS):
        op.drop_column("mediation_case", name)
