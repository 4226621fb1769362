"""Corrections endpoints (the county community corrections office): intake, a person's
file and its steps, leave requests and their approval, a masked export, and counts."""
import io

from flask import Blueprint, Response, jsonify

from fazhi_common.contracts.api import corrections as api
from fazhi_common.contracts.api import page_of
from fazhi_common.spreadsheet import csv_writer
from gateway.openapi import documented
from gateway.views import call, created, json_body, query_args

bp = Blueprint("corrections", __name__, url_prefix="/api/v1/corrections")
TAG = "corrections"
RULES = ("社区矫正与安置帮教: steps, limits and their articles",
         "docs/rules.md#社区矫正与安置帮教")
PERSONAL_DATA = ("Who sees a person's file unmasked", "docs/corrections.md#who-sees-what")
EXPORT_COLUMNS = ("id", "kind", "correction_type", "status", "county_code", "town_code",
                  "community_code", "officer", "name", "id_number", "decided_on",
                  "report_due_on", "reported_on", "term_ends_on", "help_ends_on", "ended_on",
                  "end_reason")


@bp.post("/persons")
@documented("Intake: a judgement or decision received (report due within 10 days), or a "
            "release notified for five years' resettlement help", body=api.PersonIn,
            response=api.PersonFile, status=201, tag=TAG, roles=api.CORRECTIONS_STAFF,
            docs=RULES)
def intake():
    return created(call("corrections", "intake", json_body(api.PersonIn)))


@bp.get("/persons")
@documented("The office's case list (masked unless the caller is the person's officer or "
            "a leader; every read audited)", query=api.PersonQuery,
            response=page_of(api.Person), tag=TAG, roles=api.CORRECTIONS_STAFF,
            docs=PERSONAL_DATA)
def list_persons():
    return jsonify(call("corrections", "list_persons", query_args(api.PersonQuery)))


@bp.get("/persons/export.csv")
@documented("The case list as CSV, always masked (every export audited)",
            query=api.PersonQuery, tag=TAG, roles=api.CORRECTIONS_STAFF, docs=PERSONAL_DATA)
def export_persons():
    rows = call("corrections", "export_persons", query_args(api.PersonQuery))
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([row.get(c) for c in EXPORT_COLUMNS] for row in rows)
    # a BOM so that spreadsheet programs read the UTF-8 as such
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=corrections.csv"})


@bp.get("/persons/<int:person_id>")
@documented("A person's file: records, leave requests, next steps (masked unless the "
            "caller is the person's officer or a leader; every read audited)",
            response=api.PersonFile, tag=TAG, roles=api.CORRECTIONS_STAFF, docs=PERSONAL_DATA)
def get_person(person_id):
    return jsonify(call("corrections", "get_person", person_id))


def _step_route(action, schema):
    """POST /persons/<id>/<action>: one step of a file (domain.TRANSITIONS)."""

    @documented(f"File step: {action.replace('_', ' ')} (409 names the current status if "
                "the step is not allowed from it)", body=schema, response=api.PersonFile,
                tag=TAG, roles=api.CORRECTIONS_STAFF, docs=RULES)
    def step(person_id):
        return jsonify(call("corrections", "take_step", person_id, action, json_body(schema)))

    bp.add_url_rule(f"/persons/<int:person_id>/{action.replace('_', '-')}",
                    f"step_{action}", step, methods=["POST"])


for _action, _schema in api.ACTIONS.items():
    _step_route(_action, _schema)


@bp.post("/persons/<int:person_id>/leaves")
@documented("A leave request (外出请假): three days ahead; its length decides who approves",
            body=api.LeaveIn, response=api.Leave, status=201, tag=TAG,
            roles=api.CORRECTIONS_STAFF, docs=RULES)
def request_leave(person_id):
    return created(call("corrections", "request_leave", person_id, json_body(api.LeaveIn)))


@bp.post("/leaves/<int:leave_id>/decision")
@documented("Approve or refuse a leave request (by the level its length needs)",
            body=api.LeaveDecisionIn, response=api.Leave, tag=TAG,
            roles=api.CORRECTIONS_STAFF, docs=RULES)
def decide_leave(leave_id):
    return jsonify(call("corrections", "decide_leave", leave_id,
                        json_body(api.LeaveDecisionIn)))


@bp.post("/leaves/<int:leave_id>/return")
@documented("The person is back from leave (a late return is put on file)",
            body=api.LeaveReturnIn, response=api.Leave, tag=TAG,
            roles=api.CORRECTIONS_STAFF, docs=RULES)
def return_from_leave(leave_id):
    return jsonify(call("corrections", "return_from_leave", leave_id,
                        json_body(api.LeaveReturnIn)))


@bp.get("/statistics")
@documented("Counts by county, town or community (no person named): under correction, "
            "unreported (漏管), lost from supervision (脱管), re-offended, resettlement",
            query=api.CorrectionsStatisticsQuery, response=api.CorrectionsStatistics, tag=TAG,
            roles=api.READERS)
def statistics():
    return jsonify(call("corrections", "statistics",
                        query_args(api.CorrectionsStatisticsQuery)))


@bp.post("/unreported-scan")
@documented("Announce the counts of communities with someone past the report limit (the "
            "service's timer runs it daily)", body=api.ScanIn, response=api.ScanResult,
            tag=TAG, roles=api.CORRECTIONS_STAFF, docs=RULES)
def scan_unreported():
    return jsonify(call("corrections", "scan_unreported", json_body(api.ScanIn)))
