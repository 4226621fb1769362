"""The evaluation service's RPC contract for spot checks and inspections: a draw committed,
revealed and redrawn, and the findings an inspection records. Who may call them is named
with the service's other role sets in ``evaluation``."""
from marshmallow import Schema, fields, validate

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import PageQuery, code_field, id_field
from fazhi_common.contracts.api.evaluation import VALUE, one_of, period_field, slug, text

INSPECTION_KINDS = tuple(vocabulary.INSPECTION_KINDS)
# a draw is committed (seed hash and eligible digest public), then revealed (seed, sample)
DRAW_STATUSES = tuple(vocabulary.DRAW_STATUSES)

# -- spot-check draws -------------------------------------------------------------------------

class SpotCheckDrawIn(Schema):
    """A draw to commit: no one chooses its seed (the service keeps a random one secret
    until the reveal), so no one can try seeds until a sample suits them."""

    period = period_field(required=True)
    per_county = fields.Integer(allow_none=True, strict=True,
                                validate=validate.Range(min=1, max=10_000))
    share = fields.Float(allow_none=True, validate=validate.Range(
        min=0, min_inclusive=False, max=1))
    county_codes = fields.List(code_field(), allow_none=True,
                               validate=validate.Length(min=1, max=100))
    title_holders_only = fields.Boolean(load_default=False)


class RedrawIn(Schema):
    reason = text(500, required=True, metadata={
        "description": "why the draw is set aside: published with both draws"})


CODES_BY_COUNTY = dict(keys=fields.String(), values=fields.List(fields.String()))


class DrawHistoryItem(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    committed_by = fields.String(required=True)
    committed_at = fields.DateTime(required=True)
    revealed_at = fields.DateTime(allow_none=True)
    superseded_by = fields.String(allow_none=True)
    superseded_at = fields.DateTime(allow_none=True)
    superseded_reason = fields.String(allow_none=True)


class SpotCheckDraw(Schema):
    """A draw as anyone may see it; ``fazhi-draw verify`` checks this very JSON."""

    id = fields.Integer(required=True)
    period = fields.String(required=True)
    area = fields.String(required=True, metadata={
        "description": "code prefix of the area drawn from (empty: the whole country)"})
    status = one_of(DRAW_STATUSES, required=True)
    method = fields.String(required=True, metadata={
        "description": "the draw method's name and version"})
    method_description = fields.String(required=True, metadata={
        "description": "how to re-run the draw and take its digests"})
    per_county = fields.Integer(allow_none=True)
    share = fields.Float(allow_none=True)
    title_holders_only = fields.Boolean(required=True)
    county_codes = fields.List(fields.String(), allow_none=True)
    seed_hash = fields.String(required=True, metadata={
        "description": "SHA-256 of the seed, hex: published when the draw is committed"})
    eligible_digest = fields.String(required=True, metadata={
        "description": "SHA-256 of the frozen eligible list (canonical JSON), hex"})
    eligible = fields.Dict(**CODES_BY_COUNTY, required=True,
                           metadata={"description": "county -> eligible codes, frozen"})
    committed_by = fields.String(required=True)
    committed_at = fields.DateTime(required=True)
    seed = fields.String(allow_none=True, metadata={"description": "null until revealed"})
    sample = fields.Dict(**CODES_BY_COUNTY, allow_none=True,
                         metadata={"description": "county -> drawn codes; null until revealed"})
    revealed_by = fields.String(allow_none=True)
    revealed_at = fields.DateTime(allow_none=True)
    redraw_of_id = fields.Integer(allow_none=True, metadata={
        "description": "the draw this one replaced"})
    redrawn_as_id = fields.Integer(allow_none=True, metadata={
        "description": "the draw that replaced this one"})
    superseded_by = fields.String(allow_none=True)
    superseded_at = fields.DateTime(allow_none=True)
    superseded_reason = fields.String(allow_none=True)
    history = fields.List(fields.Nested(DrawHistoryItem), required=True, metadata={
        "description": "every draw of its redraw chain, first to last"})


class SpotCheckQuery(PageQuery):
    period = period_field()
    status = one_of(DRAW_STATUSES)

# -- inspections ------------------------------------------------------------------------------


class FindingIn(Schema):
    indicator_code = slug(required=True)
    value = fields.Float(required=True, validate=VALUE, metadata={
        "description": "as for evidence; for an inspection indicator, the points given"})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class InspectionIn(Schema):
    community_code = code_field(required=True)
    period = period_field(required=True)
    kind = one_of(INSPECTION_KINDS, required=True)
    draw_id = id_field(allow_none=True, metadata={"description": "spot_check: the draw"})
    held_on = fields.Date(required=True)
    summary = fields.String(allow_none=True, validate=validate.Length(max=5000))
    findings = fields.List(fields.Nested(FindingIn), required=True,
                           validate=validate.Length(min=1, max=200))


class Inspection(InspectionIn):
    id = fields.Integer(required=True)
    inspector = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)


class InspectionQuery(PageQuery):
    community_code = code_field()
    period = period_field()
    kind = one_of(INSPECTION_KINDS)
