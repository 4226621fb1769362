"""Events the corrections service (the county community corrections office) announces.

Counts only: no event names a person, carries a person's id, or any personal field. A
community's counts are announced whenever one of its files changes status, so the
justice bureau's inbox (and anyone scoring the community) learns that someone reported
late or was lost from supervision without learning who.
"""
from marshmallow import fields, validate

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.events import AreaPayload, EventContract


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


CONTRACTS = [
    # evaluation scores the counts (no one lost from supervision), never a person
    EventContract("corrections_counts_changed", "corrections", SupervisionCounts,
                  ("evaluation", "notifications")),
]
