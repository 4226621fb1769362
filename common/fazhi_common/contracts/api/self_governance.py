"""The registry's contract for community self-governance records: assemblies and
meetings, the "四议两公开" steps of a major matter, grids and what grid workers find,
funding and purchased services, rule-of-law culture performances; and the party
organisation's fields on a self-governance body."""
from marshmallow import Schema, fields, validate

from fazhi_common.contracts.api import code_field, count_field, id_field

# a dispute a grid worker finds goes to mediation under one of mediation's categories
from fazhi_common.contracts.api.mediation import DISPUTE_CATEGORIES

MEETING_KINDS = ("villagers_meeting", "villagers_representative_meeting",
                 "residents_meeting", "residents_representative_meeting")
GRID_REPORT_KINDS = ("dispute", "risk")
# a grid report's way through mediation, as mediation's events tell it
GRID_REPORT_STATUSES = ("recorded", "referred", "with_mediation", "closed")
FUNDING_SOURCES = ("fiscal", "town", "collective", "donation", "other")
SERVICE_EVALUATIONS = ("excellent", "good", "pass", "fail")
CULTURE_WORK_KINDS = ("drama", "song", "quyi", "video", "exhibition", "other")

Text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
Money = fields.Float(required=True, validate=validate.Range(min=0, max=1e11))


def one_of(choices, **kwargs):
    return fields.String(validate=validate.OneOf(choices), **kwargs)


# -- self-governance bodies: the party organisation's fields, edit and end ------------------

class PartyFields(Schema):
    secretary_name = fields.String(allow_none=True, validate=validate.Length(min=1, max=50),
                                   metadata={"description": "party organisation: secretary"})
    secretary_chairs_committee = fields.Boolean(allow_none=True, metadata={
        "description": "party organisation: the secretary also chairs the residents' or "
                       "villagers' committee (一肩挑)"})


class GovernanceBodyChange(PartyFields):
    term_years = fields.Integer(validate=validate.Range(min=1, max=10))
    term_started_on = fields.Date(allow_none=True, metadata={
        "description": "recording it later starts the term: its end is announced when due"})


class BodyEndIn(Schema):
    ended_on = fields.Date(required=True)


# -- assemblies and meetings --------------------------------------------------------------

class MeetingIn(Schema):
    community_code = code_field(required=True)
    kind = one_of(MEETING_KINDS, required=True)
    held_on = fields.Date(required=True)
    eligible = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=1_000_000), metadata={
        "description": "who may attend in the form held: adults, representatives or "
                       "households' representatives"})
    attended = count_field(required=True)
    households = fields.Integer(allow_none=True, strict=True,
                                validate=validate.Range(min=1, max=1_000_000))
    households_present = count_field(allow_none=True)
    agenda = Text
    resolutions = fields.String(allow_none=True, validate=validate.Length(max=5000))
    votes_for = count_field(allow_none=True, metadata={
        "description": "votes for the resolution, if put to a vote"})


class Meeting(MeetingIn):
    id = fields.Integer()
    quorate = fields.Boolean()
    quorum_rule = fields.String()
    passed = fields.Boolean(allow_none=True)


class MajorMatterIn(Schema):
    """A village's major matter decided by "四议两公开": each step's date when taken."""

    community_code = code_field(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    meeting_id = id_field(allow_none=True, metadata={
        "description": "the villagers' (representatives') meeting that resolved it"})
    proposed_on = fields.Date(required=True)
    discussed_on = fields.Date(allow_none=True)
    reviewed_on = fields.Date(allow_none=True)
    resolved_on = fields.Date(allow_none=True)
    resolution_disclosed_on = fields.Date(allow_none=True)
    result_disclosed_on = fields.Date(allow_none=True)


class MajorMatter(MajorMatterIn):
    id = fields.Integer()
    complete = fields.Boolean()
    missing = fields.List(fields.String())


# -- grids and grid reports ------------------------------------------------------------------

class GridIn(Schema):
    community_code = code_field(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    worker_name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    households = count_field(required=True)
    established_on = fields.Date(required=True)
    ended_on = fields.Date(allow_none=True)


class GridReportIn(Schema):
    grid_id = id_field(required=True)
    kind = one_of(GRID_REPORT_KINDS, required=True)
    found_on = fields.Date(required=True)
    place = fields.String(required=True, validate=validate.Length(min=1, max=200))
    dispute_category = one_of(DISPUTE_CATEGORIES, allow_none=True, metadata={
        "description": "a dispute goes to mediation under this category"})
    description = Text


class GridReport(GridReportIn):
    id = fields.Integer()
    community_code = fields.String()
    status = fields.String(metadata={"enum": list(GRID_REPORT_STATUSES)})
    case_id = fields.Integer(allow_none=True)
    organisation_id = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)


# -- funding and purchased services -----------------------------------------------------------

class FundingLineIn(Schema):
    community_code = code_field(required=True)
    year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))
    source = one_of(FUNDING_SOURCES, required=True)
    budgeted = Money
    spent = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=1e11))


class PurchasedServiceIn(Schema):
    community_code = code_field(required=True)
    provider = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contract_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    amount = Money
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    evaluation_result = one_of(SERVICE_EVALUATIONS, allow_none=True)
    paid = fields.Float(load_default=0.0, validate=validate.Range(min=0, max=1e11))


# -- rule-of-law culture works and their tour performances ------------------------------------

class CulturePerformanceIn(Schema):
    community_code = code_field(required=True)
    work_title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    work_kind = one_of(CULTURE_WORK_KINDS, required=True)
    troupe = fields.String(required=True, validate=validate.Length(min=1, max=100))
    performed_on = fields.Date(required=True)
    audience = count_field(required=True)
