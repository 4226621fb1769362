"""Registry endpoints: units, reorganisation, lineage and stage, self-governance, legal
advisers, coverage, records, bulk import and export."""
import base64
import io
import time

from flask import Blueprint, Response, current_app, g, jsonify, request

from fazhi_common.contracts.api import Job, PageQuery, page_of
from fazhi_common.contracts.api import registry as api
from fazhi_common.contracts.api import self_governance as sg
from fazhi_common.contracts.errors import ValidationFailed
from fazhi_common.spreadsheet import write_csv
from gateway import unit_views
from gateway.openapi import documented
from gateway.security import db_session
from gateway.views import call, created, json_body, query_args

bp = Blueprint("registry", __name__, url_prefix="/api/v1/registry")
TAG = "registry"


def _views():
    """The gateway's view of communities (``gateway.unit_views``), or None where it is off."""
    return current_app.extensions.get("community_views")


def _remember(answer, asked_at):
    """A community this gateway wrote is read back from its view at once, as written."""
    if _views() is not None:
        with db_session() as session:
            unit_views.store_answer(session, answer, asked_at)
    return answer


def _answer(body, etag):
    """The JSON ``body`` with its ETag; 304 to a client that holds it (asked again after
    the checks, each time: ``no-cache``; ``private``: no shared cache keeps it)."""
    held = request.headers.get("If-None-Match")
    if held and request.if_none_match.contains(etag.strip('"')):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def show_community(code):
    views = _views()
    held = views.lookup(code) if views is not None else None
    # a unit outside the caller's area goes to the registry, whose 404 is the answer
    if held is not None and g.identity.covers(code):
        return _answer(*held)
    return _answer(*unit_views.encode(call("registry", "get_community", code)))


def _units(plural, single, schema_in, schema_out, query_schema, registered_by):
    """Create/list/get routes for one level of units (counties, towns, communities)."""

    @documented(f"Register a {single}", body=schema_in, response=schema_out, status=201,
                tag=TAG, roles=api.UNIT_WRITERS)
    def create():
        asked_at = time.time()
        answer = call("registry", registered_by, json_body(schema_in))
        return created(_remember(answer, asked_at) if single == "community" else answer)

    @documented(f"List {plural}", query=query_schema, response=page_of(schema_out), tag=TAG)
    def index():
        return jsonify(call("registry", f"list_{plural}", query_args(query_schema)))

    @documented(f"Get a {single} by division code", response=schema_out, tag=TAG)
    def show(code):
        if single == "community":
            return show_community(code)
        return jsonify(call("registry", f"get_{single}", code))

    bp.add_url_rule(f"/{plural}", f"create_{single}", create, methods=["POST"])
    bp.add_url_rule(f"/{plural}", f"list_{plural}", index, methods=["GET"])
    bp.add_url_rule(f"/{plural}/<code>", f"get_{single}", show, methods=["GET"])


_units("counties", "county", api.CountyIn, api.County, api.CountyQuery, "register_county")
_units("towns", "town", api.TownIn, api.Town, api.TownQuery, "register_town")
_units("communities", "community", api.CommunityIn, api.Community, api.UnitQuery,
       "register_community")


@bp.patch("/communities/<code>")
@documented("Rename a community or change its economic tier", body=api.CommunityChange,
            response=api.Community, tag=TAG, roles=api.UNIT_WRITERS)
def update_community(code):
    asked_at = time.time()
    answer = call("registry", "update_community", code, json_body(api.CommunityChange))
    return jsonify(_remember(answer, asked_at))


@bp.post("/reorganisations")
@documented("Record a reorganisation: convert (转), merge (并) or federate (联) villages",
            body=api.ReorganisationIn, response=api.Reorganisation, status=201, tag=TAG,
            roles=api.UNIT_WRITERS)
def reorganise():
    asked_at = time.time()
    payload = json_body(api.ReorganisationIn)
    answer = call("registry", "reorganise", payload)
    if _views() is not None:  # what it changed is read from the registry from now on
        with db_session() as session:
            unit_views.forget(session, {payload["result_code"], *payload["source_codes"]},
                              asked_at)
    return created(answer)


@bp.get("/communities/<code>/lineage")
@documented("What a unit became and what it was made of", response=api.Lineage, tag=TAG)
def lineage(code):
    return jsonify(call("registry", "lineage", code))


@bp.get("/communities/<code>/stage")
@documented("Campaign stage of a community in a year (three-year rule)",
            query=api.StageQuery, response=api.Stage, tag=TAG)
def stage(code):
    return jsonify(call("registry", "stage", code, query_args(api.StageQuery)))


@bp.post("/governance-bodies")
@documented("Register a self-governance body with its members", body=sg.GovernanceBodyIn,
            response=sg.GovernanceBody, status=201, tag=TAG, roles=api.UNIT_WRITERS)
def create_body():
    return created(call("registry", "create_body", json_body(sg.GovernanceBodyIn)))


@bp.get("/governance-bodies")
@documented("List self-governance bodies (filter those due for election)",
            query=sg.BodyQuery, response=page_of(sg.GovernanceBody), tag=TAG)
def list_bodies():
    return jsonify(call("registry", "list_bodies", query_args(sg.BodyQuery)))


@bp.get("/governance-bodies/<int:body_id>")
@documented("Get a self-governance body", response=sg.GovernanceBody, tag=TAG)
def get_body(body_id):
    return jsonify(call("registry", "get_body", body_id))


@bp.patch("/governance-bodies/<int:body_id>")
@documented("Edit a self-governance body: the party organisation's secretary and 一肩挑, "
            "the term (a term start recorded later is announced when due)",
            body=sg.GovernanceBodyChange, response=sg.GovernanceBody, tag=TAG,
            roles=api.UNIT_WRITERS)
def update_body(body_id):
    return jsonify(call("registry", "update_body", body_id,
                        json_body(sg.GovernanceBodyChange)))


@bp.post("/governance-bodies/<int:body_id>/end")
@documented("End a self-governance body (kept with its history)", body=sg.BodyEndIn,
            response=sg.GovernanceBody, tag=TAG, roles=api.UNIT_WRITERS)
def end_body(body_id):
    return jsonify(call("registry", "end_body", body_id, json_body(sg.BodyEndIn)))


@bp.get("/governance-bodies/<int:body_id>/elections")
@documented("A body's past elections, the latest first", query=PageQuery,
            response=page_of(sg.Election), tag=TAG)
def list_elections(body_id):
    return jsonify(call("registry", "list_elections", body_id, query_args(PageQuery)))


@bp.post("/governance-bodies/<int:body_id>/elections")
@documented("Record an election of a body", body=sg.ElectionIn, response=sg.Election,
            status=201, tag=TAG, roles=api.UNIT_WRITERS)
def record_election(body_id):
    return created(call("registry", "record_election", body_id, json_body(sg.ElectionIn)))


@bp.post("/election-due-schedule/runs")
@documented("Announce bodies whose term ends within the notice (the timer does this "
            "hourly); each body term is announced once", body=api.ScheduleRunIn,
            response=sg.ElectionDueRun, tag=TAG, roles=api.SCHEDULE_RUNNERS)
def run_election_due_schedule():
    return jsonify(call("registry", "run_election_due_schedule", json_body(api.ScheduleRunIn)))


@bp.post("/legal-advisers")
@documented("Assign a community its legal adviser", body=api.AdviserAssignmentIn,
            response=api.AdviserAssignment, status=201, tag=TAG,
            roles=api.LEGAL_SERVICE_WRITERS)
def assign_adviser():
    return created(call("registry", "assign_adviser", json_body(api.AdviserAssignmentIn)))


@bp.get("/legal-advisers")
@documented("List legal-adviser assignments", query=api.AdviserQuery,
            response=page_of(api.AdviserAssignment), tag=TAG)
def list_advisers():
    return jsonify(call("registry", "list_advisers", query_args(api.AdviserQuery)))


@bp.post("/legal-advisers/<int:assignment_id>/removal")
@documented("End a legal-adviser assignment", body=api.AdviserRemovalIn,
            response=api.AdviserAssignment, tag=TAG, roles=api.LEGAL_SERVICE_WRITERS)
def remove_adviser(assignment_id):
    return jsonify(call("registry", "remove_adviser", assignment_id,
                        json_body(api.AdviserRemovalIn)))


@bp.get("/coverage")
@documented("Coverage by county and town: legal advisers, education places, culture venues",
            query=api.CoverageQuery, response=api.Coverage, tag=TAG)
def coverage():
    return jsonify(call("registry", "coverage", query_args(api.CoverageQuery)))


@bp.get("/health-checks/progress")
@documented("Enterprise legal health checks against the yearly target",
            query=api.RecordQuery, response=api.HealthCheckProgress, tag=TAG)
def health_check_progress():
    return jsonify(call("registry", "health_check_progress", query_args(api.RecordQuery)))


@bp.get("/governance-figures")
@documented("Self-governance figures by county and town over a period: communities and "
            "villages, party organisations, assemblies and their quorum, conventions, "
            "grids, elections due and held", query=sg.GovernanceFiguresQuery,
            response=sg.GovernanceFiguresReport, tag=TAG)
def governance_figures():
    return jsonify(call("registry", "governance_figures",
                        query_args(sg.GovernanceFiguresQuery)))


@bp.post("/health-check-targets")
@documented("Set (or change) a county's yearly target of enterprise legal health checks; "
            "the city sets it",
            body=api.HealthCheckTargetIn, response=api.HealthCheckTarget, tag=TAG,
            roles=api.LEGAL_SERVICE_WRITERS)
def set_health_check_target():
    return jsonify(call("registry", "set_health_check_target",
                        json_body(api.HealthCheckTargetIn)))


@bp.get("/outreach-activities/summary")
@documented("Volunteer outreach by target group", query=api.RecordQuery,
            response=api.OutreachSummary(many=True), tag=TAG)
def outreach_summary():
    return jsonify(call("registry", "outreach_summary", query_args(api.RecordQuery)))


def _records(kind, schema_in, schema_out):
    path = "/" + kind.replace("_", "-")
    label = kind.replace("_", " ")

    @documented(f"Record {label}", body=schema_in, response=schema_out, status=201, tag=TAG,
                roles=api.RECORD_WRITERS[kind])
    def add():
        return created(call("registry", "add_record", kind, json_body(schema_in)))

    @documented(f"List {label}", query=api.RecordQuery, response=page_of(schema_out), tag=TAG)
    def index():
        return jsonify(call("registry", "list_records", kind, query_args(api.RecordQuery)))

    bp.add_url_rule(path, f"add_{kind}", add, methods=["POST"])
    bp.add_url_rule(path, f"list_{kind}", index, methods=["GET"])


for _kind, (_in, _out) in api.RECORD_KINDS.items():
    _records(_kind, _in, _out)


@bp.post("/grids/<int:grid_id>/end")
@documented("End a grid (kept with its reports; evaluation stops counting it from that day)",
            body=sg.BodyEndIn, response=api.RECORD_KINDS["grids"][1], tag=TAG,
            roles=api.UNIT_WRITERS)
def end_grid(grid_id):
    return jsonify(call("registry", "end_grid", grid_id, json_body(sg.BodyEndIn)))


@bp.patch("/funding-lines/<int:funding_line_id>")
@documented("Record a funding line's spending or its revised budget (spending beyond the "
            "budget is kept as it was; a changed budget is announced to evaluation again)",
            body=sg.FundingLineChange, response=api.RECORD_KINDS["funding_lines"][1], tag=TAG,
            roles=api.RECORD_WRITERS["funding_lines"])
def update_funding_line(funding_line_id):
    return jsonify(call("registry", "update_funding_line", funding_line_id,
                        json_body(sg.FundingLineChange)))


@bp.patch("/purchased-services/<int:purchased_service_id>")
@documented("Record a purchased service's evaluation result or its payment (never more than "
            "the contract amount)", body=sg.PurchasedServiceChange,
            response=api.RECORD_KINDS["purchased_services"][1], tag=TAG,
            roles=api.RECORD_WRITERS["purchased_services"])
def update_purchased_service(purchased_service_id):
    return jsonify(call("registry", "update_purchased_service", purchased_service_id,
                        json_body(sg.PurchasedServiceChange)))


@bp.post("/imports")
@documented("Import counties, towns, communities and villages from CSV or Excel "
            "(all or nothing; JSON with base64 content, or multipart field 'file'; "
            "dry_run checks every row and writes nothing)",
            body=api.ImportFileIn, response=api.ImportResult, status=201, tag=TAG,
            roles=api.UNIT_WRITERS, also={200: api.ImportResult, 202: api.ImportResult},
            large_body=True)
def import_units():
    upload = request.files.get("file")
    if upload is not None:
        payload = {"filename": upload.filename or "",
                   "content_base64": base64.b64encode(upload.read()).decode()}
        if "dry_run" in request.form:
            payload["dry_run"] = request.form["dry_run"]
        api.ImportFileIn().load(payload)
    else:
        payload = json_body(api.ImportFileIn)
    result = call("registry", "import_file", payload)
    if result.get("job"):  # a long list: accepted, imported by a job the caller polls
        response = jsonify(result)
        response.headers["Location"] = f"{bp.url_prefix}/jobs/{result['job']['id']}"
        return response, 202
    # a dry run made nothing: 200 with the row report
    return jsonify(result) if str(payload.get("dry_run")).lower() in ("true", "1") \
        else created(result)


@bp.get("/jobs/<job_id>")
@documented("Poll a background job (a long import): its result holds the counts and the "
            "row report", response=Job, tag=TAG)
def get_job(job_id):
    return jsonify(call("registry", "get_job", job_id))




@bp.get("/exports/units.csv")
@documented("Export units as CSV (UTF-8 with BOM, opens in Excel)", query=api.CoverageQuery,
            tag=TAG)
def export_units():
    rows = call("registry", "export_units", query_args(api.CoverageQuery))
    if not rows and request.args.get("county_code"):
        raise ValidationFailed("No units in that county.", {"county_code": ["no units"]})
    out = io.StringIO()
    columns = ["code", "name", "level", "kind", "parent_code", "status"]
    write_csv(out, columns, ([row.get(c) for c in columns] for row in rows), bom=True)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=units.csv"})
