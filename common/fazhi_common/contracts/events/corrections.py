"""Events the corrections service (the county community corrections office) announces.

Counts only: no event names a person, carries a person's id, or any personal field. A
community's counts are announced whenever one of its files changes status, so the
justice bureau's inbox (and anyone scoring the community) learns that someone reported
late or was lost from supervision without learning who.
"""
from marshmallow import fields, validate

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.events import AreaPayload, EventContract, JobFinished
from fazhi_common.contracts.vocabulary import CORRECTION_DEADLINES


class SupervisionCounts(AreaPayload):
    """A community's counts as of ``on``, after a change (``change`` names its kind)."""

    on = fields.Date(required=True)
    change = fields.String(required=True, validate=validate.OneOf(
        tuple(vocabulary.CORRECTION_COUNT_CHANGES)))
    under_correction = fields.Integer(required=True)
    unreported = fields.Integer(required=True)
    lost_contact = fields.Integer(required=True)
    reoffended = fields.Integer(required=True)
    in_resettlement = fields.Integer(required=True)


class ReportDeadlineRecomputed(AreaPayload):
    """The working calendar changed (an override edited, a notice published) and a report
    deadline (社区矫正法 第二十一条) of someone in the community moved. Like every event
    here it names no person and carries no id: the officer finds the file by the dates."""

    on = fields.Date(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(list(CORRECTION_DEADLINES)))
    previous_due_on = fields.Date(required=True)
    due_on = fields.Date(required=True)


CONTRACTS = [
    # evaluation scores the counts (no one lost from supervision), never a person
    EventContract("corrections_counts_changed", "corrections", SupervisionCounts,
                  ("evaluation", "notifications")),
    EventContract("corrections_deadline_recomputed", "corrections",
                  ReportDeadlineRecomputed, ("notifications",)),
    EventContract("corrections_job_finished", "corrections", JobFinished,
                  ("notifications",)),
]
