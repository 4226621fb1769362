"""Events the mediation service (justice) announces.

Departments are named by the same department identifier their users and subscriptions
carry (for example ``court-330110`` or ``justice-330110001``).
"""
from marshmallow import Schema, fields, validate

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.events import AreaPayload, EventContract

MEDIATION_KINDS = tuple(vocabulary.MEDIATION_KINDS)


class CaseEvent(AreaPayload):
    """Common to every case event: the case, its channel and who is involved."""

    case_id = fields.Integer(required=True)
    mediation_kind = fields.String(required=True, validate=validate.OneOf(MEDIATION_KINDS))
    dispute_category = fields.String(required=True)
    organisation_id = fields.Integer(required=True)
    # the department of the receiving mediation organisation
    receiving_department = fields.String(required=True)
    # the department that referred the case, if any (a court, police station, ...)
    referrer_department = fields.String(allow_none=True, load_default=None)
    referrer_reference = fields.String(allow_none=True, load_default=None)


class CaseReceived(CaseEvent):
    received_on = fields.Date(required=True)


class CaseAccepted(CaseEvent):
    accepted_on = fields.Date(required=True)
    mediation_due_on = fields.Date(required=True)


class CaseDeclined(CaseEvent):
    """Declined and returned to the referrer (or the applicant) with a reason."""

    reason = fields.String(required=True)
    declined_on = fields.Date(required=True)


class CaseReturned(CaseEvent):
    """A failed mediation goes back to its referring channel (a court case back to trial)."""

    returned_to = fields.String(required=True)
    returned_on = fields.Date(required=True)


class CaseOverdue(CaseEvent):
    """A deadline passed: ``deadline`` is acceptance (a received case never decided),
    mediation, or judicial_confirmation (only where the parties said they would apply)."""

    deadline = fields.String(required=True, validate=validate.OneOf(
        tuple(vocabulary.CASE_DEADLINES)))
    due_on = fields.Date(required=True)
    # the justice office supervising the receiving organisation's area
    supervising_department = fields.String(required=True)


class ConfirmationDecided(CaseEvent):
    """The court's decision on judicial confirmation of an agreement."""

    confirmed = fields.Boolean(required=True)
    decided_on = fields.Date(required=True)


class CaseClosed(CaseEvent):
    """A case is finished: ``outcome`` is agreement, failure or declined."""

    outcome = fields.String(required=True, validate=validate.OneOf(
        ["agreement", "failure", "declined"]))
    closed_on = fields.Date(required=True)


class SealedParty(Schema):
    """A party's data sealed for the receiving service: base64 AES-GCM blobs made with
    ``LEGAL_AID_TRANSFER_KEY`` (the outbox and the broker never hold it in clear)."""

    role = fields.String(required=True)
    name = fields.String(required=True)
    id_number = fields.String(allow_none=True, load_default=None)
    phone = fields.String(allow_none=True, load_default=None)


class LegalAidRequested(AreaPayload):
    """A failed mediation's applicant is sent on to legal aid; the legal services service
    makes the application (once per case) and the agency reviews whether it qualifies."""

    case_id = fields.Integer(required=True)
    matter = fields.String(required=True)
    received_on = fields.Date(required=True)
    applicant = fields.Nested(SealedParty, required=True)
    requested_by = fields.String(required=True)


# Notifications hears every case event; evaluation counts only finished cases. A service
# named here gets a durable queue whether it reads it or not: name only real consumers
# (tests/common/test_event_contracts.py holds the two sides together).
_NOTIFIED = ("notifications",)

CONTRACTS = [
    # the registry follows the cases its grid reports became
    EventContract("mediation_case_received", "mediation", CaseReceived,
                  ("notifications", "registry")),
    EventContract("mediation_case_accepted", "mediation", CaseAccepted, _NOTIFIED),
    EventContract("mediation_case_declined", "mediation", CaseDeclined, _NOTIFIED),
    EventContract("mediation_case_returned", "mediation", CaseReturned, _NOTIFIED),
    EventContract("mediation_case_overdue", "mediation", CaseOverdue, _NOTIFIED),
    EventContract("mediation_confirmation_decided", "mediation", ConfirmationDecided,
                  _NOTIFIED),
    EventContract("mediation_case_closed", "mediation", CaseClosed,
                  ("evaluation", "notifications", "registry")),
    EventContract("mediation_legal_aid_requested", "mediation", LegalAidRequested,
                  ("legalservices",)),
]
