"""Residents follow their own legal-aid application with a receipt number and a secret
given at intake: no account. Only a keyed digest of the secret is stored; any mismatch
(unknown receipt, wrong secret, an application made without a secret) answers the same
404, so a caller learns nothing about which receipts exist.

Applications copied from mediation keep their receipts: their digests were made with
mediation's digest key, which ``LEGAL_AID_LEGACY_DIGEST_KEY`` holds (it can check a
secret, and decrypt nothing)."""
import hashlib
import hmac
import secrets

from sqlalchemy import select

from fazhi_common.contracts.api.legalservices import LEGAL_AID_RECEIPT_PREFIX
from fazhi_common.contracts.errors import NotFound
from fazhi_common.contracts.messages import CHINESE
from legalservices import legal_aid
from legalservices.models import LegalAidApplication

PREFIX = LEGAL_AID_RECEIPT_PREFIX
NOT_FOUND = "No application matches this receipt number and secret."


class Receipts:
    """The service's cipher (for new digests) and the digest key of copied receipts."""

    def __init__(self, cipher, legacy_digest_key=None):
        self.cipher = cipher
        self.legacy = bytes.fromhex(legacy_digest_key) if legacy_digest_key else None

    def digests(self, secret):
        found = [self.cipher.digest(secret)]
        if self.legacy:
            found.append(hmac.new(self.legacy, secret.encode(), hashlib.sha256).hexdigest())
        return found


def issue_receipt(row, kind, cipher):
    """Give ``row`` (already flushed, so it has an id) a receipt number and a new secret;
    returns the secret, which is shown once and never stored."""
    secret = secrets.token_urlsafe(12)
    row.receipt_number = f"{PREFIX}{row.received_on:%Y}-{row.id:07d}"
    row.secret_digest = cipher.digest(secret)
    return secret


def find(session, data, receipts):
    """The application behind a receipt number and secret; 404 otherwise."""
    row = session.scalar(select(LegalAidApplication).where(
        LegalAidApplication.receipt_number == data["receipt_number"]))
    # compare digests in constant time; a row without a secret never matches
    given = receipts.digests(data["secret"])
    if row is None or not row.secret_digest or not any(
            hmac.compare_digest(row.secret_digest, d) for d in given):
        raise NotFound(NOT_FOUND)
    return row


def tracked_view(row, language=CHINESE):
    """Status, next step, outcome and running deadlines; nothing about any party."""
    return {"receipt_number": row.receipt_number, "kind": "legal_aid", "status": row.status,
            "received_on": row.received_on, "next_step": legal_aid.next_step(row, language),
            "outcome": row.outcome,
            "deadlines": [{"deadline": d["deadline"], "due_on": d["due_on"]}
                          for d in legal_aid.application_deadlines(row) if d["running"]]}
