"""The evaluation service's RPC contract for titles: awarded, revoked, re-examined and
decided on after a reorganisation, the sweep that finds them due or expired, and the
prerequisite other departments' titles ask of a community. Who may call them is named with
the service's other role sets in ``evaluation``."""
from marshmallow import Schema, fields

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.api import PageQuery, code_field
from fazhi_common.contracts.api.evaluation import one_of, period_field, text

TITLE_STATUSES = tuple(vocabulary.TITLE_STATUSES)
TITLE_LEVELS = tuple(vocabulary.TITLE_LEVELS)
# the title this service awards
AWARDED_TITLES = tuple(vocabulary.AWARDED_TITLES)
# titles other departments award that require a current rule-of-law community title (前置条件)
DEPENDENT_TITLES = tuple(vocabulary.DEPENDENT_TITLES)


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
