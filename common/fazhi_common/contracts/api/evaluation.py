"""The evaluation service's RPC contract: schemes, evidence, surveys, vetoes, results and
their explanation, and who may call what. Its other parts: spot checks and inspections
(``inspections``), titles (``titles``), rankings, reports, the overview and the export
(``evaluation_reports``); they take their fields' helpers from here."""
from marshmallow import Schema, ValidationError, fields, validate

from fazhi_common.contracts import resident_id, vocabulary
from fazhi_common.contracts.api import Job, PageQuery, code_field
from fazhi_common.contracts.api import ScheduleRunIn as ScheduleRunIn
from fazhi_common.contracts.api.registry import DISCLOSURE_KINDS, UNIT_KINDS
from fazhi_common.contracts.api.self_governance import BODY_KINDS
from fazhi_common.contracts.roles import (
    CIVIL_AFFAIRS_OFFICER,
    EVALUATOR,
    EVERYONE,
    INSPECTOR,
    JUSTICE_OFFICER,
    PLATFORM_ADMIN,
    STAFF,
)

# a scheme is for a class of community: the registry's unit kinds (分类指导)
COMMUNITY_CLASSES = UNIT_KINDS
MEDIATION_KINDS = tuple(vocabulary.MEDIATION_KINDS)
STAGES = tuple(vocabulary.STAGES)
DISCLOSURE_SCHEDULES = tuple(vocabulary.DISCLOSURE_SCHEDULES)
INDICATOR_KINDS = tuple(vocabulary.INDICATOR_KINDS)
# facts evaluation derives from the registry's and mediation's events
FACTS = tuple(vocabulary.FACTS)
# the registry's records (record_kept) a record fact may count
RECORD_KINDS = tuple(vocabulary.RECORD_KINDS)
# events of other services that may meet a veto item (matched on payload fields)
VETO_TRIGGER_EVENTS = tuple(vocabulary.VETO_TRIGGER_EVENTS)
SCHEME_STATUSES = tuple(vocabulary.SCHEME_STATUSES)
VETO_STATUSES = tuple(vocabulary.VETO_STATUSES)

SLUG = validate.Regexp(r"^[a-z][a-z0-9_-]{0,63}$",
                       error="Lower-case letters, digits, _ and -, starting with a letter.")
PERIOD = validate.Regexp(r"^(199\d|20\d\d)$", error="A period is an evaluation year, YYYY.")
POINTS = validate.Range(min=0, max=1000)
VALUE = validate.Range(min=0, max=1_000_000_000)


def slug(**kwargs):
    return fields.String(validate=SLUG, **kwargs)


def period_field(**kwargs):
    return fields.String(validate=PERIOD, **kwargs)


def text(max_length, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


def one_of(choices, **kwargs):
    return fields.String(validate=validate.OneOf(choices), **kwargs)


Name = text(200, required=True)

# -- schemes ----------------------------------------------------------------------------


class IndicatorIn(Schema):
    code = slug(required=True)
    name = Name
    max_points = fields.Float(required=True, validate=validate.Range(
        min=0, min_inclusive=False, max=1000))
    kind = one_of(INDICATOR_KINDS, required=True)
    threshold = fields.Float(allow_none=True, validate=validate.Range(
        min=0, min_inclusive=False, max=1_000_000), metadata={
        "description": "count: the count that earns full points"})
    target = fields.Float(allow_none=True, validate=validate.Range(
        min=0, min_inclusive=False, max=1), metadata={
        "description": "ratio, or a derived ratio: the share that earns full points"})
    fact = one_of(FACTS, allow_none=True, metadata={"description": "derived: which fact"})
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    # what a derived indicator counts (absent: everything the fact covers)
    channels = fields.List(one_of(MEDIATION_KINDS), validate=validate.Length(min=1),
                           metadata={"description": "mediation_success_rate: the channels "
                                                    "counted, e.g. [people]"})
    body_kinds = fields.List(one_of(BODY_KINDS), validate=validate.Length(min=1),
                             metadata={"description": "election_held: the bodies whose "
                                                      "elections count"})
    schedule = fields.Dict(keys=one_of(DISCLOSURE_KINDS), values=one_of(DISCLOSURE_SCHEDULES),
                           metadata={"description": "disclosures_on_time: when each kind is "
                                                    "due (monthly or quarterly)"})
    grace_days = fields.Integer(validate=validate.Range(min=0, max=90), metadata={
        "description": "disclosures_on_time: days after a period ends it is still on time"})
    records = fields.List(one_of(RECORD_KINDS), validate=validate.Length(min=1), metadata={
        "description": "record_present / record_count / record_share: the registry's "
                       "record kinds counted"})
    kinds = fields.List(fields.String(validate=validate.Length(min=1, max=40)),
                        validate=validate.Length(min=1), metadata={
        "description": "record facts: only records of these kinds (a meeting's kind, a "
                       "body's kind, an education place's kind)"})


class SubCategoryIn(Schema):
    code = slug(required=True)
    name = Name
    indicators = fields.List(fields.Nested(IndicatorIn), required=True,
                             validate=validate.Length(min=1, max=100))


class CategoryIn(Schema):
    """A top-level category: indicators of its own and/or sub-categories."""

    code = slug(required=True)
    name = Name
    indicators = fields.List(fields.Nested(IndicatorIn), load_default=list,
                             validate=validate.Length(max=100))
    categories = fields.List(fields.Nested(SubCategoryIn), load_default=list,
                             validate=validate.Length(max=50))


class VetoTriggerIn(Schema):
    event = one_of(VETO_TRIGGER_EVENTS, required=True)
    match = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=64)),
                        values=fields.String(validate=validate.Length(max=100)),
                        load_default=dict, metadata={
                            "description": "payload fields and the values that meet the item"})


class VetoItemIn(Schema):
    code = slug(required=True)
    name = Name
    source = fields.String(allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "the text that makes this a cause to fail a community"})
    triggers = fields.List(fields.Nested(VetoTriggerIn), load_default=list,
                           validate=validate.Length(max=20))


class PassThresholds(Schema):
    framework = fields.Float(required=True, validate=POINTS)
    deepening = fields.Float(required=True, validate=POINTS)
    full_compliance = fields.Float(required=True, validate=POINTS)


class SchemeParameters(Schema):
    satisfaction_min_sample = fields.Integer(required=True, strict=True,
                                             validate=validate.Range(min=1, max=1_000_000))
    satisfaction_threshold = fields.Float(required=True, validate=validate.Range(
        min=0, min_inclusive=False, max=1))


class SchemeIn(Schema):
    key = slug(required=True, metadata={"description": "names the scheme across versions"})
    name = Name
    community_class = one_of(COMMUNITY_CLASSES, required=True)
    economic_tier = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))
    pass_thresholds = fields.Nested(PassThresholds, required=True)
    parameters = fields.Nested(SchemeParameters, required=True)
    categories = fields.List(fields.Nested(CategoryIn), required=True,
                             validate=validate.Length(min=1, max=50))
    veto_items = fields.List(fields.Nested(VetoItemIn), load_default=list,
                             validate=validate.Length(max=50))


class Scheme(SchemeIn):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    status = one_of(SCHEME_STATUSES, required=True)
    in_use = fields.Boolean(required=True, metadata={
        "description": "a result was scored with it: an edit makes a new version"})
    total_points = fields.Float(required=True)
    supersedes_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    job = fields.Nested(Job, allow_none=True, metadata={
        "description": "a revision of a scheme in use recomputes the results pinned to it "
                       "in the background: this job (answered with 202)"})


class SchemeQuery(PageQuery):
    community_class = one_of(COMMUNITY_CLASSES)
    status = one_of(SCHEME_STATUSES)
    key = slug()


# -- evidence (self-assessment) ------------------------------------------------------------

class EvidenceIn(Schema):
    community_code = code_field(required=True)
    period = period_field(required=True)
    indicator_code = slug(required=True)
    value = fields.Float(required=True, validate=VALUE, metadata={
        "description": "yes_no: 1 or 0; count: the count; ratio: a share 0-1"})
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))
    attachments = fields.List(text(500), load_default=list, validate=validate.Length(max=20),
                              metadata={"description": "references to documents or photos"})


class Evidence(EvidenceIn):
    id = fields.Integer(required=True)
    submitted_by = fields.String(required=True)
    submitted_at = fields.DateTime(required=True)


class EvidenceQuery(PageQuery):
    community_code = code_field()
    period = period_field()
    indicator_code = slug()


# -- residents' satisfaction -------------------------------------------------------------------

def _valid_resident_id(number):
    why = resident_id.problem(number)
    if why:
        raise ValidationError(f"A valid 18-character resident ID number: {why}.")


class SurveyAnswerIn(Schema):
    period = period_field(required=True)
    # a phone number cannot be checked at all; an ID number's check digit can
    respondent_id = fields.String(required=True, validate=_valid_resident_id, metadata={
        "description": "the resident's ID number (GB 11643, check digit verified): never "
                       "stored, only a keyed hash to count one answer per resident"})
    satisfied = fields.Boolean(required=True)
    comment = fields.String(allow_none=True, validate=validate.Length(max=500))
    # the answer counts once the one-time code sent there comes back (never stored)
    phone = fields.String(required=True, validate=validate.Regexp(
        r"^1[3-9]\d{9}$", error="A mainland mobile number: 11 digits beginning 13-19."),
        metadata={"description": "the resident's mobile number: a one-time code is sent "
                                 "there; the number is not stored"})


class SurveyVerifyIn(Schema):
    """The one-time code a resident received, with the receipt of the answer."""

    receipt = fields.String(required=True, validate=validate.Length(min=1, max=32))
    code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{6}$", error="The code is the six digits sent to the phone."))


class PaperSurveyIn(Schema):
    """An answer on paper, collected by officials and entered from the console."""

    period = period_field(required=True)
    respondent_id = fields.String(required=True, validate=_valid_resident_id)
    satisfied = fields.Boolean(required=True)
    comment = fields.String(allow_none=True, validate=validate.Length(max=500))
    collected_on = fields.Date(required=True)


class AnswerSource(Schema):
    """Where an answer came from, as the gateway saw it (the client's address)."""

    source = fields.String(allow_none=True, validate=validate.Length(max=100))


class SurveyReceipt(Schema):
    community_code = fields.String(required=True)
    period = fields.String(required=True)
    accepted = fields.Boolean(required=True)
    verified = fields.Boolean(required=True, metadata={
        "description": "counted only once verified (the code from the phone)"})
    receipt = fields.String(allow_none=True, metadata={
        "description": "give it back with the code: POST .../survey-answers/verification"})
    code_sent_to = fields.String(allow_none=True, metadata={"description": "masked number"})


class SurveyQuery(Schema):
    period = period_field(required=True)


class SurveySummary(Schema):
    community_code = fields.String(required=True)
    period = fields.String(required=True)
    sample_size = fields.Integer(required=True)
    satisfied = fields.Integer(required=True)
    flagged = fields.Integer(load_default=0, metadata={
        "description": "answers in bursts from one source: kept, not counted"})
    unverified = fields.Integer(load_default=0, metadata={
        "description": "answers whose code never came back: kept, not counted"})
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "counted answers by channel: portal (verified by code), paper"})
    rate = fields.Float(allow_none=True)
    min_sample = fields.Integer(allow_none=True)
    threshold = fields.Float(allow_none=True)
    sufficient = fields.Boolean(required=True)


# -- vetoes -----------------------------------------------------------------------------------

class VetoIn(Schema):
    community_code = code_field(required=True)
    period = period_field(required=True)
    veto_item = slug(required=True)
    reason = text(2000, required=True)
    evidence = fields.List(text(500), required=True, validate=validate.Length(min=1, max=20))


class Veto(Schema):
    id = fields.Integer(required=True)
    community_code = fields.String(required=True)
    period = fields.String(required=True)
    veto_item = fields.String(required=True)
    reason = fields.String(required=True)
    evidence = fields.List(fields.String(), required=True)
    origin = fields.String(required=True, metadata={
        "description": "manual, or the event type that met the item"})
    recorded_by = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)
    status = one_of(VETO_STATUSES, required=True, metadata={
        "description": "a cause detected from another service's event is proposed until "
                       "an officer confirms or dismisses it; only confirmed fails"})
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)


class VetoQuery(PageQuery):
    community_code = code_field()
    period = period_field()
    status = one_of(VETO_STATUSES)


class VetoDecisionIn(Schema):
    decision = one_of(tuple(vocabulary.VETO_DECISIONS), required=True)
    reason = text(2000, required=True)


# -- results and explanations -------------------------------------------------------------------

class PeriodQuery(Schema):
    period = period_field(required=True)


class Result(Schema):
    community_code = fields.String(required=True)
    name = fields.String(allow_none=True)
    town_code = fields.String(allow_none=True)
    county_code = fields.String(allow_none=True)
    period = fields.String(required=True)
    scheme_id = fields.Integer(required=True)
    scheme_key = fields.String(required=True)
    scheme_version = fields.Integer(required=True)
    stage = fields.String(required=True)
    score = fields.Float(required=True)
    max_score = fields.Float(required=True)
    pass_threshold = fields.Float(allow_none=True)
    passed = fields.Boolean(required=True)
    vetoed = fields.Boolean(required=True)
    computed_at = fields.DateTime(required=True)


class IndicatorScore(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True, metadata={"description": "category path"})
    kind = fields.String(required=True)
    max_points = fields.Float(required=True)
    points = fields.Float(required=True)
    value = fields.Float(allow_none=True)
    applicable = fields.Boolean(load_default=True, metadata={
        "description": "false: nothing was expected in the period; the maximum is "
                       "re-normalised without it"})
    source = fields.String(required=True, metadata={"description": "where the figure came from"})
    note = fields.String(allow_none=True)


class CategoryScore(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    points = fields.Float(required=True)
    max_points = fields.Float(required=True)


class VetoBrief(Schema):
    id = fields.Integer(required=True)
    veto_item = fields.String(required=True)
    reason = fields.String(required=True)
    origin = fields.String(required=True)


class Normalisation(Schema):
    raw_score = fields.Float(required=True)
    applicable_max = fields.Float(required=True)
    not_applicable = fields.List(fields.String(), required=True)
    note = fields.String(allow_none=True)


class Explanation(Result):
    categories = fields.List(fields.Nested(CategoryScore), required=True)
    indicators = fields.List(fields.Nested(IndicatorScore), required=True)
    vetoes = fields.List(fields.Nested(VetoBrief), required=True)
    normalisation = fields.Nested(Normalisation, allow_none=True, metadata={
        "description": "how indicators that did not apply re-normalised the maximum"})


# -- who may call what (checked by the gateway and again by the service) ------------------------

READERS = STAFF
# the campaign is led jointly by justice and civil affairs
OFFICERS = frozenset({PLATFORM_ADMIN, JUSTICE_OFFICER, CIVIL_AFFAIRS_OFFICER})
SCHEME_WRITERS = OFFICERS
# communities (through their evaluators) and the officers submit self-assessments
EVIDENCE_WRITERS = OFFICERS | {EVALUATOR}
INSPECTORS = frozenset({PLATFORM_ADMIN, INSPECTOR})
DRAWERS = OFFICERS | {INSPECTOR}
# a draw is checked by anyone, without an account
DRAW_CHECKERS = EVERYONE
VETO_WRITERS = OFFICERS
# titles are named, revoked and re-examined by the justice and civil-affairs departments of
# the title's level (the service checks the level); the platform belongs to neither
TITLE_WRITERS = frozenset({JUSTICE_OFFICER, CIVIL_AFFAIRS_OFFICER})
SCHEDULE_RUNNERS = frozenset({PLATFORM_ADMIN})
# residents answer through public portals; staff may relay a paper answer
SURVEY_RESPONDENTS = EVERYONE
