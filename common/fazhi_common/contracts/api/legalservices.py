"""The legal services service's RPC contract (justice bureau, public legal service
section): legal aid and the 12348 hotline (moved from mediation with their paths), the
government legal advisers of city, county and town governments, and lawyers' work in
communities (律师进社区)."""
from marshmallow import Schema, fields, validate, validates_schema

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import PageQuery, code_field, id_field
from fazhi_common.contracts.api import mediation as _mediation
from fazhi_common.contracts.api.mediation import (
    PERIOD_DATE,
    AreaPeriodQuery,
    Deadline,
    Party,
    PartyIn,
    ReasonIn,
    StepIn,
    TrackIn,
    _dates_in_order,
    one_of,
)
from fazhi_common.contracts.roles import (
    EVERYONE,
    JUSTICE_OFFICER,
    MEDIATOR,
    PLATFORM_ADMIN,
    STAFF,
    VIEWER,
)

# the overdue scan's date, and what a resident following an application sees, are the same
# for a case and for legal aid
OverdueScanIn = _mediation.OverdueScanIn
Tracked = _mediation.Tracked
CaseOverdueScanResult = _mediation.OverdueScanResult
# legal aid's receipt numbers start so (LA2025-0000001); mediation's with M
LEGAL_AID_RECEIPT_PREFIX = "LA"
LEGAL_AID_STATUSES = tuple(vocabulary.LEGAL_AID_STATUSES)
LEGAL_AID_DEADLINES = tuple(vocabulary.LEGAL_AID_DEADLINES)
LEGAL_AID_OUTCOMES = tuple(vocabulary.LEGAL_AID_RESULTS)
PROVIDER_KINDS = tuple(vocabulary.PROVIDER_KINDS)
HOTLINE_TOPICS = tuple(vocabulary.HOTLINE_TOPICS)
GOVERNMENT_LEVELS = tuple(vocabulary.GOVERNMENT_LEVELS)
ADVISER_KINDS = tuple(vocabulary.GOVERNMENT_ADVISER_KINDS)
OPINION_KINDS = tuple(vocabulary.OPINION_KINDS)


class LegalAidDeadline(Deadline):
    deadline = fields.String(metadata={"enum": list(LEGAL_AID_DEADLINES)})


class LegalAidDeadlineChange(Schema):
    """A running deadline the platform moved because the working calendar changed."""

    deadline = fields.String(metadata={"enum": list(LEGAL_AID_DEADLINES)})
    previous_due_on = fields.Date()
    due_on = fields.Date()
    changed_on = fields.Date()
    reason = fields.String(metadata={"description": "working_calendar: the override file "
                                                    "or a calendar package changed"})


# -- legal aid ------------------------------------------------------------------------------

class PublicLegalAidIn(Schema):
    """A resident's own legal-aid application from a portal."""

    community_code = code_field(required=True)
    applicant = fields.Nested(PartyIn, required=True)
    matter = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class LegalAidIn(PublicLegalAidIn):
    received_on = fields.Date(allow_none=True)


class LegalAidReceipt(Schema):
    id = fields.Integer()
    receipt_number = fields.String()
    secret = fields.String(metadata={"description": "Shown only once."})
    status = fields.String()
    received_on = fields.Date()
    decision_due_on = fields.Date()


class LegalAid(Schema):
    id = fields.Integer()
    community_code = fields.String()
    county_code = fields.String()
    applicant = fields.Nested(Party)
    matter = fields.String()
    case_id = fields.Integer(allow_none=True)
    channel = fields.String()
    received_on = fields.Date()
    status = fields.String(metadata={"enum": list(LEGAL_AID_STATUSES)})
    decided_on = fields.Date(allow_none=True)
    refusal_reason = fields.String(allow_none=True)
    objection_route = fields.String(allow_none=True)
    objection_reason = fields.String(allow_none=True)
    objection_decision = fields.String(allow_none=True)
    provider = fields.String(allow_none=True)
    provider_kind = fields.String(allow_none=True)
    assigned_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True)
    outcome_note = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    missing_materials = fields.String(allow_none=True)
    materials_due_on = fields.Date(allow_none=True, metadata={
        "description": "While materials are awaited: the day they must come by."})
    termination_reason = fields.String(allow_none=True)
    objection_to = fields.String(allow_none=True, metadata={"enum": ["refusal",
                                                                     "termination"]})
    overdue = fields.Boolean()
    receipt_number = fields.String(allow_none=True)
    secret = fields.String(metadata={"description": "Only when the application is made: "
                                                    "hand it to the applicant."})
    deadlines = fields.List(fields.Nested(LegalAidDeadline))
    deadline_changes = fields.List(fields.Nested(LegalAidDeadlineChange))
    next_actions = fields.List(fields.String(), metadata={
        "description": "The steps the application may take next "
                       "(POST /legal-aid/{id}/<step>)."})
    personal_data_masked = fields.Boolean()


class AssignProviderIn(StepIn):
    provider = fields.String(required=True, validate=validate.Length(min=1, max=100),
                             metadata={"description": "The lawyer or legal-aid worker."})
    provider_kind = one_of(PROVIDER_KINDS, required=True)


class LegalAidCloseIn(StepIn):
    outcome = one_of(tuple(vocabulary.LEGAL_AID_OUTCOMES), allow_none=True, metadata={
        "description": "For an aided matter; a refusal closes as refused."})


class MaterialsRequestIn(StepIn):
    missing = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                            metadata={"description": "Every missing material, told at once "
                                                     "(法律援助法 第四十三条)."})
    supply_by = fields.Date(allow_none=True, metadata={
        "description": "The day the materials must come by (default: the period of "
                       "LEGAL_AID_RULES.materials after the request)."})


LEGAL_AID_ACTIONS = {
    "request_materials": MaterialsRequestIn,
    "supply_materials": StepIn,
    "grant": StepIn,
    "refuse": ReasonIn,
    "assign": AssignProviderIn,
    "object": ReasonIn,
    "uphold_objection": StepIn,
    "dismiss_objection": ReasonIn,
    "terminate": ReasonIn,
    "close": LegalAidCloseIn,
}


class ObjectionIn(TrackIn):
    """The applicant objects to a refusal or a termination (法律援助法 第四十九条)."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class LegalServiceStatisticsQuery(AreaPeriodQuery):
    pass


class LegalAidStatisticsRow(Schema):
    county_code = fields.String(allow_none=True)
    received = fields.Integer()
    decided = fields.Integer()
    granted = fields.Integer(metadata={"description": "Granted, including after an "
                                                      "upheld objection."})
    refused = fields.Integer()
    objections = fields.Integer()
    objections_upheld = fields.Integer()
    assigned = fields.Integer()
    closed = fields.Integer()
    overdue = fields.Integer()
    grant_rate = fields.Float(allow_none=True)


class LegalAidStatistics(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    rows = fields.List(fields.Nested(LegalAidStatisticsRow))
    total = fields.Nested(LegalAidStatisticsRow)


class HotlineStatisticsRow(Schema):
    topic = fields.String()
    county_code = fields.String()
    month = fields.String(metadata={"description": "YYYY-MM"})
    consultations = fields.Integer()


class HotlineStatistics(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    rows = fields.List(fields.Nested(HotlineStatisticsRow), metadata={
        "description": "One row per topic, county and month."})
    by_topic = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()


class LegalServiceQuery(PageQuery):
    community_code = code_field()
    county_code = code_field()
    date_from = fields.Date()
    date_to = fields.Date()


class ConsultationIn(Schema):
    community_code = code_field(required=True)
    consulted_on = fields.Date(required=True)
    topic = one_of(HOTLINE_TOPICS, required=True)
    summary = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    caller_phone = fields.String(allow_none=True, validate=validate.Regexp(
        r"^\+?[0-9][0-9 -]{4,19}$", error="A phone number is 5 to 20 digits."))
    answered_by = fields.String(required=True, validate=validate.Length(min=1, max=100))


class Consultation(Schema):
    id = fields.Integer()
    community_code = fields.String()
    county_code = fields.String()
    consulted_on = fields.Date()
    topic = fields.String()
    summary = fields.String()
    caller_phone = fields.String(allow_none=True)
    answered_by = fields.String()
    personal_data_masked = fields.Boolean()




# -- government legal advisers (三级政府法律顾问) ----------------------------------------------

class GovernmentAdviserIn(Schema):
    government_code = code_field(required=True, metadata={
        "description": "12-digit code of the city, county or town whose government is served."})
    government_body = fields.String(required=True, validate=validate.Length(min=1, max=100),
                                    metadata={"description": "The body served, e.g. "
                                                             "某区人民政府."})
    adviser_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    adviser_kind = one_of(ADVISER_KINDS, required=True)
    firm = fields.String(allow_none=True, validate=validate.Length(min=1, max=100),
                         metadata={"description": "A person's law firm, if any."})
    term_start = fields.Date(required=True, validate=PERIOD_DATE)
    term_end = fields.Date(required=True, validate=PERIOD_DATE)

    @validates_schema
    def _order(self, data, **_kwargs):
        _dates_in_order(data, "term_start", "term_end")


class GovernmentAdviser(GovernmentAdviserIn):
    id = fields.Integer()
    level = fields.String(metadata={"enum": list(GOVERNMENT_LEVELS)})
    county_code = fields.String(allow_none=True)
    opinions = fields.Integer(metadata={"description": "Opinions given so far."})


class GovernmentAdviserQuery(PageQuery):
    level = one_of(GOVERNMENT_LEVELS)
    government_code = code_field()
    current_on = fields.Date(metadata={"description": "Only contracts running that day."})


class OpinionIn(Schema):
    matter = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    given_on = fields.Date(required=True, validate=PERIOD_DATE)
    kind = one_of(OPINION_KINDS, required=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class Opinion(OpinionIn):
    id = fields.Integer()
    adviser_id = fields.Integer()
    government_code = fields.String()


class OpinionQuery(PageQuery):
    adviser_id = id_field()
    kind = one_of(OPINION_KINDS)


class AdviserCoverageQuery(Schema):
    on = fields.Date(metadata={"description": "Contracts running that day (default today)."})


class LevelCoverage(Schema):
    level = fields.String()
    governments = fields.Integer()
    with_adviser = fields.Integer()
    coverage = fields.Float(allow_none=True)
    without = fields.List(fields.String(), metadata={
        "description": "Codes of the governments with no adviser under contract."})


class AdviserCoverage(Schema):
    on = fields.Date()
    levels = fields.List(fields.Nested(LevelCoverage))


# -- lawyers in communities (律师进社区) ------------------------------------------------------

class CommunityVisitIn(Schema):
    community_code = code_field(required=True)
    lawyer = fields.String(required=True, validate=validate.Length(min=1, max=100))
    visited_on = fields.Date(required=True, validate=PERIOD_DATE)
    hours = fields.Float(required=True, validate=validate.Range(min=0.25, max=24))
    topic = fields.String(required=True, validate=validate.Length(min=1, max=200))
    residents_served = fields.Integer(strict=True, required=True,
                                      validate=validate.Range(min=0, max=100000))


class CommunityVisit(CommunityVisitIn):
    id = fields.Integer()
    county_code = fields.String()
    town_code = fields.String()
    community_adviser = fields.String(allow_none=True, metadata={
        "description": "The community's legal adviser in the registry that day, if any."})


class VisitQuery(PageQuery):
    community_code = code_field()
    county_code = code_field()
    date_from = fields.Date()
    date_to = fields.Date()


class VisitTotalsQuery(AreaPeriodQuery):
    pass


class VisitTotalsRow(Schema):
    code = fields.String()
    visits = fields.Integer()
    hours = fields.Float()
    residents_served = fields.Integer()
    lawyers = fields.Integer()
    legal_adviser = fields.String(allow_none=True, metadata={
        "description": "Communities: the adviser the registry holds now."})


class VisitTotals(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    communities = fields.List(fields.Nested(VisitTotalsRow))
    counties = fields.List(fields.Nested(VisitTotalsRow))


class LegalAidScanResult(Schema):
    today = fields.Date()
    legal_aid_raised = fields.Integer()
    legal_aid_ids = fields.List(fields.Integer())
    withdrawn_ids = fields.List(fields.Integer(), metadata={
        "description": "Deemed withdrawn: materials not supplied by the day given."})


class CombinedOverdueScan(CaseOverdueScanResult, LegalAidScanResult):
    """The gateway's answer to mediation's overdue scan: the cases' and legal aid's."""


# -- who may call what (checked by the gateway and again by the service) -----------------

# the justice bureau's legal service staff; town justice offices' mediators record too
LEGAL_SERVICE_WRITERS = frozenset({PLATFORM_ADMIN, JUSTICE_OFFICER, MEDIATOR})
LEGAL_SERVICE_READERS = LEGAL_SERVICE_WRITERS | {VIEWER}
# the legal-aid agency decides, assigns and closes; the justice bureau reviews objections
LEGAL_AID_DECIDERS = frozenset({PLATFORM_ADMIN, JUSTICE_OFFICER})
ADVISER_WRITERS = LEGAL_AID_DECIDERS
APPLICANTS = EVERYONE  # the public form: anonymous callers act as residents
TRACKERS = EVERYONE
READERS = STAFF
