"""Residents follow their own application with a receipt number and a secret given at
intake: no account. Only a keyed digest of the secret is stored; any mismatch (unknown
receipt, wrong secret, an application made without a secret) answers the same 404, so
a caller learns nothing about which receipts exist."""
import hmac
import secrets

from sqlalchemy import select

from fazhi_common.contracts.errors import NotFound
from mediation import domain
from mediation.models import MediationCase

PREFIXES = {"mediation_case": "M"}
NOT_FOUND = "No application matches this receipt number and secret."

# what a resident following a mediation case is told comes next, by status
CASE_NEXT_STEP = {
    "received": "The mediation organisation decides whether to accept the case by "
                "{acceptance_due_on}.",
    "accepted": "Accepted; a mediator will be assigned. Mediation is due by "
                "{mediation_due_on}.",
    "mediating": "Mediation is under way; it is due by {mediation_due_on}.",
    "paused": "Paused for an expert appraisal; the period runs again when it arrives.",
    "agreement": "An agreement was reached. The parties may jointly apply to the court for "
                 "judicial confirmation within 30 days; it is their choice.",
    "confirmation_requested": "The court is deciding on judicial confirmation.",
    "confirmed": "The court confirmed the agreement; it can be enforced.",
    "confirmation_refused": "The court refused confirmation: mediation may resume, or the "
                            "parties may sue.",
    "failure": "Mediation did not settle the dispute: the parties may sue, or apply for "
               "legal aid.",
    "declined": "The case was not taken on: {declined_reason}",
    "returned": "The case went back to {returned_to}.",
    "closed": "The case is closed ({result}).",
}


def issue_receipt(row, kind, cipher):
    """Give ``row`` (already flushed, so it has an id) a receipt number and a new secret;
    returns the secret, which is shown once and never stored."""
    secret = secrets.token_urlsafe(12)
    row.receipt_number = f"{PREFIXES[kind]}{row.received_on:%Y}-{row.id:07d}"
    row.secret_digest = cipher.digest(secret)
    return secret


def _matching(session, model, receipt_number, secret, cipher):
    row = session.scalar(select(model).where(model.receipt_number == receipt_number))
    # compare digests in constant time; a row without a secret never matches
    given = cipher.digest(secret)
    if row is None or not row.secret_digest or not hmac.compare_digest(row.secret_digest,
                                                                       given):
        return None
    return row


def find(session, data, cipher):
    """The case behind a receipt number and secret, and its kind; 404 otherwise. (Legal
    aid's receipts, LA..., are the legal services service's: the gateway sends them there.)"""
    row = _matching(session, MediationCase, data["receipt_number"], data["secret"], cipher)
    if row is None:
        raise NotFound(NOT_FOUND)
    return "mediation_case", row


def tracked_view(kind, row):
    """Status, next step, outcome and running deadlines; nothing about any party."""
    values = {c: getattr(row, c) for c in ("acceptance_due_on", "mediation_due_on",
                                            "declined_reason", "returned_to", "result")}
    deadlines = domain.case_deadlines(row)
    next_step, outcome = CASE_NEXT_STEP[row.status].format(**values), row.result
    return {"receipt_number": row.receipt_number, "kind": kind, "status": row.status,
            "received_on": row.received_on, "next_step": next_step, "outcome": outcome,
            "deadlines": [{"deadline": d["deadline"], "due_on": d["due_on"]}
                          for d in deadlines if d["running"]]}
