"""The evaluation service's RPC contract: schemes, evidence, surveys, spot checks,
inspections, vetoes, results and their explanation, titles, rankings and reports."""
from marshmallow import Schema, ValidationError, fields, validate

from fazhi_common.contracts import resident_id, vocabulary
from fazhi_common.contracts.api import Job, PageQuery, code_field, id_field
from fazhi_common.contracts.api import ScheduleRunIn as ScheduleRunIn
from fazhi_common.contracts.api.registry import BODY_KINDS, DISCLOSURE_KINDS, UNIT_KINDS
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
INSPECTION_KINDS = tuple(vocabulary.INSPECTION_KINDS)
# a draw is committed (seed hash and eligible digest public), then revealed (seed, sample)
DRAW_STATUSES = tuple(vocabulary.DRAW_STATUSES)
SCHEME_STATUSES = tuple(vocabulary.SCHEME_STATUSES)
TITLE_STATUSES = tuple(vocabulary.TITLE_STATUSES)
VETO_STATUSES = tuple(vocabulary.VETO_STATUSES)
TITLE_LEVELS = tuple(vocabulary.TITLE_LEVELS)
# the title this service awards
AWARDED_TITLES = tuple(vocabulary.AWARDED_TITLES)
# titles other departments award that require a current rule-of-law community title (前置条件)
DEPENDENT_TITLES = tuple(vocabulary.DEPENDENT_TITLES)

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


# -- spot checks and inspections --------------------------------------------------------------

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


# -- titles ---------------------------------------------------------------------------------

class AwardIn(Schema):
    community_code = code_field(required=True)
    period = period_field(required=True, metadata={"description": "the result it rests on"})
    title = one_of(AWARDED_TITLES, load_default=AWARDED_TITLES[0])
    level = one_of(TITLE_LEVELS, required=True)
    awarded_on = fields.Date(required=True, metadata={
        "description": "the day your department decided; the title exists once both have"})


class RevocationIn(Schema):
    reason = text(2000, required=True)
    revoked_on = fields.Date(required=True)


class ReExaminationIn(Schema):
    """One department's outcome of a re-examination (复核)."""

    outcome = one_of(tuple(vocabulary.RE_EXAMINATION_OUTCOMES), required=True, metadata={
        "description": "保留 / 撤销 / 注销"})
    reason = text(2000, required=True)
    examined_on = fields.Date(required=True)


class TitleDecisionIn(Schema):
    """What becomes of a title of a village that a merge or federation reorganised."""

    decision = one_of(tuple(vocabulary.MERGED_TITLE_DECISIONS), required=True)
    reason = text(2000, required=True)
    decided_on = fields.Date(required=True)


class TitleChange(Schema):
    action = fields.String(required=True, metadata={"enum": [
        "awarded", "re_evaluation_due", "kept", "revoked", "cancelled", "expired",
        "carried", "pending_decision", "federated", "transferred", "veto_referred"]})
    on = fields.Date(required=True)
    reason = fields.String(allow_none=True)
    actor = fields.String(required=True)


class TitleDecision(Schema):
    """One department's decision on a joint act, with the rule it applies."""

    act = one_of(tuple(vocabulary.TITLE_ACTS), required=True)
    outcome = one_of(tuple(vocabulary.TITLE_DECISION_OUTCOMES), required=True)
    department = one_of(tuple(vocabulary.TITLE_DEPARTMENTS), required=True)
    department_name = fields.String(required=True)
    area = fields.String(allow_none=True)
    decided_on = fields.Date(required=True)
    reason = fields.String(allow_none=True)
    actor = fields.String(required=True)
    citation = fields.String(required=True, metadata={"description": "the text it rests on"})
    in_effect = fields.Boolean(required=True, metadata={
        "description": "false while the other department has not decided"})


class Title(Schema):
    id = fields.Integer(required=True)
    community_code = fields.String(required=True)
    title = fields.String(required=True)
    level = fields.String(required=True)
    period = fields.String(required=True)
    granting_department = fields.String(required=True)
    awarded_on = fields.Date(required=True)
    valid_until = fields.Date(allow_none=True, metadata={
        "description": "only where local policy sets a validity (validity_source)"})
    validity_source = fields.String(allow_none=True)
    re_evaluation_due_on = fields.Date(required=True)
    status = one_of(TITLE_STATUSES, required=True)
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)
    reorganised_into = fields.String(allow_none=True, metadata={
        "description": "the unit a merge or federation made of the title's community"})
    history = fields.List(fields.Nested(TitleChange), required=True)
    decisions = fields.List(fields.Nested(TitleDecision), required=True)


class TitleQuery(PageQuery):
    community_code = code_field()
    county_code = code_field()
    status = one_of(TITLE_STATUSES)
    level = one_of(TITLE_LEVELS)


class ScheduleRun(Schema):
    notified = fields.List(fields.Integer(), required=True,
                           metadata={"description": "titles whose re-evaluation fell due"})
    expired = fields.List(fields.Integer(), required=True,
                          metadata={"description": "titles whose validity ran out"})


class PrerequisiteQuery(Schema):
    title = one_of(DEPENDENT_TITLES, required=True)


class Prerequisite(Schema):
    community_code = fields.String(required=True)
    title = fields.String(required=True)
    eligible = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True)
    qualifying_title_id = fields.Integer(allow_none=True)


# -- rankings, reports, export ------------------------------------------------------------------

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
