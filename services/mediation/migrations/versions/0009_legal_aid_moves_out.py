"""legal aid and the 12348 hotline move to the legal services service

Mediation keeps only its record of the failed cases it sent on to legal aid (filled here
from the applications that came from a case). The old tables are dropped here only when
they hold nothing; rows are moved, checked and their tables dropped by
``fazhi-legalservices migrate-from-mediation --drop-mediation-tables`` (docs/operations.md).

Revision ID: 0009
Revises: 0008
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

MOVED = ("legal_aid_overdue_notice", "legal_aid_application", "hotline_consultation")
log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    op.create_table(
        "mediation_legal_aid_referral",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("mediation_case.id"), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("case_id"))
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    if "legal_aid_application" in present:
        op.execute("INSERT INTO mediation_legal_aid_referral (case_id, referred_on, "
                   "requested_by) SELECT case_id, received_on, 'before the move' "
                   "FROM legal_aid_application WHERE case_id IS NOT NULL")
    held = {t: bind.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in MOVED if t in present}
    if any(held.values()):
        log.warning("mediation still holds legal aid rows %s: move them with "
                    "fazhi-legalservices migrate-from-mediation --drop-mediation-tables", held)
        return
    for table in MOVED:
        if table in present:
            op.drop_table(table)


def downgrade():
    # the old tables come back empty, in their 0007 shape (their rows live in legal services)
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "hotline_consultation" not in present:
        op.create_table(
            "hotline_consultation",
            sa.Column("id", sa.Integer(), primary_key=True),
            *_codes(), sa.Column("consulted_on", sa.Date(), nullable=False, index=True),
            sa.Column("topic", sa.String(length=32), nullable=False),
            sa.Column("summary", sa.Text(), nullable=False),
            sa.Column("caller_phone_enc", sa.LargeBinary()),
            sa.Column("answered_by", sa.String(length=100), nullable=False))
    if "legal_aid_application" not in present:
        _legal_aid_tables()
    op.drop_table("mediation_legal_aid_referral")


def _codes():
    return (sa.Column("community_code", sa.String(length=12), nullable=False, index=True),
            sa.Column("county_code", sa.String(length=12), nullable=False, index=True))


def _legal_aid_tables():
    dates = ("last_step_on", "decision_due_on", "decided_on", "objected_on",
             "objection_due_on", "objection_decided_on", "assignment_due_on", "assigned_on",
             "closed_on")
    texts = ("decision_due_rule", "refusal_reason", "objection_route", "objection_reason",
             "objection_due_rule", "assignment_due_rule", "outcome_note")
    op.create_table(
        "legal_aid_application",
        sa.Column("id", sa.Integer(), primary_key=True), *_codes(),
        sa.Column("applicant_role", sa.String(length=16), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary()), sa.Column("phone_enc", sa.LargeBinary()),
        sa.Column("matter", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("mediation_case.id"), unique=True),
        sa.Column("received_on", sa.Date(), nullable=False, index=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), server_default="staff", nullable=False),
        *(sa.Column(c, sa.Date()) for c in dates), *(sa.Column(c, sa.Text()) for c in texts),
        sa.Column("objection_decision", sa.String(length=16)),
        sa.Column("provider", sa.String(length=100)),
        sa.Column("provider_kind", sa.String(length=32)),
        sa.Column("outcome", sa.String(length=16)),
        sa.Column("overdue", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("receipt_number", sa.String(length=32)),
        sa.Column("secret_digest", sa.String(length=64)))
    op.create_index("ix_legal_aid_application_receipt_number", "legal_aid_application",
                    ["receipt_number"], unique=True)
    op.create_index("ix_legal_aid_status", "legal_aid_application", ["status", "county_code"])
    op.create_table(
        "legal_aid_overdue_notice",
        sa.Column("application_id", sa.Integer(), sa.ForeignKey("legal_aid_application.id"),
                  primary_key=True),
        sa.Column("deadline", sa.String(length=32), primary_key=True),
        sa.Column("due_on", sa.Date(), primary_key=True),
        sa.Column("raised_on", sa.Date(), nullable=False))
