"""Legal aid and the 12348 hotline on a session: legal_aid.py's rules applied to the
tables, the overdue and withdrawal scan, a failed mediation's referral (from mediation's
event), and the statistics (aggregated in SQL)."""
import base64
from collections import defaultdict

from sqlalchemy import extract, func, select

from fazhi_common import masking
from fazhi_common.contracts.errors import NotFound
from fazhi_common.crypto import FieldCipher
from fazhi_common.db import get_in_area, paginate
from fazhi_common.outbox import record_event
from fazhi_common.units import UnitReadModel
from legalservices import domain, legal_aid, tracking
from legalservices.models import (
    HotlineConsultation,
    KnownUnit,
    LegalAidApplication,
    LegalAidDeadlineChange,
    LegalAidOverdueNotice,
)

# associated-data labels binding each encrypted column (see fazhi_common.crypto); the
# same labels mediation used, so rows copied from it keep theirs
NAME, ID_NUMBER, PHONE = "party.name", "party.id_number", "party.phone"
# the registry's units, kept from its events: every code taken is checked here
UNITS = UnitReadModel(KnownUnit)
require_community = UNITS.require_community


def encrypt_party(cipher, party):
    return {"name_enc": cipher.encrypt(party["name"], NAME),
            "id_number_enc": cipher.encrypt(party.get("id_number"), ID_NUMBER),
            "phone_enc": cipher.encrypt(party.get("phone"), PHONE)}


def decrypt_party(cipher, row, role):
    return {"role": role, "name": cipher.decrypt(row.name_enc, NAME),
            "id_number": cipher.decrypt(row.id_number_enc, ID_NUMBER),
            "phone": cipher.decrypt(row.phone_enc, PHONE)}


def _new_application(session, row_kwargs, deadlines, cipher):
    application = LegalAidApplication(status="received", overdue=False, **row_kwargs)
    due_on, rule = deadlines.due(deadlines["decision"], application.received_on)
    application.decision_due_on, application.decision_due_rule = (
        due_on, f"{legal_aid.RULE_PREFIX['decision']}：{rule}")
    session.add(application)
    session.flush()
    # every applicant gets a receipt and a secret to follow the application
    return application, tracking.issue_receipt(application, "legal_aid", cipher)


def apply_legal_aid(session, data, cipher, scope, today, deadlines, channel="staff"):
    """An application recorded by a justice office, or made by a resident (``portal``)."""
    county, _town = require_community(session, data["community_code"], scope)
    applicant = domain.check_applicant(data["applicant"])
    return _new_application(session, {
        "community_code": data["community_code"], "county_code": county, "channel": channel,
        "applicant_role": applicant["role"], "matter": data["matter"],
        "received_on": data.get("received_on") or today,
        **encrypt_party(cipher, applicant)}, deadlines, cipher)


def legal_aid_from_referral(session, data, deadlines, cipher, transfer):
    """A failed mediation, announced by mediation's ``mediation_legal_aid_requested``
    event, becomes a legal-aid application for its applicant; once per case (the event
    may come twice). The applicant's data arrives sealed with the transfer key."""
    found = session.scalar(select(LegalAidApplication)
                           .where(LegalAidApplication.case_id == data["case_id"]))
    if found is not None:
        return found, None
    applicant = {field: transfer.decrypt(base64.b64decode(data["applicant"][field]), label)
                 if data["applicant"].get(field) else None
                 for field, label in (("name", NAME), ("id_number", ID_NUMBER),
                                      ("phone", PHONE))}
    return _new_application(session, {
        "community_code": data["community_code"], "county_code": data["county_code"],
        "applicant_role": data["applicant"]["role"], "case_id": data["case_id"],
        "channel": "case", "matter": data["matter"], "received_on": data["received_on"],
        **encrypt_party(cipher, applicant)}, deadlines, cipher)


def transfer_cipher(key):
    """The cipher sealing an applicant's data on its way from mediation (config
    ``LEGAL_AID_TRANSFER_KEY``, the same in both services)."""
    return FieldCipher(key)


def legal_aid_for_case(session, case_id, scope):
    application = session.scalar(select(LegalAidApplication)
                                 .where(LegalAidApplication.case_id == case_id))
    if application is None or not scope.covers(application.community_code):
        raise NotFound(f"No legal-aid application comes from case {case_id}.")
    return application


def get_legal_aid(session, application_id, scope):
    return get_in_area(session, LegalAidApplication, application_id, "legal-aid application",
                       scope)


def take_legal_aid_step(session, application_id, action, data, deadlines, scope, today):
    application = get_legal_aid(session, application_id, scope)
    return _apply_step(application, action, data, deadlines, today)


def _apply_step(application, action, data, deadlines, today):
    on = data.get("on") or today
    for key, value in legal_aid.plan_step(application, action, data, on, today,
                                          deadlines).items():
        setattr(application, key, value)
    return application


def object_by_applicant(session, data, ciphers, deadlines, today):
    """The applicant objects to a refusal or a termination through the portal, with its
    receipt number and secret."""
    application = tracking.find(session, data, ciphers)
    return _apply_step(application, "object", {"reason": data["reason"]}, deadlines, today)


def legal_aid_view(application, cipher, reveal, secret=None):
    applicant = decrypt_party(cipher, application, application.applicant_role)
    view = {c: getattr(application, c) for c in (
        "id", "community_code", "county_code", "matter", "case_id", "channel", "received_on",
        "status", "decided_on", "refusal_reason", "objection_route", "objection_reason",
        "objection_decision", "provider", "provider_kind", "assigned_on", "outcome",
        "outcome_note", "closed_on", "overdue", "receipt_number", "missing_materials",
        "materials_due_on", "termination_reason", "objection_to")}
    view.update(personal_data_masked=not reveal,
                applicant=applicant if reveal else masking.masked_party(applicant),
                deadlines=legal_aid.application_deadlines(application),
                deadline_changes=[{c: getattr(change, c) for c in (
                    "deadline", "previous_due_on", "due_on", "changed_on", "reason")}
                    for change in application.deadline_changes],
                next_actions=legal_aid.next_actions(application.status))
    if secret:
        view["secret"] = secret
    return view


def _legal_service_query(model, date_column, query, scope):
    q = scope.in_area(select(model).order_by(model.id), model.community_code)
    for key in ("community_code", "county_code"):
        if query.get(key):
            q = q.where(getattr(model, key) == query[key])
    if query.get("date_from"):
        q = q.where(date_column >= query["date_from"])
    if query.get("date_to"):
        q = q.where(date_column <= query["date_to"])
    return q


def list_legal_aid(session, query, scope):
    q = _legal_service_query(LegalAidApplication, LegalAidApplication.received_on, query,
                             scope)
    return paginate(session, q, query["page"], query["per_page"])


def scan_legal_aid_overdue(session, today):
    """One ``legal_aid_overdue`` per application, deadline and due date passed."""
    a = LegalAidApplication
    q = (select(a).where(
        ((a.status == "received") & (a.decision_due_on < today))
        | ((a.status == "granted") & (a.assignment_due_on < today))
        | ((a.status == "objected") & (a.objection_due_on < today))).order_by(a.id))
    raised = []
    for application in session.scalars(q):
        deadline, due_on = legal_aid.overdue_deadline(application, today)
        if session.get(LegalAidOverdueNotice, (application.id, deadline, due_on)):
            continue
        session.add(LegalAidOverdueNotice(application_id=application.id, deadline=deadline,
                                          due_on=due_on, raised_on=today))
        application.overdue = True
        record_event(session, "legal_aid_overdue", {
            "application_id": application.id, "deadline": deadline, "due_on": due_on,
            "county_code": application.county_code,
            "community_code": application.community_code,
            "supervising_department":
                domain.default_supervising_department(application.county_code)})
        raised.append(application.id)
    return raised


def scan_withdrawals(session, today, rules):
    """Applications whose missing materials did not come by their day are deemed
    withdrawn (法律援助法 第四十三条); the ids closed (one whose day is provisional waits
    out the margin of ``rules``)."""
    a = LegalAidApplication
    closed = []
    for application in session.scalars(select(a).where(
            (a.status == "awaiting_materials") & (a.materials_due_on < today)).order_by(a.id)):
        changes = legal_aid.withdrawal(application, today, rules)
        if changes is None:
            continue
        for key, value in changes.items():
            setattr(application, key, value)
        closed.append(application.id)
    return closed


def open_applications(after):
    """Applications with a deadline running, by id, after ``after`` (the calendar
    recompute walks them; fazhi_common.calendar_changes)."""
    a = LegalAidApplication
    return select(a).where(a.id > after, a.status.in_(legal_aid.RUNNING)).order_by(a.id)


def recompute_deadline(session, application, rules, today):
    """Count the application's running deadline again on ``rules``' calendar; a moved
    date goes to its history and is announced. How many moved (0 or 1)."""
    moved = legal_aid.recount(application, rules)
    if moved is None:
        return 0
    deadline, was, now = moved
    session.add(LegalAidDeadlineChange(application_id=application.id, deadline=deadline,
                                       previous_due_on=was, due_on=now, changed_on=today,
                                       reason="working_calendar"))
    record_event(session, "legal_aid_deadline_recomputed", {
        "application_id": application.id, "deadline": deadline, "previous_due_on": was,
        "due_on": now, "county_code": application.county_code,
        "community_code": application.community_code,
        "supervising_department":
            domain.default_supervising_department(application.county_code)})
    return 1


def _statistics_where(model, date_column, query, scope):
    where = [date_column.between(query["date_from"], query["date_to"])]
    if scope.prefix:
        where.append(model.community_code.startswith(scope.prefix))
    if query.get("county_code"):
        where.append(model.county_code == query["county_code"])
    return where


LEGAL_AID_FIGURES = ("received", "decided", "granted", "refused", "objections",
                     "objections_upheld", "assigned", "closed", "overdue")


def legal_aid_statistics(session, query, scope):
    a = LegalAidApplication
    q = (select(a.county_code, func.count(), func.count(a.decided_on),
                func.count(a.assignment_due_on), func.count(a.refusal_reason),
                func.count(a.objected_on),
                func.count().filter(a.objection_decision == "upheld"),
                func.count(a.assigned_on), func.count(a.closed_on),
                func.count().filter(a.overdue.is_(True)))
         .where(*_statistics_where(a, a.received_on, query, scope))
         .group_by(a.county_code).order_by(a.county_code))
    rows, total = [], dict.fromkeys(LEGAL_AID_FIGURES, 0)
    for county, *figures in session.execute(q):
        row = dict(zip(LEGAL_AID_FIGURES, figures, strict=True))
        rows.append(_legal_aid_row(county, row))
        total = {k: total[k] + row[k] for k in LEGAL_AID_FIGURES}
    return {"date_from": query["date_from"], "date_to": query["date_to"], "rows": rows,
            "total": _legal_aid_row(None, total)}


def _legal_aid_row(county, figures):
    return {"county_code": county, **figures,
            "grant_rate": domain.rate(figures["granted"], figures["decided"])}


def record_consultation(session, data, cipher, scope):
    """A 12348 call, in a community the caller may write for."""
    county, _town = require_community(session, data["community_code"], scope)
    consultation = HotlineConsultation(
        community_code=data["community_code"], county_code=county,
        consulted_on=data["consulted_on"], topic=data["topic"], summary=data["summary"],
        caller_phone_enc=cipher.encrypt(data.get("caller_phone"), PHONE),
        answered_by=data["answered_by"])
    session.add(consultation)
    session.flush()
    return consultation


def consultation_view(consultation, cipher, reveal):
    phone = cipher.decrypt(consultation.caller_phone_enc, PHONE)
    return {"id": consultation.id, "community_code": consultation.community_code,
            "county_code": consultation.county_code,
            "consulted_on": consultation.consulted_on, "topic": consultation.topic,
            "summary": consultation.summary, "answered_by": consultation.answered_by,
            "caller_phone": phone if reveal else masking.mask_phone(phone),
            "personal_data_masked": not reveal}


def list_consultations(session, query, scope):
    q = _legal_service_query(HotlineConsultation, HotlineConsultation.consulted_on, query,
                             scope)
    return paginate(session, q, query["page"], query["per_page"])


def hotline_statistics(session, query, scope):
    """12348 consultations by topic, county and month, counted in SQL."""
    h = HotlineConsultation
    year, month = extract("year", h.consulted_on), extract("month", h.consulted_on)
    q = (select(h.topic, h.county_code, year, month, func.count())
         .where(*_statistics_where(h, h.consulted_on, query, scope))
         .group_by(h.topic, h.county_code, year, month)
         .order_by(year, month, h.county_code, h.topic))
    rows, by_topic = [], defaultdict(int)
    for topic, county, y, m, n in session.execute(q):
        rows.append({"topic": topic, "county_code": county,
                     "month": f"{int(y):04d}-{int(m):02d}", "consultations": n})
        by_topic[topic] += n
    return {"date_from": query["date_from"], "date_to": query["date_to"], "rows": rows,
            "by_topic": dict(by_topic), "total": sum(by_topic.values())}
