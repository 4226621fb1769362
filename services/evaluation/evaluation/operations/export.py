"""The edge: the ranking with every indicator's source, for the Excel export.

An export reads the area's ranking once (``export_ranking``: one windowed query, no
breakdowns), then the indicators of its communities a page of codes at a time, in the
ranking's order (``export_indicators``). So every result of the area is listed exactly
once, in the rank order of the moment the export began, whatever is recomputed while it
runs, and no call re-ranks the area. Replies are values in the contract's orders
(``fazhi_common.contracts.api.evaluation_reports.EXPORT_*_FIELDS``), already shaped for
the workbook; the indicators come straight from each result's stored marks, no explanation
rebuilt.
"""
from operator import attrgetter

from sqlalchemy import select

from evaluation.domain import decode_breakdown, indicators_of
from evaluation.models import Result, Scheme
from evaluation.operations.reports import ranked
from fazhi_common.contracts.api.evaluation_reports import EXPORT_RESULT_FIELDS

_result_row = attrgetter(*EXPORT_RESULT_FIELDS)


def export_ranking(session, query, scope):
    """Every result of the area as a results-sheet row (``EXPORT_RESULT_FIELDS``)."""
    rows = session.execute(ranked(query["period"], scope, query.get("county_code")))
    return {"period": query["period"], "rows": list(map(_result_row, rows))}


_FIELDS = ("category", "name", "kind", "max_points"), ("points", "value", "source", "note")


def export_indicators(session, query, scope):
    """The indicators of ``query["codes"]`` (those with a result for the period, within
    the caller's area), in the order asked, each community's as one flat list of
    ``EXPORT_INDICATOR_FIELDS`` values."""
    codes = query["codes"]
    found = select(Result.community_code, Result.scheme_id, Result.breakdown).where(
        Result.period == query["period"], Result.community_code.in_(codes))
    results = {row.community_code: row for row in
               session.execute(scope.in_area(found, Result.community_code))}
    schemes = dict(session.execute(select(Scheme.id, Scheme.definition).where(
        Scheme.id.in_({row.scheme_id for row in results.values()}))).all()) if results else {}
    definitions, places, items = {}, {}, []
    for code in codes:
        result = results.pop(code, None)  # popped: a code asked twice is listed once
        if result is None:
            continue
        if "marks" in result.breakdown:
            if result.scheme_id not in places:  # where its scheme's definitions are listed
                places[result.scheme_id] = [
                    definitions.setdefault((path, i["name"], i["kind"], i["max_points"]),
                                           len(definitions))
                    for path, i in indicators_of(schemes[result.scheme_id])]
            items.append((code, _marked(places[result.scheme_id],
                                        result.breakdown["marks"])))
        else:
            items.append((code, _explained(definitions, decode_breakdown(
                schemes[result.scheme_id], result.breakdown)["indicators"])))
    return {"definitions": list(definitions), "items": items}


def _marked(places, marks):
    """Indicator values straight from a result's marks (one per indicator of its scheme,
    in order), as its explanation gives them: no points where not applicable reads 0."""
    values = []
    for place, (points, value, source, note) in zip(places, marks, strict=True):
        values += (place, 0.0 if points is None else points, value, source, note)
    return values


def _explained(definitions, indicators):
    """Indicator values from an explanation: a result kept whole, stored before marks."""
    values = []
    for indicator in indicators:
        key, marks = (tuple(map(indicator.get, fields)) for fields in _FIELDS)
        values += (definitions.setdefault(key, len(definitions)), *marks)
    return values
