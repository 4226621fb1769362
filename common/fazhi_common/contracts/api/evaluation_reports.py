"""The evaluation service's RPC contract for what its results add up to: rankings, the
report by county and town, the dashboard's overview and the rows of the Excel export. Who
may call them is named with the service's other role sets in ``evaluation``."""
from marshmallow import Schema, fields, validate

from fazhi_common.contracts.api import PageQuery, code_field
from fazhi_common.contracts.api.evaluation import period_field

# -- rankings and reports ---------------------------------------------------------------------

class RankingQuery(PageQuery):
    period = period_field(required=True)
    county_code = code_field()
    town_code = code_field()


class RankingItem(Schema):
    rank = fields.Integer(required=True)
    community_code = fields.String(required=True)
    name = fields.String(allow_none=True)
    town_code = fields.String(allow_none=True)
    town_name = fields.String(allow_none=True)
    county_code = fields.String(allow_none=True)
    county_name = fields.String(allow_none=True)
    score = fields.Float(required=True)
    stage = fields.String(required=True)
    passed = fields.Boolean(required=True)
    vetoed = fields.Boolean(required=True)


class ReportQuery(Schema):
    period = period_field(required=True)
    county_code = code_field()


# The Excel export's replies are rows of values in these orders, not objects: a province is
# ~26,000 results and ~540,000 indicator rows, and field names (and a schema's dump) on
# each would cost more than the values. ``export_ranking`` answers {"period", "rows": [one
# list of EXPORT_RESULT_FIELDS per result, in rank order]}; ``export_indicators`` answers
# {"definitions": [lists of EXPORT_DEFINITION_FIELDS], "items": [[community_code, [the
# EXPORT_INDICATOR_FIELDS of its first indicator, then of its second, ... in one flat
# list]] per community asked for that has a result]}, where an indicator names its
# definition by its place in ``definitions`` (those repeat on every community scored with
# one scheme). Flat, since a list per indicator made decoding a page (and the garbage
# collector's passes over half a million lists) the larger part of reading it.
EXPORT_RESULT_FIELDS = ("rank", "community_code", "name", "town_code", "county_code", "stage",
                        "score", "max_score", "pass_threshold", "passed", "vetoed")
EXPORT_DEFINITION_FIELDS = ("category", "name", "kind", "max_points")
EXPORT_INDICATOR_FIELDS = ("definition", "points", "value", "source", "note")


class ExportIndicatorsQuery(Schema):
    period = period_field(required=True)
    codes = fields.List(code_field(), required=True,
                        validate=validate.Length(min=1, max=1000), metadata={
                            "description": "communities whose indicators to read, in the "
                                           "order they are wanted"})


class AreaFigures(Schema):
    communities = fields.Integer(required=True)
    evaluated = fields.Integer(required=True)
    passed = fields.Integer(required=True)
    vetoed = fields.Integer(required=True)
    average_score = fields.Float(allow_none=True)
    titles_held = fields.Integer(required=True)
    titles_by_level = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Communities holding a title, by the title's level (title_levels)."})


class TownReport(AreaFigures):
    town_code = fields.String(required=True)
    town_name = fields.String(allow_none=True)


class CountyReport(AreaFigures):
    county_code = fields.String(required=True)
    county_name = fields.String(allow_none=True)
    towns = fields.List(fields.Nested(TownReport), required=True)


class Report(Schema):
    period = fields.String(required=True)
    counties = fields.List(fields.Nested(CountyReport), required=True)


class OverviewQuery(Schema):
    period = period_field(required=True)
    county_code = code_field(metadata={
        "description": "one county of the caller's area: its figures by town; else the "
                       "whole area by county"})
    bins = fields.Integer(load_default=10, validate=validate.Range(min=2, max=20), metadata={
        "description": "how many equal score bands the distribution has"})


class ScoreBand(Schema):
    low = fields.Float(required=True)
    high = fields.Float(required=True)
    count = fields.Integer(required=True)


class OverviewFigures(Schema):
    communities = fields.Integer(required=True, metadata={
        "description": "active communities and villages"})
    evaluated = fields.Integer(required=True)
    passed = fields.Integer(required=True)
    vetoed = fields.Integer(required=True)
    pass_rate = fields.Float(allow_none=True, metadata={"description": "passed / evaluated"})
    coverage = fields.Float(allow_none=True, metadata={
        "description": "evaluated / communities"})
    average_score = fields.Float(allow_none=True)


class OverviewArea(OverviewFigures):
    code = fields.String(required=True)
    name = fields.String(allow_none=True)


class TitleCounts(Schema):
    held = fields.Integer(required=True)
    revoked = fields.Integer(required=True)
    due_soon = fields.Integer(required=True, metadata={
        "description": "held titles due for re-evaluation within 90 days"})


class Overview(OverviewFigures):
    """The campaign in the caller's area (or one county of it), each figure counted by the
    database over every community: the dashboard draws from this answer alone."""

    period = fields.String(required=True)
    county_code = fields.String(allow_none=True)
    area_level = fields.String(required=True, metadata={
        "description": "what ``areas`` lists: county, or town inside one county"})
    distribution = fields.List(fields.Nested(ScoreBand), required=True, metadata={
        "description": "evaluated communities by score as a share of the maximum (0-100)"})
    areas = fields.List(fields.Nested(OverviewArea), required=True)
    titles = fields.Nested(TitleCounts, required=True)
