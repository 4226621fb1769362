"""Legal services endpoints (justice bureau, public legal service section). Legal aid and
the 12348 hotline keep the paths they had under /api/v1/mediation; government legal
advisers and lawyers in communities are under /api/v1/legal-services."""
import time

from flask import Blueprint, current_app, jsonify

from fazhi_common.contracts.api import legalservices as api
from fazhi_common.contracts.api import page_of
from fazhi_common.contracts.api.mediation import CASE_WRITERS, CaseLegalAidIn, LegalAidReferral
from fazhi_common.contracts.errors import NotFound
from gateway.openapi import documented
from gateway.views import call, call_in_language, created, json_body, query_args

bp = Blueprint("legalservices", __name__, url_prefix="/api/v1")
TAG = "legal services"
M, L = "/mediation", "/legal-services"
LEGAL_AID_RULES = ("The legal-aid lifecycle", "docs/legalservices.md#the-legal-aid-lifecycle")
PERSONAL_DATA = ("Who sees personal data unmasked",
                 "docs/legalservices.md#who-sees-personal-data")
SERVICE = "legalservices"


# -- legal aid ----------------------------------------------------------------------------------

@bp.post(f"{M}/legal-aid")
@documented("Record a legal-aid application (the answer carries the applicant's receipt "
            "number and secret, once)", body=api.LegalAidIn, response=api.LegalAid,
            status=201, tag=TAG, roles=api.LEGAL_SERVICE_WRITERS, docs=LEGAL_AID_RULES)
def apply_legal_aid():
    return created(call(SERVICE, "apply_legal_aid", json_body(api.LegalAidIn)))


@bp.post(f"{M}/legal-aid/applications")
@documented("A resident applies for legal aid (public, rate limited): a receipt number "
            "and a secret to follow it", body=api.PublicLegalAidIn,
            response=api.LegalAidReceipt, status=201, tag=TAG, roles=api.APPLICANTS,
            public=True, rate_limited=True, docs=LEGAL_AID_RULES)
def apply_legal_aid_public():
    return created(call(SERVICE, "apply_legal_aid_public", json_body(api.PublicLegalAidIn)))


@bp.post(f"{M}/legal-aid/objections")
@documented("The applicant objects to a refusal or a termination of legal aid, with its "
            "receipt number and secret (public, rate limited)", body=api.ObjectionIn,
            response=api.Tracked, tag=TAG, roles=api.TRACKERS, public=True,
            rate_limited=True, docs=LEGAL_AID_RULES)
def object_to_legal_aid_refusal():
    return call_in_language(SERVICE, "object_to_legal_aid_refusal", json_body(api.ObjectionIn))


@bp.get(f"{M}/legal-aid/<int:application_id>")
@documented("Get a legal-aid application (personal data masked unless the caller may see "
            "it)", response=api.LegalAid, tag=TAG, roles=api.LEGAL_SERVICE_READERS,
            docs=PERSONAL_DATA)
def get_legal_aid(application_id):
    return jsonify(call(SERVICE, "get_legal_aid", application_id))


def _legal_aid_route(action, schema):
    """POST /legal-aid/<id>/<action>: one step of the legal-aid lifecycle."""

    @documented(f"Legal aid step: {action.replace('_', ' ')} (409 names the current status "
                "if the step is not allowed from it)", body=schema, response=api.LegalAid,
                tag=TAG, roles=api.LEGAL_AID_DECIDERS, docs=LEGAL_AID_RULES)
    def step(application_id):
        return jsonify(call(SERVICE, "take_legal_aid_step", application_id, action,
                            json_body(schema)))

    bp.add_url_rule(f"{M}/legal-aid/<int:application_id>/{action.replace('_', '-')}",
                    f"legal_aid_{action}", step, methods=["POST"])


for _action, _schema in api.LEGAL_AID_ACTIONS.items():
    _legal_aid_route(_action, _schema)


@bp.get(f"{M}/legal-aid/statistics")
@documented("Legal-aid statistics by county over a period: received, decided, granted, "
            "refused, objections, assigned, closed, overdue",
            query=api.LegalServiceStatisticsQuery, response=api.LegalAidStatistics, tag=TAG,
            roles=api.READERS, docs=LEGAL_AID_RULES)
def legal_aid_statistics():
    return jsonify(call(SERVICE, "legal_aid_statistics",
                        query_args(api.LegalServiceStatisticsQuery)))


@bp.post(f"{M}/cases/<int:case_id>/legal-aid")
@documented("Send a failed mediation's applicant on to legal aid: mediation announces it, "
            "the legal services service makes the application (201 with it once made; 202 "
            "with the referral if it is still on its way)", body=CaseLegalAidIn,
            response=api.LegalAid, status=201, tag=TAG, roles=CASE_WRITERS,
            also={202: LegalAidReferral}, docs=LEGAL_AID_RULES)
def legal_aid_from_case(case_id):
    referral = call("mediation", "refer_to_legal_aid", case_id, json_body(CaseLegalAidIn))
    # the application is made from mediation's event: wait a bounded time for it
    wait = float(current_app.config["FAZHI"].get("LEGAL_AID_REFERRAL_WAIT_SECONDS", 5))
    deadline = time.monotonic() + wait
    while True:
        try:
            return created(call(SERVICE, "legal_aid_for_case", case_id))
        except NotFound:
            if time.monotonic() >= deadline:
                return jsonify(referral), 202
            time.sleep(0.1)


@bp.get(f"{M}/legal-aid")
@documented("List legal-aid applications", query=api.LegalServiceQuery,
            response=page_of(api.LegalAid), tag=TAG, roles=api.LEGAL_SERVICE_READERS)
def list_legal_aid():
    return jsonify(call(SERVICE, "list_legal_aid", query_args(api.LegalServiceQuery)))


@bp.post(f"{L}/overdue-scan")
@documented("Legal aid's overdue events and deemed withdrawals as of a date (idempotent; "
            "the service's timer runs it daily)", body=api.OverdueScanIn,
            response=api.LegalAidScanResult, tag=TAG, roles=api.LEGAL_AID_DECIDERS,
            docs=LEGAL_AID_RULES)
def scan_overdue():
    return jsonify(call(SERVICE, "scan_overdue", json_body(api.OverdueScanIn)))


# -- the 12348 hotline -----------------------------------------------------------------------

@bp.post(f"{M}/hotline-consultations")
@documented("Record a 12348 hotline consultation", body=api.ConsultationIn,
            response=api.Consultation, status=201, tag=TAG, roles=api.LEGAL_SERVICE_WRITERS)
def record_consultation():
    return created(call(SERVICE, "record_consultation", json_body(api.ConsultationIn)))


@bp.get(f"{M}/hotline-consultations/statistics")
@documented("12348 consultations by topic, county and month over a period",
            query=api.LegalServiceStatisticsQuery, response=api.HotlineStatistics, tag=TAG,
            roles=api.READERS)
def hotline_statistics():
    return jsonify(call(SERVICE, "hotline_statistics",
                        query_args(api.LegalServiceStatisticsQuery)))


@bp.get(f"{M}/hotline-consultations")
@documented("List 12348 hotline consultations", query=api.LegalServiceQuery,
            response=page_of(api.Consultation), tag=TAG, roles=api.LEGAL_SERVICE_READERS)
def list_consultations():
    return jsonify(call(SERVICE, "list_consultations", query_args(api.LegalServiceQuery)))


# -- government legal advisers (三级政府法律顾问) ------------------------------------------------

@bp.post(f"{L}/government-advisers")
@documented("Register a legal adviser's contract with a city, county or town government",
            body=api.GovernmentAdviserIn, response=api.GovernmentAdviser, status=201,
            tag=TAG, roles=api.ADVISER_WRITERS)
def register_adviser():
    return created(call(SERVICE, "register_adviser", json_body(api.GovernmentAdviserIn)))


@bp.get(f"{L}/government-advisers")
@documented("List government legal advisers (those of the caller's area and above it)",
            query=api.GovernmentAdviserQuery, response=page_of(api.GovernmentAdviser), tag=TAG,
            roles=api.LEGAL_SERVICE_READERS)
def list_advisers():
    return jsonify(call(SERVICE, "list_advisers", query_args(api.GovernmentAdviserQuery)))


@bp.post(f"{L}/government-advisers/<int:adviser_id>/opinions")
@documented("Record an opinion a government adviser gave (合同审查 / 重大决策 / 规范性文件 / 诉讼)",
            body=api.OpinionIn, response=api.Opinion, status=201, tag=TAG,
            roles=api.ADVISER_WRITERS)
def record_opinion(adviser_id):
    return created(call(SERVICE, "record_opinion", adviser_id, json_body(api.OpinionIn)))


@bp.get(f"{L}/adviser-opinions")
@documented("List government advisers' opinions", query=api.OpinionQuery,
            response=page_of(api.Opinion), tag=TAG, roles=api.LEGAL_SERVICE_READERS)
def list_opinions():
    return jsonify(call(SERVICE, "list_opinions", query_args(api.OpinionQuery)))


@bp.get(f"{L}/government-advisers/coverage")
@documented("Coverage by level: governments with and without a legal adviser under contract",
            query=api.AdviserCoverageQuery, response=api.AdviserCoverage, tag=TAG,
            roles=api.READERS)
def adviser_coverage():
    return jsonify(call(SERVICE, "adviser_coverage", query_args(api.AdviserCoverageQuery)))


# -- lawyers in communities (律师进社区) -------------------------------------------------------

@bp.post(f"{L}/community-visits")
@documented("Record a lawyer's visit or service in a community", body=api.CommunityVisitIn,
            response=api.CommunityVisit, status=201, tag=TAG, roles=api.LEGAL_SERVICE_WRITERS)
def record_visit():
    return created(call(SERVICE, "record_visit", json_body(api.CommunityVisitIn)))


@bp.get(f"{L}/community-visits")
@documented("List lawyers' visits in communities", query=api.VisitQuery,
            response=page_of(api.CommunityVisit), tag=TAG, roles=api.LEGAL_SERVICE_READERS)
def list_visits():
    return jsonify(call(SERVICE, "list_visits", query_args(api.VisitQuery)))


@bp.get(f"{L}/community-visits/totals")
@documented("Lawyers' visits, hours and residents served per community and per county, "
            "with each community's legal adviser from the registry",
            query=api.VisitTotalsQuery, response=api.VisitTotals, tag=TAG, roles=api.READERS)
def visit_totals():
    return jsonify(call(SERVICE, "visit_totals", query_args(api.VisitTotalsQuery)))
