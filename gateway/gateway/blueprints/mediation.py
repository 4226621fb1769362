"""Mediation endpoints: organisations and coverage, residents' applications and
departments' referrals, the case lifecycle and timeline, overdue scan, statistics,
legal aid and the 12348 hotline."""
from flask import Blueprint, jsonify

from fazhi_common.contracts.api import mediation as api
from fazhi_common.contracts.api import page_of
from gateway.openapi import documented
from gateway.views import call, created, json_body, query_args

bp = Blueprint("mediation", __name__, url_prefix="/api/v1/mediation")
TAG = "mediation"
# the pages of docs/ that state the rules these operations follow
CASE_RULES = ("The case lifecycle: steps, roles and deadlines",
              "docs/mediation.md#the-case-lifecycle")
LEGAL_AID_RULES = ("The legal-aid lifecycle", "docs/mediation.md#the-legal-aid-lifecycle")
PERSONAL_DATA = ("Who sees parties' personal data unmasked",
                 "docs/mediation.md#who-sees-personal-data")
TRACKING = ("How residents follow their own application",
            "docs/mediation.md#residents-follow-their-own-application")


# -- organisations and coverage ----------------------------------------------------------------

@bp.post("/organisations")
@documented("Register a mediation organisation (people's or one of the five linkage kinds)",
            body=api.OrganisationIn, response=api.Organisation, status=201, tag=TAG,
            roles=api.ORGANISATION_WRITERS)
def register_organisation():
    return created(call("mediation", "register_organisation", json_body(api.OrganisationIn)))


@bp.get("/organisations")
@documented("List mediation organisations", query=api.OrganisationQuery,
            response=page_of(api.Organisation), tag=TAG, roles=api.READERS)
def list_organisations():
    return jsonify(call("mediation", "list_organisations",
                        query_args(api.OrganisationQuery)))


@bp.get("/organisations/<int:organisation_id>")
@documented("Get a mediation organisation", response=api.Organisation, tag=TAG,
            roles=api.READERS)
def get_organisation(organisation_id):
    return jsonify(call("mediation", "get_organisation", organisation_id))


@bp.get("/coverage")
@documented("Linkage coverage: per county, the linkage kinds it lacks (target 100%)",
            query=api.CoverageQuery, response=api.MediationCoverage, tag=TAG,
            roles=api.READERS)
def coverage():
    return jsonify(call("mediation", "coverage", query_args(api.CoverageQuery)))


# -- cases ----------------------------------------------------------------------------------

@bp.post("/applications")
@documented("A resident applies for mediation (public, rate limited)", body=api.ApplicationIn,
            response=api.CaseReceipt, status=201, tag=TAG, roles=api.APPLICANTS, public=True,
            rate_limited=True, docs=TRACKING)
def apply():
    return created(call("mediation", "apply", json_body(api.ApplicationIn)))


@bp.post("/track")
@documented("A resident follows its own application with the receipt number and secret "
            "(public, rate limited; any mismatch is the same 404)", body=api.TrackIn,
            response=api.Tracked, tag=TAG, roles=api.TRACKERS, public=True,
            rate_limited=True, docs=TRACKING)
def track():
    return jsonify(call("mediation", "track", json_body(api.TrackIn)))


@bp.post("/referrals")
@documented("A linked department refers a dispute, with its own reference",
            body=api.ReferralIn, response=api.Case, status=201, tag=TAG, roles=api.REFERRERS,
            docs=CASE_RULES)
def refer():
    return created(call("mediation", "refer", json_body(api.ReferralIn)))


@bp.get("/cases")
@documented("List cases (a linked department sees only those it referred; personal data "
            "masked unless the caller may see it)", query=api.CaseQuery,
            response=page_of(api.Case), tag=TAG, roles=api.CASE_READERS, docs=PERSONAL_DATA)
def list_cases():
    return jsonify(call("mediation", "list_cases", query_args(api.CaseQuery)))


@bp.get("/cases/<int:case_id>")
@documented("Get a case (personal data masked unless the caller may see it)",
            response=api.Case, tag=TAG, roles=api.CASE_READERS, docs=PERSONAL_DATA)
def get_case(case_id):
    return jsonify(call("mediation", "get_case", case_id))


@bp.get("/cases/<int:case_id>/timeline")
@documented("A case's timeline: every step, who took it and when", response=api.Timeline,
            tag=TAG, roles=api.CASE_READERS)
def timeline(case_id):
    return jsonify(call("mediation", "timeline", case_id))


def _step_route(action, schema):
    """POST /cases/<id>/<action>: one step of the lifecycle (domain.TRANSITIONS)."""

    @documented(f"Case step: {action.replace('_', ' ')} (409 names the current status if "
                "the step is not allowed from it)", body=schema, response=api.Case, tag=TAG,
                roles=api.CASE_WRITERS, docs=CASE_RULES)
    def step(case_id):
        return jsonify(call("mediation", "take_step", case_id, action, json_body(schema)))

    bp.add_url_rule(f"/cases/<int:case_id>/{action.replace('_', '-')}", f"step_{action}",
                    step, methods=["POST"])


for _action, _schema in api.ACTIONS.items():
    _step_route(_action, _schema)


@bp.post("/overdue-scan")
@documented("Raise overdue events for deadlines passed by a date (idempotent; the service's "
            "timer runs it daily; cases and legal aid)", body=api.OverdueScanIn,
            response=api.OverdueScanResult, tag=TAG, roles=api.ORGANISATION_WRITERS,
            docs=CASE_RULES)
def scan_overdue():
    return jsonify(call("mediation", "scan_overdue", json_body(api.OverdueScanIn)))


@bp.get("/statistics")
@documented("Statistics by kind and county over a period: volume, acceptance and success "
            "rates, median duration, overdue count", query=api.StatisticsQuery,
            response=api.Statistics, tag=TAG, roles=api.READERS)
def statistics():
    return jsonify(call("mediation", "statistics", query_args(api.StatisticsQuery)))


# -- legal services ---------------------------------------------------------------------------

@bp.post("/legal-aid")
@documented("Record a legal-aid application (the answer carries the applicant's receipt "
            "number and secret, once)", body=api.LegalAidIn, response=api.LegalAid,
            status=201, tag=TAG, roles=api.LEGAL_SERVICE_WRITERS, docs=LEGAL_AID_RULES)
def apply_legal_aid():
    return created(call("mediation", "apply_legal_aid", json_body(api.LegalAidIn)))


@bp.post("/legal-aid/applications")
@documented("A resident applies for legal aid (public, rate limited): a receipt number "
            "and a secret to follow it", body=api.PublicLegalAidIn,
            response=api.LegalAidReceipt, status=201, tag=TAG, roles=api.APPLICANTS,
            public=True, rate_limited=True, docs=LEGAL_AID_RULES)
def apply_legal_aid_public():
    return created(call("mediation", "apply_legal_aid_public",
                        json_body(api.PublicLegalAidIn)))


@bp.post("/legal-aid/objections")
@documented("The applicant objects to a refusal of legal aid, with its receipt number and "
            "secret (public, rate limited)", body=api.ObjectionIn, response=api.Tracked,
            tag=TAG, roles=api.TRACKERS, public=True, rate_limited=True,
            docs=LEGAL_AID_RULES)
def object_to_legal_aid_refusal():
    return jsonify(call("mediation", "object_to_legal_aid_refusal",
                        json_body(api.ObjectionIn)))


@bp.get("/legal-aid/<int:application_id>")
@documented("Get a legal-aid application (personal data masked unless the caller may see "
            "it)", response=api.LegalAid, tag=TAG, roles=api.LEGAL_SERVICE_READERS,
            docs=PERSONAL_DATA)
def get_legal_aid(application_id):
    return jsonify(call("mediation", "get_legal_aid", application_id))


def _legal_aid_route(action, schema):
    """POST /legal-aid/<id>/<action>: one step of the legal-aid lifecycle."""

    @documented(f"Legal aid step: {action.replace('_', ' ')} (409 names the current status "
                "if the step is not allowed from it)", body=schema, response=api.LegalAid,
                tag=TAG, roles=api.LEGAL_AID_DECIDERS, docs=LEGAL_AID_RULES)
    def step(application_id):
        return jsonify(call("mediation", "take_legal_aid_step", application_id, action,
                            json_body(schema)))

    bp.add_url_rule(f"/legal-aid/<int:application_id>/{action.replace('_', '-')}",
                    f"legal_aid_{action}", step, methods=["POST"])


for _action, _schema in api.LEGAL_AID_ACTIONS.items():
    _legal_aid_route(_action, _schema)


@bp.get("/legal-aid/statistics")
@documented("Legal-aid statistics by county over a period: received, decided, granted, "
            "refused, objections, assigned, closed, overdue", query=api.LegalServiceStatisticsQuery,
            response=api.LegalAidStatistics, tag=TAG, roles=api.READERS, docs=LEGAL_AID_RULES)
def legal_aid_statistics():
    return jsonify(call("mediation", "legal_aid_statistics",
                        query_args(api.LegalServiceStatisticsQuery)))


@bp.post("/cases/<int:case_id>/legal-aid")
@documented("Turn a failed mediation into a legal-aid application for its applicant",
            body=api.CaseLegalAidIn, response=api.LegalAid, status=201, tag=TAG,
            roles=api.LEGAL_SERVICE_WRITERS)
def legal_aid_from_case(case_id):
    return created(call("mediation", "legal_aid_from_case", case_id,
                        json_body(api.CaseLegalAidIn)))


@bp.get("/legal-aid")
@documented("List legal-aid applications", query=api.LegalServiceQuery,
            response=page_of(api.LegalAid), tag=TAG, roles=api.LEGAL_SERVICE_READERS)
def list_legal_aid():
    return jsonify(call("mediation", "list_legal_aid", query_args(api.LegalServiceQuery)))


@bp.post("/hotline-consultations")
@documented("Record a 12348 hotline consultation", body=api.ConsultationIn,
            response=api.Consultation, status=201, tag=TAG, roles=api.LEGAL_SERVICE_WRITERS)
def record_consultation():
    return created(call("mediation", "record_consultation", json_body(api.ConsultationIn)))


@bp.get("/hotline-consultations/statistics")
@documented("12348 consultations by topic, county and month over a period",
            query=api.LegalServiceStatisticsQuery, response=api.HotlineStatistics, tag=TAG,
            roles=api.READERS)
def hotline_statistics():
    return jsonify(call("mediation", "hotline_statistics",
                        query_args(api.LegalServiceStatisticsQuery)))


@bp.get("/hotline-consultations")
@documented("List 12348 hotline consultations", query=api.LegalServiceQuery,
            response=page_of(api.Consultation), tag=TAG, roles=api.LEGAL_SERVICE_READERS)
def list_consultations():
    return jsonify(call("mediation", "list_consultations", query_args(api.LegalServiceQuery)))
