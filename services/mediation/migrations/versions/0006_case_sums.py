"""statistics summed per month and per year, kind, county and duration, kept by triggers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 19:00:00

The statistics over a province's million cases read these sums instead of the cases:
a period is whole years, whole months and a few days at its ends. Triggers keep them, in the transaction that changes a case, on PostgreSQL and SQLite
alike; an update moves a case's contribution from its old row to its new one. The table
is filled from the cases already there.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLE = "mediation_case_sums"
KEYS = ("span", "period_start", "mediation_kind", "county_code", "duration_days")
SPANS = ("month", "year")
# what one case adds to each figure; {r} is the row (NEW, OLD or the table)
FIGURES = (
    ("volume", "1"),
    ("accepted", "CASE WHEN {r}.accepted_on IS NOT NULL THEN 1 ELSE 0 END"),
    ("declined", "CASE WHEN {r}.result = 'declined' THEN 1 ELSE 0 END"),
    ("agreements", "CASE WHEN {r}.result = 'agreement' THEN 1 ELSE 0 END"),
    ("failures", "CASE WHEN {r}.result = 'failure' THEN 1 ELSE 0 END"),
    ("overdue", "CASE WHEN {r}.overdue IS TRUE THEN 1 ELSE 0 END"),
    ("confirmation_not_applied",
     "CASE WHEN {r}.result = 'agreement' AND {r}.confirmation_court IS NULL THEN 1 ELSE 0 END"),
    ("confirmation_pending",
     "CASE WHEN {r}.confirmation_court IS NOT NULL AND {r}.confirmed IS NULL THEN 1 ELSE 0 END"),
    ("confirmation_confirmed", "CASE WHEN {r}.confirmed IS TRUE THEN 1 ELSE 0 END"),
    ("confirmation_refused", "CASE WHEN {r}.confirmed IS FALSE THEN 1 ELSE 0 END"),
)
# the columns a figure or a key reads: an update of anything else leaves the sums alone
WATCHED = ("received_on", "mediation_kind", "county_code", "duration_days", "accepted_on",
           "result", "overdue", "confirmation_court", "confirmed")
START = {"postgresql": "CAST(date_trunc('{span}', {r}.received_on) AS date)",
         "sqlite": "date({r}.received_on, 'start of {span}')"}


def _key_values(dialect, r, span):
    return (f"'{span}'", START[dialect].format(r=r, span=span), f"{r}.mediation_kind",
            f"{r}.county_code", f"coalesce({r}.duration_days, -1)")


def _upsert(dialect, r, sign, span):
    """One case's contribution (``sign`` 1 adds, -1 removes) upserted into its row."""
    values = [*_key_values(dialect, r, span),
              *(f"{sign} * ({sql.format(r=r)})" for _, sql in FIGURES)]
    sums = ", ".join(f"{name} = {TABLE}.{name} + excluded.{name}" for name, _ in FIGURES)
    return (f"INSERT INTO {TABLE} ({', '.join(KEYS)}, {', '.join(n for n, _ in FIGURES)}) "
            f"VALUES ({', '.join(values)}) ON CONFLICT ({', '.join(KEYS)}) DO UPDATE SET {sums}")


def _both(dialect, r, sign):
    return "; ".join(_upsert(dialect, r, sign, span) for span in SPANS)


def _fill(dialect, span):
    keys = _key_values(dialect, "mediation_case", span)
    sums = ", ".join(f"sum({sql.format(r='mediation_case')})" for _, sql in FIGURES)
    return (f"INSERT INTO {TABLE} ({', '.join(KEYS)}, {', '.join(n for n, _ in FIGURES)}) "
            f"SELECT {', '.join(keys)}, {sums} FROM mediation_case "
            f"GROUP BY {', '.join(keys[1:])}")


def _postgresql():
    old_key = ", ".join(_key_values("postgresql", "OLD", "month")[1:])
    new_key = ", ".join(_key_values("postgresql", "NEW", "month")[1:])
    # an update touches its rows in key order, so two updates moving cases in opposite
    # directions cannot deadlock
    return [f"""
CREATE FUNCTION mediation_case_sums_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_both("postgresql", "NEW", 1)};
  ELSIF TG_OP = 'DELETE' THEN
    {_both("postgresql", "OLD", -1)};
  ELSIF ROW({old_key}) <= ROW({new_key}) THEN
    {_both("postgresql", "OLD", -1)};
    {_both("postgresql", "NEW", 1)};
  ELSE
    {_both("postgresql", "NEW", 1)};
    {_both("postgresql", "OLD", -1)};
  END IF;
  RETURN NULL;
END $$""", f"""
CREATE TRIGGER mediation_case_sums_keep
AFTER INSERT OR DELETE OR UPDATE OF {', '.join(WATCHED)} ON mediation_case
FOR EACH ROW EXECUTE FUNCTION mediation_case_sums_keep()"""]


def _sqlite():
    return [
        f"CREATE TRIGGER mediation_case_sums_insert AFTER INSERT ON mediation_case "
        f"BEGIN {_both('sqlite', 'NEW', 1)}; END",
        f"CREATE TRIGGER mediation_case_sums_delete AFTER DELETE ON mediation_case "
        f"BEGIN {_both('sqlite', 'OLD', -1)}; END",
        f"CREATE TRIGGER mediation_case_sums_update AFTER UPDATE OF {', '.join(WATCHED)} "
        f"ON mediation_case BEGIN {_both('sqlite', 'OLD', -1)}; "
        f"{_both('sqlite', 'NEW', 1)}; END",
    ]


def upgrade():
    op.create_table(
        TABLE,
        sa.Column('span', sa.String(length=5), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('mediation_kind', sa.String(length=16), nullable=False),
        sa.Column('county_code', sa.String(length=12), nullable=False),
        sa.Column('duration_days', sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name, _ in FIGURES),
        sa.PrimaryKeyConstraint(*KEYS),
    )
    dialect = op.get_bind().dialect.name
    for statement in (_postgresql() if dialect == "postgresql" else _sqlite()):
        op.execute(statement)
    for span in SPANS:
        op.execute(_fill(dialect, span))
    if dialect == "postgresql":
        # the days at a period's ends are counted from the cases: every column that
        # count reads is in the index, so it is answered from the index alone
        op.drop_index('ix_case_statistics', table_name='mediation_case')
        op.create_index('ix_case_statistics', 'mediation_case',
                        ['received_on', 'mediation_kind', 'county_code'],
                        postgresql_include=['accepted_on', 'result', 'duration_days',
                                            'overdue', 'confirmation_court', 'confirmed'])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER mediation_case_sums_keep ON mediation_case")
        op.execute("DROP FUNCTION mediation_case_sums_keep()")
        op.drop_index('ix_case_statistics', table_name='mediation_case')
        op.create_index('ix_case_statistics', 'mediation_case',
                        ['received_on', 'mediation_kind', 'county_code'],
                        postgresql_include=['accepted_on', 'result', 'duration_days',
                                            'overdue'])
    else:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER mediation_case_sums_{event}")
    op.drop_table(TABLE)
