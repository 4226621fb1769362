"""results keep the marks of their explanation, not its whole text

A result's breakdown stored every indicator's name, category path and points at stake,
and the category and normalisation sums, all of which follow from its scheme (a scheme
never changes once a result uses it): ~7.6 KB a result, a fifth of it left. Each stored
breakdown becomes ``{"marks": [[points or None, value, source, note], ...], "vetoes"}``,
one mark per indicator in the scheme's order (``domain.stored_breakdown``); the service
rebuilds the explanation on read (``domain.decode_breakdown``). A breakdown whose
indicators do not match its scheme's is kept whole: the decode reads it as it is.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

from evaluation import domain

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RESULT = sa.table("result", sa.column("community_code", sa.String),
                  sa.column("period", sa.String), sa.column("scheme_id", sa.Integer),
                  sa.column("breakdown", sa.JSON))
SCHEME = sa.table("scheme", sa.column("id", sa.Integer), sa.column("definition", sa.JSON))
BATCH = 2000


def _rewrite(convert):
    """Every result's breakdown through ``convert(definition, breakdown)`` (None: keep),
    a batch of rows at a time (a province holds tens of thousands)."""
    bind = op.get_bind()
    definitions = dict(bind.execute(sa.select(SCHEME.c.id, SCHEME.c.definition)).all())
    after = ("", "")
    while True:
        rows = bind.execute(
            sa.select(RESULT.c.community_code, RESULT.c.period, RESULT.c.scheme_id,
                      RESULT.c.breakdown)
            .where(sa.tuple_(RESULT.c.community_code, RESULT.c.period) > sa.tuple_(*after))
            .order_by(RESULT.c.community_code, RESULT.c.period).limit(BATCH)).all()
        if not rows:
            return
        changed = []
        for code, period, scheme_id, breakdown in rows:
            new = convert(definitions[scheme_id], breakdown)
            if new is not None:
                changed.append({"c": code, "p": period, "b": new})
        if changed:
            bind.execute(RESULT.update()
                         .where(RESULT.c.community_code == sa.bindparam("c"),
                                RESULT.c.period == sa.bindparam("p"))
                         .values(breakdown=sa.bindparam("b")), changed)
        after = rows[-1][:2]


def _marks(definition, breakdown):
    if "marks" in breakdown:
        return None
    indicators = breakdown["indicators"]
    if [i["code"] for i in indicators] != [ind["code"] for _p, ind in
                                           domain.indicators_of(definition)]:
        return None  # not its scheme's indicators: kept whole, read as it is
    return {"marks": [[i["points"] if i["applicable"] else None, i["value"], i["source"],
                       i["note"]] for i in indicators],
            "vetoes": breakdown.get("vetoes", [])}


def _whole(definition, breakdown):
    return domain.decode_breakdown(definition, breakdown) if "marks" in breakdown else None


def upgrade():
    _rewrite(_marks)


def downgrade():
    _rewrite(_whole)
