"""What mediation does, on a session: domain.py's rules applied to the tables.

Each function takes a session inside the caller's transaction, already-validated input
and the caller's identity (``scope``), and writes the outbox events announcing its
change in that same transaction. Personal data is encrypted on the way in and decrypted
(then masked unless the caller may see it) on the way out.
"""
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from fazhi_common import masking
from fazhi_common.contracts.api import mediation as api
from fazhi_common.contracts.errors import Forbidden, field_error
from fazhi_common.contracts.roles import LINKED_DEPARTMENT_OFFICER, MEDIATOR, SYSTEM
from fazhi_common.db import get_in_area, paginate
from fazhi_common.division import COMMUNITY, COUNTY, TOWN, Division, InvalidDivision
from fazhi_common.outbox import record_event
from fazhi_common.units import UnitReadModel
from mediation import domain, tracking
from mediation.models import (
    CaseParty,
    CaseStep,
    KnownUnit,
    MediationCase,
    Organisation,
    OverdueNotice,
)

# associated-data labels binding each encrypted column (see fazhi_common.crypto)
NAME, ID_NUMBER, PHONE = "party.name", "party.id_number", "party.phone"


# the registry's units, kept from its events: every code mediation takes is checked here
UNITS = UnitReadModel(KnownUnit)
require_community = UNITS.require_community


# -- organisations and coverage ---------------------------------------------------------------

def register_organisation(session, data, scope):
    domain.check_organisation_area(data["county_code"], data.get("town_code"))
    if data.get("community_code"):
        if not data.get("town_code"):
            raise field_error("town_code", "A community's committee names its town too.")
        domain.check_serves(Organisation(county_code=data["county_code"],
                                         town_code=data["town_code"]),
                            data["community_code"])
        UNITS.require(session, data["community_code"], COMMUNITY, "community_code")
    scope.require_area(data.get("town_code") or data["county_code"],
                       field="town_code" if data.get("town_code") else "county_code")
    # an organisation in a county (or town) the registry does not hold is refused
    UNITS.require(session, data["county_code"], COUNTY, "county_code")
    if data.get("town_code"):
        UNITS.require(session, data["town_code"], TOWN, "town_code")
    organisation = Organisation(
        **{**data, "supervising_department": data.get("supervising_department")
           or domain.default_supervising_department(data["county_code"])})
    session.add(organisation)
    session.flush()
    return organisation


def _caller_county_and_town(scope):
    """The county and town of the caller's area (None above that level, or no area)."""
    if not scope.area:
        return None, None
    try:
        area = Division(scope.area)
    except InvalidDivision:
        return None, None
    return area.county, area.town


def _organisation_visible(organisation, scope):
    """In the caller's county; a town's caller sees its town's and the county-wide ones."""
    county, town = _caller_county_and_town(scope)
    if county is None:
        return scope.covers(organisation.county_code)
    return organisation.county_code == county and (
        town is None or organisation.town_code in (None, town))


def _organisations_in_scope(q, scope):
    county, town = _caller_county_and_town(scope)
    if county is None:
        return scope.in_area(q, Organisation.county_code)
    q = q.where(Organisation.county_code == county)
    if town is not None:
        # a town's caller also sees the county-wide organisations that serve its town
        q = q.where(or_(Organisation.town_code.is_(None), Organisation.town_code == town))
    return q


def get_organisation(session, organisation_id, scope):
    return get_in_area(session, Organisation, organisation_id, "mediation organisation", scope,
                       visible=lambda row: _organisation_visible(row, scope))


def list_organisations(session, query, scope):
    q = _organisations_in_scope(select(Organisation).order_by(Organisation.id), scope)
    for key in ("kind", "county_code", "town_code"):
        if query.get(key):
            q = q.where(getattr(Organisation, key) == query[key])
    return paginate(session, q, query["page"], query["per_page"])


def coverage(session, county_code, scope):
    """Per county, which of the five linkage kinds it has no organisation of."""
    q = (select(Organisation.county_code, Organisation.kind, func.count())
         .group_by(Organisation.county_code, Organisation.kind))
    caller_county, _town = _caller_county_and_town(scope)
    if caller_county is not None:
        q = q.where(Organisation.county_code == caller_county)
    else:
        q = scope.in_area(q, Organisation.county_code)
    if county_code:
        q = q.where(Organisation.county_code == county_code)
    counts = defaultdict(dict)
    # every county the registry holds is reported, those with no organisation at all too
    known = select(KnownUnit.code).where(KnownUnit.level == COUNTY,
                                         KnownUnit.active.is_(True))
    if caller_county is not None:
        known = known.where(KnownUnit.code == caller_county)
    else:
        known = scope.in_area(known, KnownUnit.code)
    if county_code:
        known = known.where(KnownUnit.code == county_code)
    for code in session.scalars(known):
        counts[code] = {}
    if county_code and (county_code == caller_county
                        or caller_county is None and scope.covers(county_code)):
        counts[county_code] = {}  # a county with no organisation at all lacks all five
    for county, kind, n in session.execute(q):
        counts[county][kind] = n
    counties = [{"county_code": c, **domain.county_coverage(k, api.LINKAGE_KINDS)}
                for c, k in sorted(counts.items())]
    complete = sum(1 for c in counties if c["complete"])
    return {"linkage_kinds": list(api.LINKAGE_KINDS), "counties": counties,
            "complete_counties": complete, "coverage": domain.rate(complete, len(counties)),
            "target": 1.0}


# -- cases ---------------------------------------------------------------------------------

def _visible(case, scope):
    """Linked departments see what they referred; a mediator the cases of its area still
    waiting for a mediator and those assigned to it; everyone else what lies in their area."""
    if scope.role == LINKED_DEPARTMENT_OFFICER:
        return bool(scope.department) and case.referrer_department == scope.department
    if scope.role == MEDIATOR and case.mediator not in (None, scope.subject):
        return False
    return scope.covers(case.community_code)


def get_case(session, case_id, scope):
    return get_in_area(session, MediationCase, case_id, "mediation case", scope,
                       visible=lambda case: _visible(case, scope))


def _scoped_cases(query, scope):
    if scope.role == LINKED_DEPARTMENT_OFFICER:
        return query.where(MediationCase.referrer_department == (scope.department or ""))
    if scope.role == MEDIATOR:
        query = query.where(or_(MediationCase.mediator.is_(None),
                                MediationCase.mediator == scope.subject))
    return scope.in_area(query, MediationCase.community_code)


def _people_committee_for(session, community_code):
    """The people's mediation committee serving a community: its own, else its town's,
    else the county's."""
    county, town = domain.community_area(community_code)
    candidates = session.scalars(
        select(Organisation).where(Organisation.kind == "people",
                                   Organisation.county_code == county,
                                   or_(Organisation.town_code == town,
                                       Organisation.town_code.is_(None)),
                                   or_(Organisation.community_code == community_code,
                                       Organisation.community_code.is_(None)))
        .order_by(Organisation.community_code.is_(None), Organisation.town_code.is_(None),
                  Organisation.id)).all()
    if not candidates:
        raise field_error("community_code", f"No people's mediation committee serves "
                                            f"{community_code}; name an organisation_id.")
    return candidates[0]


def _encrypt_party(cipher, party):
    return {"name_enc": cipher.encrypt(party["name"], NAME),
            "id_number_enc": cipher.encrypt(party.get("id_number"), ID_NUMBER),
            "phone_enc": cipher.encrypt(party.get("phone"), PHONE)}


def _decrypt_party(cipher, row, role):
    return {"role": role, "name": cipher.decrypt(row.name_enc, NAME),
            "id_number": cipher.decrypt(row.id_number_enc, ID_NUMBER),
            "phone": cipher.decrypt(row.phone_enc, PHONE)}


def receive_case(session, data, channel, cipher, scope, today, deadlines):
    """A resident's application or a department's referral, as a ``received`` case."""
    county, town = require_community(session, data["community_code"], scope)
    parties = domain.check_parties(data["parties"])
    if data.get("organisation_id"):
        organisation = session.get(Organisation, data["organisation_id"])
        if organisation is None:
            raise field_error("organisation_id",
                              f"No mediation organisation {data['organisation_id']} is "
                              "registered.")
        domain.check_serves(organisation, data["community_code"])
    else:
        organisation = _people_committee_for(session, data["community_code"])
    referral = {}
    if channel == "referral":
        department = data.get("referrer_department")
        if scope.role == LINKED_DEPARTMENT_OFFICER:
            if department and department != scope.department:
                raise Forbidden("A department refers cases in its own name.",
                                {"referrer_department": ["not your department"]})
            department = scope.department
        if not department:
            raise field_error("referrer_department", "Name the referring department.")
        if data.get("received_on") and data["received_on"] > today:
            raise field_error("received_on", "A case cannot be received in the future.")
        referral = {"referrer_kind": data["referrer_kind"], "referrer_department": department,
                    "referrer_reference": data["referrer_reference"]}
        earlier = _referred(session, department, data["referrer_reference"])
        if earlier is not None:
            # the same referral sent again (its answer lost on the way back): the case it
            # made, not a second one
            return earlier
    received_on = data.get("received_on") or today
    traffic = _traffic_fields(organisation.kind, data)
    flagged = domain.check_application_window(
        deadlines.rules_for(SimpleNamespace(mediation_kind=organisation.kind, **traffic)),
        organisation.kind, traffic.get("basis_document") and {
            "kind": traffic["basis_document"], "received_on": traffic["document_received_on"]},
        received_on, deadlines)
    acceptance_due_on, acceptance_rule = deadlines.due(deadlines.acceptance, received_on)
    amount = data.get("amount_claimed")
    case = MediationCase(
        organisation_id=organisation.id, mediation_kind=organisation.kind, channel=channel,
        dispute_category=data["dispute_category"], description=data["description"],
        amount_claimed=None if amount is None else Decimal(str(round(amount, 2))),
        county_code=county, town_code=town, community_code=data["community_code"],
        status="received", received_on=received_on, extended=False, extensions=0,
        overdue=False, liability_finding_on=data.get("liability_finding_on"), **traffic,
        officer_review=flagged and f"调解申请{flagged}",
        deadline_basis={"acceptance": [domain._segment(received_on, deadlines.acceptance)]},
        acceptance_due_on=acceptance_due_on,
        acceptance_due_rule=f"受理决定：{acceptance_rule}",
        parties=[CaseParty(role=p["role"], id_digest=cipher.digest(p.get("id_number")),
                           **_encrypt_party(cipher, p)) for p in parties],
        **referral)
    case.organisation = organisation
    try:
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:
        # the same referral, delivered twice at once, committed by the other delivery
        # since we looked: answer with its case (uq_case_referral)
        earlier = referral and _referred(session, department, referral["referrer_reference"])
        if not earlier:
            raise
        return earlier
    _record_step(session, case, "receive", None, "received", received_on, scope,
                 f"{channel} from {referral.get('referrer_department') or 'a resident'}"
                 + (f"; for an officer: {case.officer_review}" if flagged else ""))
    record_event(session, "mediation_case_received",
                 {**_case_event(case), "received_on": received_on})
    return case


def _referred(session, department, reference):
    """The case a department's referral made, if it was received before."""
    return session.scalar(select(MediationCase).where(
        MediationCase.referrer_department == department,
        MediationCase.referrer_reference == reference))


def _traffic_fields(kind, data):
    """A traffic dispute goes to the traffic police's mediation or to people's mediation;
    ``liability_finding_on`` (of older clients) names the police's liability finding."""
    if kind != "traffic":
        return {}
    document, received = data.get("basis_document"), data.get("document_received_on")
    if document is None and data.get("liability_finding_on"):
        document, received = "liability_finding", data["liability_finding_on"]
    if document and received is None:
        raise field_error("document_received_on", "Give when the parties received it.")
    procedure = data.get("traffic_procedure") or (
        "police_mediation" if document and document != "termination_document"
        else "people_mediation")
    return {"traffic_procedure": procedure, "basis_document": document,
            "document_received_on": received}


def receive_grid_report(session, data, cipher, scope, today, deadlines):
    """A dispute a grid worker found (the registry's ``grid_report_filed``), taken in as a
    case of the people's mediation committee serving its community; the case's events
    carry the report's reference back to the registry."""
    community = str(data["community_code"])
    intake = {"community_code": community, "dispute_category": data["dispute_category"],
              "description": f"网格排查（{data['place']}，{data['found_on'].isoformat()}）："
                             f"{data['description']}"[:5000],
              "parties": [], "referrer_kind": "grid",
              "referrer_department": f"grid-{community}",
              "referrer_reference": data["reference"]}
    return receive_case(session, intake, "referral", cipher, scope, today, deadlines)


def apply_for_mediation(session, data, cipher, scope, today, deadlines):
    """A resident's own application: a received case, its receipt number and the secret
    (returned once) with which the resident follows it."""
    case = receive_case(session, data, "application", cipher, scope, today, deadlines)
    return case, tracking.issue_receipt(case, "mediation_case", cipher)


def _case_event(case):
    return {"case_id": case.id, "mediation_kind": case.mediation_kind,
            "dispute_category": case.dispute_category,
            "organisation_id": case.organisation_id,
            "receiving_department": case.organisation.department,
            "referrer_department": case.referrer_department,
            "referrer_reference": case.referrer_reference,
            "county_code": case.county_code, "town_code": case.town_code,
            "community_code": case.community_code}


def _record_step(session, case, action, from_status, to_status, on, scope, note=None):
    step = CaseStep(case_id=case.id, action=action, from_status=from_status,
                    to_status=to_status, on=on, actor=scope.subject, actor_role=scope.role,
                    actor_department=scope.department or "", note=note)
    session.add(step)
    case.steps.append(step)
    return step


def may_reveal(case, scope):
    return domain.may_see_case_parties(scope.role, scope.subject, _visible(case, scope),
                                       case.mediator)


def case_view(case, cipher, reveal, pausable=False, deadlines=None):
    parties = [_decrypt_party(cipher, p, p.role) for p in case.parties]
    if not reveal:
        parties = [masking.masked_party(p) for p in parties]
    view = {column: getattr(case, column) for column in api.Case().fields
            if hasattr(MediationCase, column)}
    view.update(parties=parties, personal_data_masked=not reveal,
                next_actions=domain.next_actions(case.status, bool(case.referrer_department),
                                                 pausable),
                deadlines=domain.case_deadlines(case, deadlines),
                amount_claimed=None if case.amount_claimed is None
                else float(case.amount_claimed))
    return view


def list_cases(session, query, scope):
    q = _scoped_cases(select(MediationCase).order_by(MediationCase.id), scope)
    for key in ("status", "mediation_kind", "channel", "county_code", "community_code",
                "organisation_id"):
        if query.get(key):
            q = q.where(getattr(MediationCase, key) == query[key])
    if "overdue" in query:
        q = q.where(MediationCase.overdue.is_(query["overdue"]))
    return paginate(session, q, query["page"], query["per_page"])


def timeline(case):
    return {"case_id": case.id, "status": case.status,
            "steps": [{c: getattr(s, c) for c in api.Step().fields} for s in case.steps]}


STEP_NOTES = {"assign_mediator": "mediator", "request_confirmation": "court"}


def take_step(session, case_id, action, data, deadlines, scope, today):
    """One step of the lifecycle (domain.TRANSITIONS), its timeline entry and events."""
    case = get_case(session, case_id, scope)
    on = data.get("on") or today
    last_on = max((s.on for s in case.steps), default=None)
    changes = domain.plan_step(case, action, data, on, today, last_on, deadlines)
    from_status = case.status
    for key, value in changes.items():
        setattr(case, key, value)
    note = data.get("reason") or data.get(STEP_NOTES.get(action, "note")) or data.get("note")
    if changes.get("officer_review"):  # accepted on a provisional date: an officer decides
        note = "; ".join(filter(None, (note, f"for an officer: {changes['officer_review']}")))
    _record_step(session, case, action, from_status, case.status, on, scope, note)
    _announce_step(session, case, action, on)
    return case


def _announce_step(session, case, action, on):
    event = _case_event(case)
    if action == "accept":
        record_event(session, "mediation_case_accepted", {
            **event, "accepted_on": on, "mediation_due_on": case.mediation_due_on})
    elif action == "decline":
        record_event(session, "mediation_case_declined", {
            **event, "reason": case.declined_reason, "declined_on": on})
    elif action in ("confirm", "refuse_confirmation"):
        record_event(session, "mediation_confirmation_decided", {
            **event, "confirmed": case.confirmed, "decided_on": on})
    elif action == "return_to_referrer":
        record_event(session, "mediation_case_returned", {
            **event, "returned_to": case.returned_to, "returned_on": on})
    if case.status in domain.FINAL_STATUSES:
        record_event(session, "mediation_case_closed",
                     {**event, "outcome": case.result, "closed_on": on})


def _deemed_not_settled(session, case, rules, due_on, today):
    """Medical: past the period the mediation is deemed not settled (第三十八条)."""
    changes = domain.deemed_not_settled(case, rules, due_on, today)
    if not changes:
        return
    from_status = case.status
    for key, value in changes.items():
        setattr(case, key, value)
    _record_step(session, case, "deemed_not_settled" if "status" in changes
                 else "flag_for_officer", from_status, case.status, today, SYSTEM,
                 changes.get("failure_reason") or changes["officer_review"])


def scan_overdue(session, today, deadlines=None):
    """Raise one ``mediation_case_overdue`` per case, deadline and due date passed."""
    q = select(MediationCase).where(or_(
        and_(MediationCase.status.in_(domain.ACCEPTANCE_RUNNING),
             MediationCase.acceptance_due_on < today),
        and_(MediationCase.status.in_(domain.MEDIATION_RUNNING),
             MediationCase.mediation_due_on < today),
        and_(MediationCase.status.in_(domain.CONFIRMATION_RUNNING),
             MediationCase.confirmation_intended.is_(True),
             MediationCase.confirmation_due_on < today),
        and_(MediationCase.status.in_(domain.COURT_DECISION_RUNNING),
             MediationCase.court_decision_due_on < today))).order_by(MediationCase.id)
    raised = []
    for case in session.scalars(q):
        for deadline, due_on in domain.overdue_deadlines(case, today):
            if session.get(OverdueNotice, (case.id, deadline, due_on)) is not None:
                continue
            if deadline == "mediation" and deadlines is not None:
                _deemed_not_settled(session, case, deadlines.rules_for(case), due_on, today)
            session.add(OverdueNotice(case_id=case.id, deadline=deadline, due_on=due_on,
                                      raised_on=today))
            case.overdue = True
            record_event(session, "mediation_case_overdue", {
                **_case_event(case), "deadline": deadline, "due_on": due_on,
                "supervising_department": case.organisation.supervising_department})
            raised.append(case.id)
    return {"today": today, "raised": len(raised), "case_ids": raised}


