"""The mediation service's RPC contract: organisations, cases and their lifecycle,
deadlines, statistics, and a failed case sent on to legal aid (by an event)."""
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import PageQuery, code_field, id_field
from fazhi_common.contracts.roles import (
    EVERYONE,
    JUSTICE_OFFICER,
    LINKED_DEPARTMENT_OFFICER,
    MEDIATOR,
    PLATFORM_ADMIN,
    STAFF,
    VIEWER,
)

MEDIATION_KINDS = tuple(vocabulary.MEDIATION_KINDS)

# the five linkage kinds every county must have (people's committees are everywhere)
LINKAGE_KINDS = tuple(k for k in MEDIATION_KINDS if k != "people")
# who refers a case, and the mediation kind that channel normally feeds
REFERRER_KINDS = tuple(vocabulary.REFERRER_KINDS)
CHANNELS = tuple(vocabulary.CHANNELS)
DISPUTE_CATEGORIES = tuple(vocabulary.DISPUTE_CATEGORIES)
PARTY_ROLES = tuple(vocabulary.PARTY_ROLES)
CASE_STATUSES = tuple(vocabulary.CASE_STATUSES)
RESULTS = tuple(vocabulary.RESULTS)
TRAFFIC_PROCEDURES = tuple(vocabulary.TRAFFIC_PROCEDURES)
BASIS_DOCUMENTS = tuple(vocabulary.BASIS_DOCUMENTS)
PERIOD_START_EVENTS = tuple(vocabulary.PERIOD_START_EVENTS)
MAX_AMOUNT = 1e11  # yuan; a bound, so the column and the description agree

Text = fields.String(validate=validate.Length(max=2000), allow_none=True)
Department = fields.String(validate=validate.Length(min=1, max=100))


def one_of(choices, **kwargs):
    return fields.String(validate=validate.OneOf(choices), **kwargs)


# A statistics period lies within the years the platform can hold records for; a date
# like 0001-01-01 is a typing slip, and the period's month arithmetic runs off the
# calendar at the ends of what Python's dates allow.
PERIOD_DATE = validate.Range(min=date(1950, 1, 1), max=date(2199, 12, 31),
                             error="must lie between {min} and {max}")


def _dates_in_order(data, first, second):
    if data.get(first) and data.get(second) and data[first] > data[second]:
        raise ValidationError(f"must not be before {first}", second)


# -- organisations ---------------------------------------------------------------------

class OrganisationIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = one_of(MEDIATION_KINDS, required=True)
    county_code = code_field(required=True)
    town_code = code_field(allow_none=True, metadata={
        "description": "The town it serves, if not the whole county."})
    community_code = code_field(allow_none=True, metadata={
        "description": "A community's own people's mediation committee: the community it "
                       "serves (within the town)."})
    department = fields.String(required=True, validate=validate.Length(min=1, max=100),
                               metadata={"description": "Department identifier that runs "
                                                        "it, e.g. justice-330110001."})
    supervising_department = fields.String(allow_none=True,
                                           validate=validate.Length(min=1, max=100))


class Organisation(OrganisationIn):
    id = fields.Integer()
    supervising_department = fields.String()
    created_at = fields.DateTime()


class OrganisationQuery(PageQuery):
    kind = one_of(MEDIATION_KINDS)
    county_code = code_field()
    town_code = code_field()


class CoverageQuery(Schema):
    county_code = code_field()


class CountyMediationCoverage(Schema):
    county_code = fields.String()
    organisations = fields.Dict(keys=fields.String(), values=fields.Integer(),
                                metadata={"description": "Organisations by kind."})
    lacking = fields.List(fields.String(), metadata={
        "description": "Linkage kinds the county has no organisation of."})
    complete = fields.Boolean()


class MediationCoverage(Schema):
    linkage_kinds = fields.List(fields.String())
    counties = fields.List(fields.Nested(CountyMediationCoverage))
    complete_counties = fields.Integer()
    coverage = fields.Float(allow_none=True, metadata={
        "description": "Share of counties with all five linkage kinds (target 1.0)."})
    target = fields.Float()


# -- cases ---------------------------------------------------------------------------------

class PartyIn(Schema):
    role = one_of(PARTY_ROLES, required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    id_number = fields.String(allow_none=True, validate=validate.Regexp(
        r"^\d{17}[\dXx]$", error="A resident ID number is 17 digits and a check character."),
        metadata={"description": "18-character resident ID number (GB 11643)."})
    phone = fields.String(allow_none=True, validate=validate.Regexp(
        r"^\+?[0-9][0-9 -]{4,19}$", error="A phone number is 5 to 20 digits."))


class Party(Schema):
    role = fields.String()
    name = fields.String()
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class ApplicationIn(Schema):
    """A resident's own application for mediation, from a portal."""

    community_code = code_field(required=True)
    dispute_category = one_of(DISPUTE_CATEGORIES, required=True)
    amount_claimed = fields.Float(allow_none=True, validate=validate.Range(min=0,
                                                                           max=MAX_AMOUNT))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    parties = fields.List(fields.Nested(PartyIn), required=True,
                          validate=validate.Length(min=1, max=20))
    organisation_id = id_field(allow_none=True, metadata={
        "description": "Leave out to go to the people's mediation committee serving the "
                       "community."})
    liability_finding_on = fields.Date(allow_none=True, metadata={
        "description": "Traffic disputes (older clients): when the parties received the "
                       "accident liability finding; the same as basis_document "
                       "liability_finding with document_received_on."})
    traffic_procedure = one_of(TRAFFIC_PROCEDURES, allow_none=True, metadata={
        "description": "Traffic disputes: police_mediation (by the traffic police: the "
                       "parties jointly apply within 10 days of receiving the document, "
                       "道路交通安全法实施条例 第九十四条, 道路交通事故处理程序规定 第八十六条) or "
                       "people_mediation (the committee for traffic disputes: no window). "
                       "Default: police_mediation when a police document is named."})
    basis_document = one_of(BASIS_DOCUMENTS, allow_none=True, metadata={
        "description": "Traffic: the document the application follows (liability finding "
                       "认定书, accident certificate 事故证明, review conclusion 复核结论, or "
                       "the termination document 调解终结书 of a failed police mediation)."})
    document_received_on = fields.Date(allow_none=True, metadata={
        "description": "When the parties received basis_document."})


class ReferralIn(ApplicationIn):
    """A dispute referred by a linked department, with the referrer's own reference."""

    organisation_id = id_field(required=True)
    referrer_kind = one_of(REFERRER_KINDS, required=True)
    referrer_department = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "Taken from the caller for a linked-department officer."})
    referrer_reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    received_on = fields.Date(allow_none=True)


class CaseReceipt(Schema):
    """What a resident gets back: enough to quote and to follow the case, nothing
    personal. The secret is shown once; the service keeps only a keyed digest of it."""

    id = fields.Integer()
    status = fields.String()
    received_on = fields.Date()
    organisation_id = fields.Integer()
    receipt_number = fields.String()
    secret = fields.String(metadata={"description": "Give it with the receipt number to "
                                                    "follow the case; shown only once."})


class Deadline(Schema):
    deadline = fields.String(metadata={"enum": ["acceptance", "mediation",
                                                "judicial_confirmation", "court_decision"]})
    due_on = fields.Date(allow_none=True)
    rule = fields.String(metadata={"description": "The rule and dates that produced it."})
    citation = fields.String(allow_none=True, metadata={
        "description": "The law and article the platform applies (docs/rules.md)."})
    provisional = fields.Boolean(metadata={
        "description": "The date reaches a year without a State Council holiday notice "
                       "(the rule says why): a late step near it is flagged, not refused."})
    running = fields.Boolean()


class Case(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    mediation_kind = fields.String()
    channel = fields.String()
    referrer_kind = fields.String(allow_none=True)
    referrer_department = fields.String(allow_none=True)
    referrer_reference = fields.String(allow_none=True)
    dispute_category = fields.String()
    amount_claimed = fields.Float(allow_none=True)
    description = fields.String()
    county_code = fields.String()
    town_code = fields.String()
    community_code = fields.String()
    status = fields.String(metadata={"enum": list(CASE_STATUSES)})
    result = fields.String(allow_none=True)
    mediator = fields.String(allow_none=True)
    received_on = fields.Date()
    accepted_on = fields.Date(allow_none=True)
    liability_finding_on = fields.Date(allow_none=True)
    traffic_procedure = fields.String(allow_none=True)
    basis_document = fields.String(allow_none=True)
    document_received_on = fields.Date(allow_none=True)
    period_start_event = fields.String(allow_none=True)
    period_start_on = fields.Date(allow_none=True)
    court_decision_due_on = fields.Date(allow_none=True)
    court_extended = fields.Boolean()
    officer_review = fields.String(allow_none=True, metadata={
        "description": "A step accepted on a provisional date, for an officer's decision."})
    outcome_note = fields.String(allow_none=True, metadata={
        "description": "What follows a failure (the traffic police's termination document)."})
    acceptance_due_on = fields.Date(allow_none=True)
    mediation_due_on = fields.Date(allow_none=True, metadata={
        "description": "None while an appraisal pauses the period."})
    paused_on = fields.Date(allow_none=True)
    extended = fields.Boolean()
    extensions = fields.Integer()
    extension_reason = fields.String(allow_none=True)
    concluded_on = fields.Date(allow_none=True)
    agreement_terms = fields.String(allow_none=True)
    confirmation_intended = fields.Boolean(allow_none=True, metadata={
        "description": "The parties said they will apply for judicial confirmation (only "
                       "then is the 30-day window watched)."})
    confirmation_due_on = fields.Date(allow_none=True)
    confirmation_court = fields.String(allow_none=True)
    confirmed = fields.Boolean(allow_none=True)
    declined_reason = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    returned_to = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    duration_days = fields.Integer(allow_none=True)
    parties = fields.List(fields.Nested(Party))
    personal_data_masked = fields.Boolean()
    next_actions = fields.List(fields.String(), metadata={
        "description": "The lifecycle steps the case may take next (POST /cases/{id}/<step>)."})
    deadlines = fields.List(fields.Nested(Deadline), metadata={
        "description": "Each deadline with the rule that produced it."})


class CaseQuery(PageQuery):
    status = one_of(CASE_STATUSES)
    mediation_kind = one_of(MEDIATION_KINDS)
    channel = one_of(CHANNELS)
    county_code = code_field()
    community_code = code_field()
    organisation_id = id_field()
    overdue = fields.Boolean()


class Step(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    on = fields.Date()
    at = fields.DateTime()
    actor = fields.String()
    actor_role = fields.String()
    actor_department = fields.String()
    note = fields.String(allow_none=True)


class Timeline(Schema):
    case_id = fields.Integer()
    status = fields.String()
    steps = fields.List(fields.Nested(Step))


# -- lifecycle steps: one body schema per action --------------------------------------

class StepIn(Schema):
    on = fields.Date(allow_none=True, metadata={
        "description": "When it happened (default today; never in the future)."})
    note = Text


class ReasonIn(StepIn):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class AssignMediatorIn(StepIn):
    mediator = fields.String(required=True, validate=validate.Length(min=1, max=100),
                             metadata={"description": "The mediator's user name."})


class ExtensionIn(ReasonIn):
    days = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=365),
                          metadata={"description": "Length in the period's own unit "
                                                   "(default from the service's rules)."})
    parties_consent = fields.Boolean(load_default=False, metadata={
        "description": "The parties agreed (required for medical and litigation-linked "
                       "mediation, which may then be extended more than once)."})


class AgreementIn(StepIn):
    terms = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    parties_will_apply = fields.Boolean(load_default=False, metadata={
        "description": "The parties will apply for judicial confirmation: only then is "
                       "the 30-day application window watched."})


class ConfirmationRequestIn(StepIn):
    court = fields.String(required=True, validate=validate.Length(min=1, max=100),
                          metadata={"description": "Department of the competent court."})
    court_accepted_on = fields.Date(allow_none=True, metadata={
        "description": "When the court accepted the application (its 15 days run from "
                       "then; default: the step's date)."})


class AcceptIn(StepIn):
    period_start_event = one_of(PERIOD_START_EVENTS, allow_none=True, metadata={
        "description": "Traffic police mediation: the event its 10 days run from "
                       "(道路交通安全法实施条例 第九十四条)."})
    period_start_on = fields.Date(allow_none=True)


# action -> its request body; the gateway exposes POST /cases/<id>/<action-with-dashes>
ACTIONS = {
    "accept": AcceptIn,
    "decline": ReasonIn,
    "assign_mediator": AssignMediatorIn,
    "extend": ExtensionIn,
    "pause": ReasonIn,
    "resume": StepIn,
    "record_agreement": AgreementIn,
    "record_failure": ReasonIn,
    "request_confirmation": ConfirmationRequestIn,
    "extend_court_decision": ReasonIn,
    "confirm": StepIn,
    "refuse_confirmation": ReasonIn,
    "resume_mediation": ReasonIn,
    "return_to_referrer": StepIn,
    "close": StepIn,
}


class OverdueScanIn(Schema):
    today = fields.Date(required=True)


class OverdueScanResult(Schema):
    today = fields.Date()
    raised = fields.Integer(metadata={"description": "Overdue events raised by this scan."})
    case_ids = fields.List(fields.Integer())


# -- statistics ---------------------------------------------------------------------------

class AreaPeriodQuery(Schema):
    """Figures of a period (both days counted), of a county or of the caller's whole area."""
    date_from = fields.Date(required=True, validate=PERIOD_DATE)
    date_to = fields.Date(required=True, validate=PERIOD_DATE)
    county_code = code_field()

    @validates_schema
    def _order(self, data, **_kwargs):
        _dates_in_order(data, "date_from", "date_to")


class StatisticsQuery(Schema):
    date_from = fields.Date(required=True, validate=PERIOD_DATE,
                            metadata={"description": "Received on or after."})
    date_to = fields.Date(required=True, validate=PERIOD_DATE,
                          metadata={"description": "Received on or before."})
    mediation_kind = one_of(MEDIATION_KINDS)
    county_code = code_field()

    @validates_schema
    def _order(self, data, **_kwargs):
        _dates_in_order(data, "date_from", "date_to")


class StatisticsRow(Schema):
    mediation_kind = fields.String(allow_none=True)
    county_code = fields.String(allow_none=True)
    volume = fields.Integer()
    accepted = fields.Integer()
    declined = fields.Integer()
    acceptance_rate = fields.Float(allow_none=True, metadata={
        "description": "accepted / (accepted + declined)"})
    agreements = fields.Integer()
    failures = fields.Integer()
    success_rate = fields.Float(allow_none=True, metadata={
        "description": "agreements / (agreements + failures)"})
    median_duration_days = fields.Float(allow_none=True, metadata={
        "description": "Days from receipt to agreement or failure."})
    overdue = fields.Integer()
    confirmation_not_applied = fields.Integer(metadata={
        "description": "Agreements whose parties did not apply for judicial confirmation."})
    confirmation_pending = fields.Integer()
    confirmation_confirmed = fields.Integer()
    confirmation_refused = fields.Integer()


class Statistics(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    rows = fields.List(fields.Nested(StatisticsRow), metadata={
        "description": "One row per kind and county."})
    total = fields.Nested(StatisticsRow)


class _BreakdownFigures(Schema):
    county_code = fields.String()
    volume = fields.Integer()
    agreements = fields.Integer()
    failures = fields.Integer()


class CategoryRow(_BreakdownFigures):
    dispute_category = fields.String()


class AmountRow(_BreakdownFigures):
    amount_band = fields.String(metadata={"description": "one of amount_bands"})


class MediatorCount(Schema):
    county_code = fields.String()
    mediators = fields.Integer(metadata={
        "description": "Distinct mediators named on the period's cases."})


class Breakdown(Schema):
    """Cases received in a period by county and dispute category, and by county and band
    of the amount claimed; the mediators at work per county."""

    date_from = fields.Date()
    date_to = fields.Date()
    by_category = fields.List(fields.Nested(CategoryRow))
    by_amount = fields.List(fields.Nested(AmountRow))
    mediators = fields.List(fields.Nested(MediatorCount))


class TrackIn(Schema):
    """What a resident gives to follow an application: no account, no personal data."""

    receipt_number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    secret = fields.String(required=True, validate=validate.Length(min=1, max=100))


class TrackedDeadline(Schema):
    deadline = fields.String()
    due_on = fields.Date(allow_none=True)


class Tracked(Schema):
    """What the applicant may know of its own application: never any party's data."""

    receipt_number = fields.String()
    kind = fields.String(metadata={"enum": ["mediation_case", "legal_aid"]})
    status = fields.String()
    received_on = fields.Date()
    next_step = fields.String()
    outcome = fields.String(allow_none=True)
    deadlines = fields.List(fields.Nested(TrackedDeadline), metadata={
        "description": "The deadlines running now."})


# -- a failed mediation sent on to legal aid (the legal services service decides) ---------

class CaseLegalAidIn(Schema):
    matter = fields.String(allow_none=True, validate=validate.Length(min=1, max=5000))
    received_on = fields.Date(allow_none=True)


class LegalAidReferral(Schema):
    """Mediation's record that it sent a failed case's applicant on to legal aid."""

    case_id = fields.Integer()
    referred_on = fields.Date()
    status = fields.String(metadata={"enum": ["referred"]})


# -- who may call what (checked by the gateway and again by the service) -----------------

# justice runs mediation: its officers, the mediators, and the platform's administrators
CASE_WRITERS = frozenset({PLATFORM_ADMIN, JUSTICE_OFFICER, MEDIATOR})
ORGANISATION_WRITERS = frozenset({PLATFORM_ADMIN, JUSTICE_OFFICER})
# a linked department refers cases and follows those it referred
REFERRERS = CASE_WRITERS | {LINKED_DEPARTMENT_OFFICER}
CASE_READERS = CASE_WRITERS | {LINKED_DEPARTMENT_OFFICER, VIEWER}
APPLICANTS = EVERYONE  # the public form: anonymous callers act as residents
READERS = STAFF
TRACKERS = EVERYONE  # the public lookup: receipt number and secret, no account
