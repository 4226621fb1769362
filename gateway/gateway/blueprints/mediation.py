"""Mediation endpoints: organisations and coverage, residents' applications and
departments' referrals, the case lifecycle and timeline, overdue scan, statistics. (Legal
aid and the 12348 hotline keep their paths under this prefix: blueprints/legalservices.py.)"""
from flask import Blueprint, jsonify
from sqlalchemy import select

from fazhi_common.contracts.api import mediation as api
from fazhi_common.contracts.api import page_of
from fazhi_common.contracts.api.legalservices import LEGAL_AID_RECEIPT_PREFIX, CombinedOverdueScan
from fazhi_common.contracts.errors import field_error
from fazhi_common.contracts.roles import MEDIATOR
from fazhi_common.division import try_parse
from gateway.models import UserAccount
from gateway.openapi import documented
from gateway.rpc import ServiceUnavailable
from gateway.security import db_session
from gateway.views import call, call_in_language, created, json_body, query_args

bp = Blueprint("mediation", __name__, url_prefix="/api/v1/mediation")
TAG = "mediation"
# the pages of docs/ that state the rules these operations follow
CASE_RULES = ("The case lifecycle: steps, roles and deadlines",
              "docs/mediation.md#the-case-lifecycle")
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
    body = json_body(api.TrackIn)
    # legal aid's receipts are the legal services service's; mediation's cases its own
    owner = ("legalservices" if body["receipt_number"].startswith(LEGAL_AID_RECEIPT_PREFIX)
             else "mediation")
    return call_in_language(owner, "track", body)


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


def check_mediator(case_id, username):
    """422 unless ``username`` is an active mediator of the case's organisation: of its
    department, in an area nested with the organisation's (accounts live here, at the
    gateway; the organisation and case in mediation)."""
    with db_session() as session:
        account = session.scalar(select(UserAccount).where(UserAccount.username == username))
    case = call("mediation", "get_case", case_id)  # 404 for a case the caller cannot see
    organisation = call("mediation", "get_organisation", case["organisation_id"])
    where = try_parse(organisation.get("town_code") or organisation["county_code"])
    area = try_parse(account.area) if account is not None else None
    nested = account is not None and (not account.area or (
        where is not None and area is not None and (area.covers(where) or where.covers(area))))
    if not (account is not None and account.active and account.role == MEDIATOR
            and account.department == organisation["department"] and nested):
        raise field_error("mediator", f"{username} 不是本案调解组织（{organisation['name']}）"
                                      "的在职调解员。")


def _step_route(action, schema):
    """POST /cases/<id>/<action>: one step of the lifecycle (domain.TRANSITIONS)."""

    @documented(f"Case step: {action.replace('_', ' ')} (409 names the current status if "
                "the step is not allowed from it)", body=schema, response=api.Case, tag=TAG,
                roles=api.CASE_WRITERS, docs=CASE_RULES)
    def step(case_id):
        body = json_body(schema)
        if action == "assign_mediator":
            check_mediator(case_id, body["mediator"])
        return jsonify(call("mediation", "take_step", case_id, action, body))

    bp.add_url_rule(f"/cases/<int:case_id>/{action.replace('_', '-')}", f"step_{action}",
                    step, methods=["POST"])


for _action, _schema in api.ACTIONS.items():
    _step_route(_action, _schema)


@bp.post("/overdue-scan")
@documented("Raise overdue events for deadlines passed by a date (idempotent; the services' "
            "timers run it daily; cases, and legal aid from the legal services service "
            "when it answers)", body=api.OverdueScanIn, response=CombinedOverdueScan,
            tag=TAG, roles=api.ORGANISATION_WRITERS, docs=CASE_RULES)
def scan_overdue():
    body = json_body(api.OverdueScanIn)
    result = call("mediation", "scan_overdue", body)
    try:
        legal = call("legalservices", "scan_overdue", body)
    except ServiceUnavailable:
        # mediation's scan is done and committed: answer it; legal aid scans on its timer
        return jsonify(result)
    return jsonify({**result, **{k: legal[k] for k in ("legal_aid_raised", "legal_aid_ids",
                                                       "withdrawn_ids")}})


@bp.get("/statistics")
@documented("Statistics by kind and county over a period: volume, acceptance and success "
            "rates, median duration, overdue count", query=api.StatisticsQuery,
            response=api.Statistics, tag=TAG, roles=api.READERS)
def statistics():
    return jsonify(call("mediation", "statistics", query_args(api.StatisticsQuery)))


@bp.get("/statistics/disputes")
@documented("Cases received over a period by county and dispute category, by county and "
            "band of the amount claimed, and the mediators at work per county",
            query=api.StatisticsQuery, response=api.Breakdown, tag=TAG, roles=api.READERS)
def dispute_statistics():
    return jsonify(call("mediation", "dispute_statistics", query_args(api.StatisticsQuery)))
