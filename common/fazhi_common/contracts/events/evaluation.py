"""Events the evaluation service announces: scores, vetoes, titles and re-evaluations."""
from marshmallow import fields, validate

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.events import AreaPayload, EventContract, JobFinished

TITLE_LEVELS = tuple(vocabulary.TITLE_LEVELS)
DRAW_ACTS = tuple(vocabulary.DRAW_STATUSES)


class EvaluationEvent(AreaPayload):
    """Common to every evaluation event: the community (``community_code``) and period."""

    period = fields.String(required=True)  # the evaluation year, e.g. "2026"


class ScoreChanged(EvaluationEvent):
    scheme_id = fields.Integer(required=True)
    score = fields.Float(required=True)
    previous_score = fields.Float(allow_none=True, load_default=None)
    passed = fields.Boolean(required=True)


class CommunityVetoed(EvaluationEvent):
    veto_id = fields.Integer(required=True)
    veto_item = fields.String(required=True)
    reason = fields.String(required=True)
    # "manual" or the event type that triggered it
    origin = fields.String(required=True)


class VetoProposed(EvaluationEvent):
    """A veto cause detected from another service's event, for an officer to decide."""

    veto_id = fields.Integer(required=True)
    veto_item = fields.String(required=True)
    reason = fields.String(required=True)
    origin = fields.String(required=True)


class TitleAwarded(EvaluationEvent):
    title_id = fields.Integer(required=True)
    title = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(TITLE_LEVELS))
    # the department that grants the title at this level
    granting_department = fields.String(required=True)
    # only where local policy sets a validity; no national text does
    valid_until = fields.Date(required=True, allow_none=True)


class TitleRevoked(EvaluationEvent):
    title_id = fields.Integer(required=True)
    title = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(TITLE_LEVELS))
    granting_department = fields.String(required=True)
    reason = fields.String(required=True)


class ReEvaluationDue(EvaluationEvent):
    title_id = fields.Integer(required=True)
    title = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(TITLE_LEVELS))
    due_on = fields.Date(required=True)


class SpotCheckAnnounced(AreaPayload):
    """A spot-check draw committed, revealed or superseded, told to each county it draws
    from; anyone checks it at /api/v1/evaluation/public/draws/{draw_id}."""

    draw_id = fields.Integer(required=True)
    period = fields.String(required=True)
    act = fields.String(required=True, validate=validate.OneOf(DRAW_ACTS))
    method = fields.String(required=True)
    seed_hash = fields.String(required=True)
    eligible_digest = fields.String(required=True)
    eligible_here = fields.Integer(required=True)  # eligible communities of this county
    seed = fields.String(allow_none=True, load_default=None)  # once revealed
    drawn_here = fields.List(fields.String(), allow_none=True, load_default=None)
    reason = fields.String(allow_none=True, load_default=None)  # why it was superseded
    redrawn_as_id = fields.Integer(allow_none=True, load_default=None)


_LISTENERS = ("notifications",)

CONTRACTS = [
    EventContract("evaluation_score_changed", "evaluation", ScoreChanged, _LISTENERS),
    EventContract("community_vetoed", "evaluation", CommunityVetoed, _LISTENERS),
    EventContract("veto_proposed", "evaluation", VetoProposed, _LISTENERS),
    EventContract("title_awarded", "evaluation", TitleAwarded, _LISTENERS),
    EventContract("title_revoked", "evaluation", TitleRevoked, _LISTENERS),
    EventContract("re_evaluation_due", "evaluation", ReEvaluationDue, _LISTENERS),
    EventContract("spot_check_announced", "evaluation", SpotCheckAnnounced, _LISTENERS),
    # whoever started a job can poll it; a webhook or inbox subscription can listen instead
    EventContract("evaluation_job_finished", "evaluation", JobFinished, _LISTENERS),
]
