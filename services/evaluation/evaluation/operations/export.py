"""The edge: the ranking with every indicator's source, page by page, for the Excel export.

A province's export is tens of thousands of results with their indicators: the gateway
asks for it a page at a time (each page one windowed query, so no call grows with the
province) and streams the pages into the workbook it sends.
"""
from sqlalchemy import func, select

from evaluation.domain import decode_breakdown
from evaluation.models import Result, Scheme
from evaluation.operations.reports import ROW_FIELDS, ranked

EXPORT_FIELDS = (*ROW_FIELDS, "max_score", "pass_threshold")
INDICATOR_FIELDS = ("category", "name", "kind", "points", "max_points", "value", "source",
                    "note")


def export_page(session, query, scope):
    """One page of ranked results, each with its indicators and their sources."""
    page, per_page = query["page"], query["per_page"]
    base = ranked(query["period"], scope, query.get("county_code"))
    rows = session.execute(base.add_columns(Result.scheme_id, Result.breakdown)
                           .limit(per_page).offset((page - 1) * per_page)).all()
    total = rows[0].total if rows else session.scalar(
        select(func.count()).select_from(base.subquery()))
    definitions = dict(session.execute(select(Scheme.id, Scheme.definition).where(
        Scheme.id.in_({row.scheme_id for row in rows}))).all()) if rows else {}
    items = [{**{f: getattr(row, f) for f in EXPORT_FIELDS},
              "indicators": [{f: ind.get(f) for f in INDICATOR_FIELDS}
                             for ind in decode_breakdown(definitions[row.scheme_id],
                                                         row.breakdown)["indicators"]]}
             for row in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total}
