"""Residents follow their own application with a receipt number and a secret given at
intake: no account. Only a keyed digest of the secret is stored; any mismatch (unknown
receipt, wrong secret, an application made without a secret) answers the same 404, so
a caller learns nothing about which receipts exist."""
import hmac
import secrets

from sqlalchemy import select

from fazhi_common.contracts import vocabulary
from fazhi_common.contracts.errors import NotFound
from fazhi_common.contracts.messages import CHINESE, ENGLISH
from mediation import domain
from mediation.models import MediationCase

PREFIXES = {"mediation_case": "M"}
NOT_FOUND = "No application matches this receipt number and secret."

# what a resident following a mediation case is told comes next, by status and language
CASE_NEXT_STEP = {
    "received": ("调解组织将于 {acceptance_due_on} 前决定是否受理。",
                 "The mediation organisation decides whether to accept the case by "
                 "{acceptance_due_on}."),
    "accepted": ("已受理，将指派调解员；调解期限至 {mediation_due_on}。",
                 "Accepted; a mediator will be assigned. Mediation is due by "
                 "{mediation_due_on}."),
    "mediating": ("正在调解，调解期限至 {mediation_due_on}。",
                  "Mediation is under way; it is due by {mediation_due_on}."),
    "paused": ("因鉴定中止计时，鉴定意见送达后继续计算期限。",
               "Paused for an expert appraisal; the period runs again when it arrives."),
    "agreement": ("已达成调解协议。双方当事人可以自协议生效之日起 30 日内共同向人民法院申请"
                  "司法确认，是否申请由当事人决定。",
                  "An agreement was reached. The parties may jointly apply to the court for "
                  "judicial confirmation within 30 days; it is their choice."),
    "confirmation_requested": ("人民法院正在审查司法确认申请。",
                               "The court is deciding on judicial confirmation."),
    "confirmed": ("人民法院已确认调解协议有效，可以申请强制执行。",
                  "The court confirmed the agreement; it can be enforced."),
    "confirmation_refused": ("人民法院驳回了司法确认申请：可以继续调解，也可以向人民法院起诉。",
                             "The court refused confirmation: mediation may resume, or the "
                             "parties may sue."),
    "failure": ("调解未能解决纠纷：当事人可以向人民法院起诉，也可以申请法律援助。",
                "Mediation did not settle the dispute: the parties may sue, or apply for "
                "legal aid."),
    "declined": ("案件不予受理：{declined_reason}", "The case was not taken on: {declined_reason}"),
    "returned": ("案件已退回{returned_to}。", "The case went back to {returned_to}."),
    "closed": ("案件已结案（{result}）。", "The case is closed ({result})."),
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


def next_step(row, language=CHINESE):
    """What comes next for the case, in ``language`` (``messages.LANGUAGES``)."""
    values = {c: getattr(row, c) for c in ("acceptance_due_on", "mediation_due_on",
                                            "declined_reason", "returned_to", "result")}
    chinese, english = CASE_NEXT_STEP[row.status]
    if language == ENGLISH:
        return english.format(**values)
    return chinese.format(**{**values, "result": vocabulary.label("results", row.result)})


def tracked_view(kind, row, language=CHINESE):
    """Status, next step, outcome and running deadlines; nothing about any party."""
    deadlines = domain.case_deadlines(row)
    next_step_, outcome = next_step(row, language), row.result
    return {"receipt_number": row.receipt_number, "kind": kind, "status": row.status,
            "received_on": row.received_on, "next_step": next_step_, "outcome": outcome,
            "deadlines": [{"deadline": d["deadline"], "due_on": d["due_on"]}
                          for d in deadlines if d["running"]]}
