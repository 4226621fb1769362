"""Events the legal services service (justice, public legal service section) announces."""
from marshmallow import fields, validate

from fazhi_common.contracts.events import AreaPayload, EventContract, JobFinished


class LegalAidOverdue(AreaPayload):
    """A legal-aid time limit passed: the decision on an application, the assignment of
    a provider after a grant, or the review of an objection (法律援助法 第四十三、四十九条)."""

    application_id = fields.Integer(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(
        ["decision", "assignment", "objection_review"]))
    due_on = fields.Date(required=True)
    # the county justice bureau, which set up the legal-aid agency
    supervising_department = fields.String(required=True)


class LegalAidDeadlineRecomputed(AreaPayload):
    """The working calendar changed (an override edited, a notice published) and an
    application's running deadline moved."""

    application_id = fields.Integer(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(
        ["decision", "materials", "assignment", "objection_review"]))
    previous_due_on = fields.Date(required=True)
    due_on = fields.Date(required=True)
    supervising_department = fields.String(required=True)


CONTRACTS = [
    EventContract("legal_aid_overdue", "legalservices", LegalAidOverdue, ("notifications",)),
    EventContract("legal_aid_deadline_recomputed", "legalservices",
                  LegalAidDeadlineRecomputed, ("notifications",)),
    EventContract("legalservices_job_finished", "legalservices", JobFinished,
                  ("notifications",)),
]
