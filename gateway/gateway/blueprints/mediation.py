"""Mediation endpoints: organisations and coverage, residents' applications and
departments' referrals, the case lifecycle and timeline, overdue scan, statistics,
legal aid and the 12348 hotline."""
from flask import Blueprint, jsonify

from fazhi_common.api import mediation as api
from fazhi_common.api import page_of
from gateway.openapi import documented
from gateway.views import call, created, json_body, query_args

bp = Blueprint("mediation", __name__, url_prefix="/api/v1/mediation")
TAG = "mediation"


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
            rate_limited=True)
def apply():
    return created(call("mediation", "apply", json_body(api.ApplicationIn)))


@bp.post("/referrals")
@documented("A linked department refers a dispute, with its own reference",
            body=api.ReferralIn, response=api.Case, status=201, tag=TAG, roles=api.REFERRERS)
def refer():
    return created(call("mediation", "refer", json_body(api.ReferralIn)))


@bp.get("/cases")
@documented("List cases (a linked department sees only those it referred; personal data "
            "masked unless the caller may see it)", query=api.CaseQuery,
            response=page_of(api.Case), tag=TAG, roles=api.CASE_READERS)
def list_cases():
    return jsonify(call("mediation", "list_cases", query_args(api.CaseQuery)))


@bp.get("/cases/<int:case_id>")
@documented("Get a case (personal data masked unless the caller may see it)",
            response=api.Case, tag=TAG, roles=api.CASE_READERS)
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
                roles=api.CASE_WRITERS)
    def step(case_id):
        return jsonify(call("mediation", "take_step", case_id, action, json_body(schema)))

    bp.add_url_rule(f"/cases/<int:case_id>/{action.replace('_', '-')}", f"step_{action}",
                    step, methods=["POST"])


for _action, _schema in api.ACTIONS.items():
    _step_route(_action, _schema)


@bp.post("/overdue-scan")
@documented("Raise overdue events for deadlines passed by a date (idempotent; the service's "
            "timer runs it daily)", body=api.OverdueScanIn, response=api.OverdueScanResult,
            tag=TAG, roles=api.ORGANISATION_WRITERS)
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
@documented("Record a legal-aid application", body=api.LegalAidIn, response=api.LegalAid,
            status=201, tag=TAG, roles=api.LEGAL_SERVICE_WRITERS)
def apply_legal_aid():
    return created(call("mediation", "apply_legal_aid", json_body(api.LegalAidIn)))


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


@bp.get("/hotline-consultations")
@documented("List 12348 hotline consultations", query=api.LegalServiceQuery,
            response=page_of(api.Consultation), tag=TAG, roles=api.LEGAL_SERVICE_READERS)
def list_consultations():
    return jsonify(call("mediation", "list_consultations", query_args(api.LegalServiceQuery)))
