"""The registry's contract for community self-governance: its bodies (the party
organisation's fields among them) and their elections, assemblies and meetings, the
"四议两公开" steps of a major matter, grids and what grid workers find, funding and purchased
services, rule-of-law culture performances, and the self-governance figures of the
civil-affairs return. Who may call them is named with the registry's role sets."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import PageQuery, code_field, count_field, id_field

# a dispute a grid worker finds goes to mediation under one of mediation's categories
from fazhi_common.contracts.api.mediation import DISPUTE_CATEGORIES, AreaPeriodQuery

PARTY_ORGANISATION = "party_organisation"
BODY_KINDS = tuple(vocabulary.BODY_KINDS)
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
NOTHING_TO_CHANGE = "Name at least one field to change."


def money(**kwargs):
    return fields.Float(validate=validate.Range(min=0, max=1e11), **kwargs)


class Change(Schema):
    """A change to a kept record: at least one of its fields (an empty body changes
    nothing and is refused)."""

    @validates_schema
    def _something(self, data, **_kwargs):
        if not data:
            raise ValidationError(NOTHING_TO_CHANGE, "_body")


def one_of(choices, **kwargs):
    return fields.String(validate=validate.OneOf(choices), **kwargs)


# -- self-governance bodies, their members and elections -----------------------------------

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


class MemberIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    role = fields.String(required=True, validate=validate.Length(min=1, max=32))
    started_on = fields.Date(required=True)


class Member(MemberIn):
    id = fields.Integer()
    ended_on = fields.Date(allow_none=True)


class GovernanceBodyIn(PartyFields):
    community_code = code_field(required=True)
    kind = one_of(BODY_KINDS, required=True)
    term_years = fields.Integer(validate=validate.Range(min=1, max=10))
    term_started_on = fields.Date(allow_none=True)
    members = fields.List(fields.Nested(MemberIn), load_default=list)


class GovernanceBody(PartyFields):
    id = fields.Integer()
    community_code = fields.String()
    kind = fields.String()
    term_years = fields.Integer()
    term_started_on = fields.Date(allow_none=True)
    term_ends_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    due_for_election = fields.Boolean()
    members = fields.List(fields.Nested(Member))


class BodyQuery(PageQuery):
    community_code = code_field()
    county_code = code_field()
    due_for_election = fields.Boolean()


class ElectionIn(Schema):
    held_on = fields.Date(required=True)
    eligible_voters = fields.Integer(required=True, strict=True,
                                     validate=validate.Range(min=1, max=10_000_000))
    votes_cast = count_field(required=True)
    result = one_of(tuple(vocabulary.ELECTION_RESULTS), required=True)
    members = fields.List(fields.Nested(MemberIn), load_default=list,
                          metadata={"description": "The members elected (replace the "
                                                   "sitting members when result is elected)."})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class Election(Schema):
    id = fields.Integer()
    body_id = fields.Integer()
    held_on = fields.Date()
    eligible_voters = fields.Integer()
    votes_cast = fields.Integer()
    turnout_rate = fields.Float(allow_none=True)
    result = fields.String()
    note = fields.String(allow_none=True)


class ElectionDueRun(Schema):
    announced = fields.List(fields.Integer(), required=True, metadata={
        "description": "bodies whose coming election was announced (election_due)"})


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


class FundingLineChange(Change):
    """The year's money as it is spent: the budget revised, what has been spent so far.
    Spending beyond the budget is recorded as it happened."""

    budgeted = money(metadata={"description": "the budget as revised; evaluation counts "
                                              "the line while it is above 0"})
    spent = money(metadata={"description": "spent so far this year (may exceed the budget)"})


class PurchasedServiceChange(Change):
    """A service evaluated at its end, and paid as its contract says."""

    evaluation_result = one_of(SERVICE_EVALUATIONS)
    paid = money(metadata={"description": "paid so far; never more than the contract amount"})


# -- rule-of-law culture works and their tour performances ------------------------------------

class CulturePerformanceIn(Schema):
    community_code = code_field(required=True)
    work_title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    work_kind = one_of(CULTURE_WORK_KINDS, required=True)
    troupe = fields.String(required=True, validate=validate.Length(min=1, max=100))
    performed_on = fields.Date(required=True)
    audience = count_field(required=True)


# -- self-governance figures (the civil-affairs return) -----------------------------------

class GovernanceFiguresQuery(AreaPeriodQuery):
    pass


class GovernanceFigures(Schema):
    communities = fields.Integer(metadata={"description": "active urban and rural communities"})
    villages = fields.Integer(metadata={"description": "active administrative villages"})
    with_party_organisation = fields.Integer(metadata={
        "description": "units with a party organisation not ended"})
    assemblies = fields.Integer(metadata={"description": "meetings held in the period"})
    quorate_assemblies = fields.Integer()
    with_convention = fields.Integer(metadata={
        "description": "units with a residents' convention adopted by the period's end"})
    grids = fields.Integer(metadata={"description": "grids standing at the period's end"})
    elections_due = fields.Integer(metadata={
        "description": "bodies whose term has ended by the period's end, not yet "
                       "re-elected"})
    elections_held = fields.Integer(metadata={"description": "elections held in the period"})


class TownGovernanceFigures(GovernanceFigures):
    town_code = fields.String()
    town_name = fields.String()


class CountyGovernanceFigures(GovernanceFigures):
    county_code = fields.String()
    county_name = fields.String()
    towns = fields.List(fields.Nested(TownGovernanceFigures))


class GovernanceFiguresReport(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    counties = fields.List(fields.Nested(CountyGovernanceFigures))
