"""The edge: the ranking with every indicator's source, for the Excel export.

An export reads the area's ranking once (``export_ranking``: one windowed query, no
breakdowns), then the indicators of its communities a page of codes at a time, in the
ranking's order (``export_indicators``). So every result of the area is listed exactly
once, in the rank order of the moment the export began, whatever is recomputed while it
runs, and no call re-ranks the area. Replies are rows of values in the contract's orders
(``fazhi_common.api.evaluation.EXPORT_*_FIELDS``), already shaped for the workbook.
"""
from operator import attrgetter, itemgetter

from sqlalchemy import select

from evaluation.domain import decode_breakdown
from evaluation.models import Result, Scheme
from evaluation.operations.reports import ranked
from fazhi_common.api.evaluation import EXPORT_RESULT_FIELDS

_result_row = attrgetter(*EXPORT_RESULT_FIELDS)


def export_ranking(session, query, scope):
    """Every result of the area as a results-sheet row (``EXPORT_RESULT_FIELDS``)."""
    rows = session.execute(ranked(query["period"], scope, query.get("county_code")))
    return {"period": query["period"], "rows": list(map(_result_row, rows))}


_definition = itemgetter("category", "name", "kind", "max_points")
_marks = itemgetter("points", "value", "source", "note")


def export_indicators(session, query, scope):
    """The indicators of ``query["codes"]`` (those with a result for the period, within
    the caller's area), in the order asked, as ``EXPORT_INDICATOR_FIELDS`` rows."""
    codes = query["codes"]
    found = select(Result.community_code, Result.scheme_id, Result.breakdown).where(
        Result.period == query["period"], Result.community_code.in_(codes))
    results = {row.community_code: row for row in
               session.execute(scope.in_area(found, Result.community_code))}
    schemes = dict(session.execute(select(Scheme.id, Scheme.definition).where(
        Scheme.id.in_({row.scheme_id for row in results.values()}))).all()) if results else {}
    definitions, items = {}, []
    for code in codes:
        result = results.pop(code, None)  # popped: a code asked twice is listed once
        if result is None:
            continue
        rows = []
        for indicator in decode_breakdown(schemes[result.scheme_id],
                                          result.breakdown)["indicators"]:
            try:
                key, marks = _definition(indicator), _marks(indicator)
            except KeyError:  # a breakdown stored before a field existed
                key = tuple(map(indicator.get, ("category", "name", "kind", "max_points")))
                marks = tuple(map(indicator.get, ("points", "value", "source", "note")))
            rows.append((definitions.setdefault(key, len(definitions)), *marks))
        items.append((code, rows))
    return {"definitions": list(definitions), "items": items}
