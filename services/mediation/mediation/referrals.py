"""A failed mediation's applicant sent on to legal aid: mediation announces it with the
``mediation_legal_aid_requested`` event (outbox, same transaction); the legal services
service makes the application. Mediation never touches legal aid's tables."""
import base64

from sqlalchemy import select

from fazhi_common.contracts.errors import Conflict
from fazhi_common.outbox import record_event
from mediation.models import LegalAidReferral
from mediation.operations import ID_NUMBER, NAME, PHONE, get_case


def _sealed(cipher, transfer, blob, label):
    """A party's field re-sealed for the transfer: never in clear in the outbox or on the
    broker."""
    text = cipher.decrypt(blob, label)
    return None if text is None else base64.b64encode(transfer.encrypt(text, label)).decode()


def refer_to_legal_aid(session, case_id, data, scope, today, cipher, transfer):
    case = get_case(session, case_id, scope)
    if case.result != "failure":
        raise Conflict(f"Only a failed mediation becomes a legal-aid application; case "
                       f"{case.id} is {case.status}.", {"status": [case.status]})
    if session.scalar(select(LegalAidReferral.case_id)
                      .where(LegalAidReferral.case_id == case.id)) is not None:
        raise Conflict(f"Case {case.id} already has a legal-aid application.",
                       {"case_id": ["already applied"]})
    applicant = next((p for p in case.parties if p.role == "applicant"), case.parties[0])
    referral = LegalAidReferral(case_id=case.id, referred_on=data.get("received_on") or today,
                                requested_by=scope.department)
    session.add(referral)
    record_event(session, "mediation_legal_aid_requested", {
        "case_id": case.id, "county_code": case.county_code, "town_code": case.town_code,
        "community_code": case.community_code, "received_on": referral.referred_on,
        "matter": data.get("matter") or f"Failed mediation of case {case.id}: "
                                         f"{case.failure_reason or case.dispute_category}",
        "requested_by": scope.department,
        "applicant": {"role": applicant.role,
                      "name": _sealed(cipher, transfer, applicant.name_enc, NAME),
                      "id_number": _sealed(cipher, transfer, applicant.id_number_enc,
                                           ID_NUMBER),
                      "phone": _sealed(cipher, transfer, applicant.phone_enc, PHONE)}})
    session.flush()
    return referral
