"""The registry service's RPC contract: units, their reorganisation, lineage and stage,
legal advisers and coverage, records kept by kind, bulk import, and who may call what.
Self-governance (bodies and elections, meetings, grids, funding, culture works and the
civil-affairs return) is in ``self_governance``."""
import unicodedata

from marshmallow import Schema, fields, validate

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import Job, PageQuery, code_field, count_field, id_field
from fazhi_common.contracts.api import ScheduleRunIn as ScheduleRunIn
from fazhi_common.contracts.api import self_governance as sg
from fazhi_common.contracts.roles import (
    CIVIL_AFFAIRS_OFFICER,
    JUSTICE_OFFICER,
    PLATFORM_ADMIN,
    STAFF,
)

COUNTY_KINDS = tuple(vocabulary.COUNTY_KINDS)
TOWN_KINDS = tuple(vocabulary.TOWN_KINDS)
# a unit's kind is also its class for evaluation (分类指导)
URBAN_COMMUNITY, RURAL_COMMUNITY, VILLAGE = "urban_community", "rural_community", "village"
COMMUNITY_KINDS = (URBAN_COMMUNITY, RURAL_COMMUNITY)
UNIT_KINDS = COMMUNITY_KINDS + (VILLAGE,)
# NBS urban-rural classification (城乡分类代码): 111 主城区, 112 城乡结合区, 121 镇中心区,
# 122 镇乡结合区, 123 特殊区域 (towns and cities); 210 乡中心区, 220 村庄 (countryside)
URBAN_RURAL_CODES = tuple(vocabulary.URBAN_RURAL_CODES)
# reorganisation of villages (转、并、联)
CONVERT, MERGE, FEDERATE = "convert", "merge", "federate"
REORGANISATION_KINDS = (CONVERT, MERGE, FEDERATE)
ADVISER_KINDS = tuple(vocabulary.ADVISER_KINDS)
EDUCATION_PLACE_KINDS = tuple(vocabulary.EDUCATION_PLACE_KINDS)
CULTURE_VENUE_KINDS = tuple(vocabulary.CULTURE_VENUE_KINDS)
DISCLOSURE_KINDS = tuple(vocabulary.DISCLOSURE_KINDS)
TARGET_GROUPS = tuple(vocabulary.TARGET_GROUPS)

# bidirectional controls (U+202E turns "村委会" around on screen) and invisible
# zero-width characters: two names differing only by them look the same to a reader
_INVISIBLE = dict.fromkeys(map(ord, "\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b"
                                    "\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069"
                                    "\ufeff"))


def normalise_name(text):
    """A unit's name as stored and compared: NFC, without bidi controls or zero-width
    characters, no spaces at either end."""
    return unicodedata.normalize("NFC", str(text)).translate(_INVISIBLE).strip()


class UnitName(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return normalise_name(super()._deserialize(value, attr, data, **kwargs))


Name = UnitName(required=True, validate=validate.Length(min=1, max=100))


def one_of(choices, **kwargs):
    return fields.String(validate=validate.OneOf(choices), **kwargs)


# -- units -----------------------------------------------------------------------------

class CountyIn(Schema):
    code = code_field(required=True)
    name = Name
    kind = one_of(COUNTY_KINDS, required=True)


class County(CountyIn):
    created_at = fields.DateTime()


class TownIn(Schema):
    code = code_field(required=True)
    county_code = code_field(required=True)
    name = Name
    kind = one_of(TOWN_KINDS, required=True)


class Town(TownIn):
    created_at = fields.DateTime()


class CommunityIn(Schema):
    code = code_field(required=True)
    town_code = code_field(required=True)
    name = Name
    kind = one_of(UNIT_KINDS, required=True)
    economic_tier = fields.String(allow_none=True, validate=validate.Length(max=32))
    collective_finances_busy = fields.Boolean(metadata={
        "description": "集体财务往来较多: finances disclosed monthly, else quarterly "
                       "(村民委员会组织法第三十条)"}, load_default=False)
    reorganised_on = fields.Date(allow_none=True)
    # NBS urban-rural classification code (城乡分类代码)
    urban_rural_code = one_of(URBAN_RURAL_CODES, allow_none=True)


class CommunityChange(Schema):
    name = UnitName(validate=validate.Length(min=1, max=100))
    economic_tier = fields.String(allow_none=True, validate=validate.Length(max=32))
    collective_finances_busy = fields.Boolean(metadata={
        "description": "集体财务往来较多: finances disclosed monthly, else quarterly "
                       "(村民委员会组织法第三十条)"})


class Community(Schema):
    code = fields.String()
    town_code = fields.String()
    county_code = fields.String()
    name = fields.String()
    kind = fields.String()
    urban_rural_code = fields.String(allow_none=True)
    status = fields.String()
    economic_tier = fields.String(allow_none=True)
    collective_finances_busy = fields.Boolean()
    reorganised_on = fields.Date(allow_none=True)
    deactivated_on = fields.Date(allow_none=True)
    federated_into = fields.String(allow_none=True)


class UnitQuery(PageQuery):
    county_code = code_field()
    town_code = code_field()
    kind = one_of(UNIT_KINDS)
    status = one_of(tuple(vocabulary.UNIT_STATUSES))
    name = fields.String(validate=validate.Length(max=100))


class CountyQuery(PageQuery):
    kind = one_of(COUNTY_KINDS)


class TownQuery(PageQuery):
    county_code = code_field()


# -- reorganisation, lineage, stage -----------------------------------------------------

class NewUnit(Schema):
    name = Name
    kind = one_of(UNIT_KINDS, required=True)
    town_code = code_field(required=True)
    economic_tier = fields.String(allow_none=True)


class ReorganisationIn(Schema):
    kind = one_of(REORGANISATION_KINDS, required=True)
    effective_on = fields.Date(required=True)
    source_codes = fields.List(code_field(), required=True, validate=validate.Length(min=1))
    result_code = code_field(required=True)
    new_unit = fields.Nested(NewUnit, allow_none=True,
                             metadata={"description": "Give when result_code is not yet "
                                                      "registered: the unit to create."})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class Reorganisation(Schema):
    id = fields.Integer()
    kind = fields.String()
    effective_on = fields.Date()
    result_code = fields.String()
    source_codes = fields.List(fields.String())
    note = fields.String(allow_none=True)


class Lineage(Schema):
    code = fields.String()
    became = fields.List(fields.Nested(Reorganisation),
                         metadata={"description": "Reorganisations this unit went into, "
                                                  "followed forward."})
    made_of = fields.List(fields.Nested(Reorganisation),
                          metadata={"description": "Reorganisations that formed this unit, "
                                                   "followed back."})


class StageQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))


class Stage(Schema):
    code = fields.String()
    year = fields.Integer()
    stage = fields.String(metadata={"enum": list(vocabulary.CAMPAIGN_STAGES)})
    reorganised_on = fields.Date(allow_none=True)


# -- legal advisers and coverage --------------------------------------------------------------

class AdviserAssignmentIn(Schema):
    community_code = code_field(required=True)
    adviser_name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    adviser_kind = one_of(ADVISER_KINDS, required=True)
    organisation = fields.String(allow_none=True, validate=validate.Length(max=100))
    assigned_on = fields.Date(required=True)


class AdviserAssignment(AdviserAssignmentIn):
    id = fields.Integer()
    removed_on = fields.Date(allow_none=True)


class AdviserRemovalIn(Schema):
    removed_on = fields.Date(required=True)


class AdviserQuery(PageQuery):
    community_code = code_field()
    county_code = code_field()
    current = fields.Boolean()


class CoverageQuery(Schema):
    county_code = code_field()


class TownCoverage(Schema):
    town_code = fields.String()
    town_name = fields.String()
    communities = fields.Integer()
    with_adviser = fields.Integer()
    adviser_share = fields.Float(allow_none=True)
    education_places = fields.Integer()


class CountyCoverage(Schema):
    county_code = fields.String()
    county_name = fields.String()
    communities = fields.Integer()
    with_adviser = fields.Integer()
    adviser_share = fields.Float(allow_none=True)
    culture_venues = fields.Integer()
    towns = fields.List(fields.Nested(TownCoverage))


class Coverage(Schema):
    counties = fields.List(fields.Nested(CountyCoverage))
    counties_lacking_venue = fields.List(fields.String())
    venue_coverage = fields.Float(allow_none=True)


# -- records kept by kind ---------------------------------------------------------------

class EducationPlaceIn(Schema):
    kind = one_of(EDUCATION_PLACE_KINDS, required=True)
    name = Name
    town_code = code_field(required=True)
    community_code = code_field(allow_none=True)


class CultureVenueIn(Schema):
    county_code = code_field(required=True)
    kind = one_of(CULTURE_VENUE_KINDS, required=True)
    name = Name
    opened_on = fields.Date(allow_none=True)


class ConventionIn(Schema):
    community_code = code_field(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    adopted_on = fields.Date(required=True)
    revised_on = fields.Date(allow_none=True)


class DisclosureIn(Schema):
    community_code = code_field(required=True)
    kind = one_of(DISCLOSURE_KINDS, required=True)
    period = fields.String(required=True, validate=validate.Regexp(
        r"^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$", error="A period is YYYY-Qn or YYYY-MM."))
    disclosed_on = fields.Date(required=True)


class LegalReviewIn(Schema):
    community_code = code_field(required=True)
    decision = fields.String(required=True, validate=validate.Length(min=1, max=200))
    reviewed_on = fields.Date(required=True)
    reviewer = fields.String(required=True, validate=validate.Length(min=1, max=100))
    conclusion = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class VolunteerIn(Schema):
    county_code = code_field(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    speciality = fields.String(allow_none=True, validate=validate.Length(max=100))


class OutreachIn(Schema):
    volunteer_id = id_field(required=True)
    community_code = code_field(required=True)
    held_on = fields.Date(required=True)
    target_group = one_of(TARGET_GROUPS, required=True)
    participants = count_field(required=True)
    topic = fields.String(required=True, validate=validate.Length(min=1, max=200))


class HealthCheckIn(Schema):
    county_code = code_field(required=True)
    enterprise_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    credit_code = fields.String(required=True, metadata={
        "description": "18-character unified social credit code"})
    lawyer_name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    checked_on = fields.Date(required=True)
    findings = fields.String(allow_none=True)


def _with_id(schema, extra=None):
    attrs = {"id": fields.Integer()}
    attrs.update(extra or {})
    return type(schema.__name__[:-2], (schema,), attrs)


# record kind -> (request schema, response schema); the service and gateway share this
RECORD_KINDS = {
    "education_places": (EducationPlaceIn, _with_id(EducationPlaceIn)),
    "culture_venues": (CultureVenueIn, _with_id(CultureVenueIn)),
    "conventions": (ConventionIn, _with_id(ConventionIn)),
    "disclosures": (DisclosureIn, _with_id(DisclosureIn, {"on_time": fields.Boolean()})),
    "legal_reviews": (LegalReviewIn, _with_id(LegalReviewIn)),
    "volunteers": (VolunteerIn, _with_id(VolunteerIn)),
    "outreach_activities": (OutreachIn, _with_id(OutreachIn)),
    "health_checks": (HealthCheckIn, _with_id(HealthCheckIn)),
    "meetings": (sg.MeetingIn, sg.Meeting),
    "major_matters": (sg.MajorMatterIn, sg.MajorMatter),
    "grids": (sg.GridIn, _with_id(sg.GridIn)),
    "grid_reports": (sg.GridReportIn, sg.GridReport),
    "funding_lines": (sg.FundingLineIn, _with_id(sg.FundingLineIn)),
    "purchased_services": (sg.PurchasedServiceIn, _with_id(sg.PurchasedServiceIn)),
    "culture_performances": (sg.CulturePerformanceIn, _with_id(sg.CulturePerformanceIn)),
}


class RecordQuery(PageQuery):
    county_code = code_field()
    community_code = code_field()
    year = fields.Integer(validate=validate.Range(min=1990, max=2100))


class HealthCheckTargetIn(Schema):
    county_code = code_field(required=True)
    year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))
    target = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))


class HealthCheckTarget(HealthCheckTargetIn):
    pass


class CountyHealthChecks(Schema):
    county_code = fields.String()
    checks = fields.Integer(metadata={"description": "checks recorded, repeats included"})
    checked = fields.Integer(metadata={"description": "distinct enterprises (credit code)"})
    target = fields.Integer(allow_none=True, metadata={
        "description": "the county's own target for the year; null while none is set"})
    share_of_target = fields.Float(allow_none=True)


class HealthCheckProgress(Schema):
    year = fields.Integer()
    county_code = fields.String(allow_none=True)
    checks = fields.Integer()
    checked = fields.Integer(metadata={"description": "distinct enterprises (credit code)"})
    target = fields.Integer(allow_none=True)
    share_of_target = fields.Float(allow_none=True)
    counties = fields.List(fields.Nested(CountyHealthChecks))


class OutreachSummary(Schema):
    target_group = fields.String()
    activities = fields.Integer()
    participants = fields.Integer()


# -- bulk import --------------------------------------------------------------------------

class ImportRow(Schema):
    """One row of a unit list; ``level`` and ``kind`` are derived when absent."""

    line = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    level = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    urban_rural_code = fields.String(allow_none=True)


class ImportRowError(Schema):
    line = fields.Integer()
    code = fields.String(allow_none=True)
    # the row's messages by field, kept under "fields" like every problem answer's
    field_errors = fields.Dict(keys=fields.String(), values=fields.Raw(), data_key="fields",
                               attribute="fields")


class ImportResult(Schema):
    # rows read and checked (blank lines not counted): what a dry run reports beside failed
    checked = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    failed = fields.Integer()
    errors = fields.List(fields.Nested(ImportRowError))
    # rows imported nonetheless, e.g. a kind that contradicts the NBS numbering of the code
    warnings = fields.List(fields.Nested(ImportRowError))
    job = fields.Nested(Job, metadata={
        "description": "a long list is imported by this background job (answered with "
                       "202): poll it; its result holds these counts and the row report"})


class ImportFileIn(Schema):
    # case-insensitive by character classes, not an inline (?i): JSON Schema's patterns
    # (and the generators that read them) know no inline flags
    filename = fields.String(required=True, validate=validate.Regexp(
        r".+\.([cC][sS][vV]|[xX][lL][sS][xX])$", error="Upload a .csv or .xlsx file."))
    content_base64 = fields.String(required=True)
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "Check every row and report, write nothing."})


# -- who may call what (checked by the gateway and again by the service) -----------------

READERS = STAFF
# civil affairs keeps the registry of units, self-governance and democratic management
UNIT_WRITERS = frozenset({PLATFORM_ADMIN, CIVIL_AFFAIRS_OFFICER})
# justice runs legal advisers, legal education, volunteers and enterprise health checks
LEGAL_SERVICE_WRITERS = frozenset({PLATFORM_ADMIN, JUSTICE_OFFICER})
# the timers' jobs run on demand only for the platform's operators
SCHEDULE_RUNNERS = frozenset({PLATFORM_ADMIN})
RECORD_WRITERS = {
    "education_places": LEGAL_SERVICE_WRITERS,
    "culture_venues": LEGAL_SERVICE_WRITERS,
    "conventions": UNIT_WRITERS,
    "disclosures": UNIT_WRITERS,
    # justice officers review major decisions too (法律论证)
    "legal_reviews": UNIT_WRITERS | {JUSTICE_OFFICER},
    "volunteers": LEGAL_SERVICE_WRITERS,
    "outreach_activities": LEGAL_SERVICE_WRITERS,
    "health_checks": LEGAL_SERVICE_WRITERS,
    # community self-governance: civil affairs keeps these
    "meetings": UNIT_WRITERS,
    "major_matters": UNIT_WRITERS,
    "grids": UNIT_WRITERS,
    "grid_reports": UNIT_WRITERS,
    "funding_lines": UNIT_WRITERS,
    "purchased_services": UNIT_WRITERS,
    # rule-of-law culture: civil affairs and justice (legal publicity) both record them
    "culture_performances": UNIT_WRITERS | {JUSTICE_OFFICER},
}
