"""Every service announces signed checkpoints of its audit chain (``fazhi_common.audit``).

Subscribers keep them outside the service's reach, so cutting off or rewriting the chain
later shows when it is verified against one. Notifications passes them on to whoever
subscribes (a webhook of an inspecting body, e-mail, an inbox).
"""
from marshmallow import Schema, fields

from fazhi_common.contracts.events import EventContract

SERVICES = ("registry", "evaluation", "mediation", "legalservices", "notifications", "corrections")


class AuditCheckpoint(Schema):
    service = fields.String(required=True)
    head_seq = fields.Integer(required=True)
    entry_count = fields.Integer(required=True)
    head_hash = fields.String(required=True)
    at = fields.String(required=True)
    public_key = fields.String(required=True)
    signature = fields.String(required=True)


def checkpoint_event(service):
    return f"{service}_audit_checkpoint"


CONTRACTS = [EventContract(checkpoint_event(s), s, AuditCheckpoint, ("notifications",))
             for s in SERVICES]
