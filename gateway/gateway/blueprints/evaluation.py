"""Evaluation endpoints: schemes, evidence, residents' survey, spot checks, inspections,
vetoes, results with their explanation, titles, prerequisites, rankings, reports and the
Excel export."""

from concurrent.futures import ThreadPoolExecutor

from flask import Blueprint, jsonify, send_file

from fazhi_common.contracts.api import Job, page_of
from fazhi_common.contracts.api import evaluation as api
from fazhi_common.contracts.api import evaluation_reports as report_api
from fazhi_common.contracts.api import inspections as inspection_api
from fazhi_common.contracts.api import titles as title_api
from gateway import xlsx
from gateway.openapi import documented
from gateway.security import client_address
from gateway.views import call, caller, created, json_body, query_args

bp = Blueprint("evaluation", __name__, url_prefix="/api/v1/evaluation")
TAG = "evaluation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_PAGE_SIZE = 500  # communities whose indicators one call reads (~10,000 rows)


# the sections of docs/evaluation.md that state the rules these operations follow
TITLE_RULES = ("Titles: named, revoked and re-examined by both departments of the level",
               "docs/evaluation.md#titles-by-level")
VETO_RULES = ("Vetoes: proposed, confirmed, dismissed", "docs/evaluation.md#vetoes-一票否决")
REORGANISATION_RULES = ("What a reorganisation does to titles",
                        "docs/evaluation.md#reorganisation-and-titles")
SCORE_RULES = ("Scores: what does not apply, what each indicator counts",
               "docs/evaluation.md#scores-an-official-would-sign")

EXPORT_RULES = ("The Excel export: one ranking, indicators a page later",
                "docs/evaluation.md#the-excel-export")
DRAW_RULES = ("Spot-check draws: committed, revealed, verified by anyone",
              "docs/evaluation.md#spot-check-draws")


def _call(method, *args):
    return call("evaluation", method, *args)


# -- schemes --------------------------------------------------------------------------------

@bp.post("/schemes")
@documented("Create an indicator scheme (version 1)", body=api.SchemeIn, response=api.Scheme,
            status=201, tag=TAG, roles=api.SCHEME_WRITERS)
def create_scheme():
    return created(_call("create_scheme", json_body(api.SchemeIn)))


@bp.get("/schemes")
@documented("List indicator schemes and their versions", query=api.SchemeQuery,
            response=page_of(api.Scheme), tag=TAG)
def list_schemes():
    return jsonify(_call("list_schemes", query_args(api.SchemeQuery)))


@bp.get("/schemes/<int:scheme_id>")
@documented("Get one version of a scheme", response=api.Scheme, tag=TAG)
def get_scheme(scheme_id):
    return jsonify(_call("get_scheme", scheme_id))


# A revision is a new resource (version N+1), so it is created, not PUT over the scheme.
@bp.post("/schemes/<int:scheme_id>/revisions")
@documented("Revise a scheme: in place while unused, else as its next version (returned); "
            "a scheme in use answers 202 with the job that recomputes its pinned results",
            body=api.SchemeIn, response=api.Scheme, tag=TAG, roles=api.SCHEME_WRITERS)
def edit_scheme(scheme_id):
    scheme = _call("edit_scheme", scheme_id, json_body(api.SchemeIn))
    if scheme.get("job"):
        response = jsonify(scheme)
        response.headers["Location"] = f"{bp.url_prefix}/jobs/{scheme['job']['id']}"
        return response, 202
    return jsonify(scheme)


@bp.get("/jobs/<job_id>")
@documented("Poll a background job (a scheme revision's recompute)", response=Job, tag=TAG)
def get_job(job_id):
    return jsonify(_call("get_job", job_id))


# -- evidence and results -------------------------------------------------------------------------

@bp.post("/evidence")
@documented("Submit a self-assessment of one indicator with its evidence",
            body=api.EvidenceIn, response=api.Evidence, status=201, tag=TAG,
            roles=api.EVIDENCE_WRITERS)
def submit_evidence():
    return created(_call("submit_evidence", json_body(api.EvidenceIn)))


@bp.get("/evidence")
@documented("List self-assessments", query=api.EvidenceQuery, response=page_of(api.Evidence),
            tag=TAG)
def list_evidence():
    return jsonify(_call("list_evidence", query_args(api.EvidenceQuery)))


@bp.get("/results/<code>")
@documented("The current result of a community for a period, explained by indicator",
            query=api.PeriodQuery, response=api.Explanation, tag=TAG, docs=SCORE_RULES)
def explain_result(code):
    return jsonify(_call("explain_result", code, query_args(api.PeriodQuery)))


# -- residents' satisfaction -------------------------------------------------------------------

@bp.post("/communities/<code>/survey-answers")
@documented("A resident's satisfaction answer (public; one per resident, community and "
            "period)", body=api.SurveyAnswerIn, response=api.SurveyReceipt, status=201,
            tag=TAG, roles=api.SURVEY_RESPONDENTS, public=True, rate_limited=True, docs=SCORE_RULES)
def answer_survey(code):
    # where it came from, so that a burst of answers from one source can be flagged
    return created(_call("answer_survey", code, json_body(api.SurveyAnswerIn),
                         client_address()))


@bp.post("/communities/<code>/survey-answers/verification")
@documented("The one-time code sent to the resident's phone, with the answer's receipt: "
            "from now on the answer counts (public)", body=api.SurveyVerifyIn,
            response=api.SurveyReceipt, tag=TAG, roles=api.SURVEY_RESPONDENTS, public=True,
            rate_limited=True, docs=SCORE_RULES)
def verify_survey_answer(code):
    return jsonify(_call("verify_survey_answer", code, json_body(api.SurveyVerifyIn)))


@bp.post("/communities/<code>/paper-survey-answers")
@documented("An answer collected on paper, entered by an official of the area (counted at "
            "once, the official named)", body=api.PaperSurveyIn, response=api.SurveyReceipt,
            status=201, tag=TAG, roles=api.EVIDENCE_WRITERS, docs=SCORE_RULES)
def record_paper_survey_answer(code):
    return created(_call("record_paper_survey_answer", code, json_body(api.PaperSurveyIn)))


@bp.get("/communities/<code>/survey")
@documented("Residents' satisfaction of a community: rate and sample size",
            query=api.SurveyQuery, response=api.SurveySummary, tag=TAG)
def survey_summary(code):
    return jsonify(_call("survey_summary", code, query_args(api.SurveyQuery)))


# -- spot checks and inspections ------------------------------------------------------------------

@bp.post("/spot-checks")
@documented("Commit a random spot check, stratified by county: the eligible list is frozen "
            "and its digest published with the hash of a secret seed; reveal it later",
            body=inspection_api.SpotCheckDrawIn, response=inspection_api.SpotCheckDraw,
            status=201, tag=TAG, roles=api.DRAWERS, docs=DRAW_RULES)
def draw_spot_check():
    return created(_call("draw_spot_check", json_body(inspection_api.SpotCheckDrawIn)))


@bp.post("/spot-checks/<int:draw_id>/reveal")
@documented("Reveal a committed draw: its seed is published and the sample drawn",
            response=inspection_api.SpotCheckDraw, tag=TAG, roles=api.DRAWERS, docs=DRAW_RULES)
def reveal_draw(draw_id):
    return jsonify(_call("reveal_draw", draw_id))


# A redraw is a new resource (the new commitment), so it is created under the old draw.
@bp.post("/spot-checks/<int:draw_id>/redraws")
@documented("Redraw, with a reason: the draw is superseded (who, when, why, all public) "
            "and a new one committed in its place (returned)", body=inspection_api.RedrawIn,
            response=inspection_api.SpotCheckDraw, status=201, tag=TAG, roles=api.DRAWERS,
            docs=DRAW_RULES)
def redraw(draw_id):
    return created(_call("redraw", draw_id, json_body(inspection_api.RedrawIn)))


@bp.get("/spot-checks")
@documented("List spot-check draws", query=inspection_api.SpotCheckQuery,
            response=page_of(inspection_api.SpotCheckDraw), tag=TAG)
def list_draws():
    return jsonify(_call("list_draws", query_args(inspection_api.SpotCheckQuery)))


@bp.get("/public/draws/<int:draw_id>")
@documented("A spot-check draw for anyone, without an account: commitment (seed hash, "
            "eligible list and its digest), then seed and sample, and its redraws; "
            "check it with fazhi-draw verify", response=inspection_api.SpotCheckDraw, tag=TAG,
            roles=api.DRAW_CHECKERS, public=True, rate_limited=True, docs=DRAW_RULES)
def public_draw(draw_id):
    return jsonify(_call("public_draw", draw_id))


@bp.get("/spot-checks/<int:draw_id>")
@documented("A spot-check draw of your area or above: commitment, then seed and sample",
            response=inspection_api.SpotCheckDraw, tag=TAG)
def get_draw(draw_id):
    return jsonify(_call("get_draw", draw_id))


@bp.post("/inspections")
@documented("Record a special inspection or spot check; findings override self-assessment",
            body=inspection_api.InspectionIn, response=inspection_api.Inspection, status=201,
            tag=TAG, roles=api.INSPECTORS)
def record_inspection():
    return created(_call("record_inspection", json_body(inspection_api.InspectionIn)))


@bp.get("/inspections")
@documented("List inspections", query=inspection_api.InspectionQuery,
            response=page_of(inspection_api.Inspection), tag=TAG)
def list_inspections():
    return jsonify(_call("list_inspections", query_args(inspection_api.InspectionQuery)))


@bp.get("/inspections/<int:inspection_id>")
@documented("Get an inspection with its findings", response=inspection_api.Inspection, tag=TAG)
def get_inspection(inspection_id):
    return jsonify(_call("get_inspection", inspection_id))


# -- vetoes ----------------------------------------------------------------------------------

@bp.post("/vetoes")
@documented("Record a veto item met (一票否决), with reason and evidence", body=api.VetoIn,
            response=api.Veto, status=201, tag=TAG, roles=api.VETO_WRITERS, docs=VETO_RULES)
def record_veto():
    return created(_call("record_veto", json_body(api.VetoIn)))


@bp.get("/vetoes")
@documented("List vetoes", query=api.VetoQuery, response=page_of(api.Veto), tag=TAG)
def list_vetoes():
    return jsonify(_call("list_vetoes", query_args(api.VetoQuery)))


@bp.get("/vetoes/<int:veto_id>")
@documented("A veto, proposed, confirmed or dismissed", response=api.Veto, tag=TAG)
def get_veto(veto_id):
    return jsonify(_call("get_veto", veto_id))


@bp.post("/vetoes/<int:veto_id>/decision")
@documented("Confirm or dismiss a proposed veto, with a reason; a confirmed veto fails "
            "the period and ends the titles within your level", body=api.VetoDecisionIn,
            response=api.Veto, tag=TAG, roles=api.VETO_WRITERS, docs=VETO_RULES)
def decide_veto(veto_id):
    return jsonify(_call("decide_veto", veto_id, json_body(api.VetoDecisionIn)))


# -- titles ----------------------------------------------------------------------------------

@bp.post("/titles")
@documented("Your department's decision to name a title on a passed result: proposed until "
            "the other department of the level decides too", body=title_api.AwardIn,
            response=title_api.Title, status=201, tag=TAG, roles=api.TITLE_WRITERS,
            docs=TITLE_RULES)
def award_title():
    return created(_call("award_title", json_body(title_api.AwardIn)))


@bp.get("/titles")
@documented("List titles with their history", query=title_api.TitleQuery,
            response=page_of(title_api.Title), tag=TAG)
def list_titles():
    return jsonify(_call("list_titles", query_args(title_api.TitleQuery)))


@bp.get("/titles/<int:title_id>")
@documented("Get a title with its history", response=title_api.Title, tag=TAG)
def get_title(title_id):
    return jsonify(_call("get_title", title_id))


@bp.post("/titles/<int:title_id>/revocation")
@documented("Your department's decision to revoke a title (撤销) with a reason: revoked "
            "when both departments of the level decided", body=title_api.RevocationIn,
            response=title_api.Title, tag=TAG, roles=api.TITLE_WRITERS, docs=TITLE_RULES)
def revoke_title(title_id):
    return jsonify(_call("revoke_title", title_id, json_body(title_api.RevocationIn)))


@bp.post("/titles/<int:title_id>/re-examination")
@documented("Your department's outcome of a re-examination (复核): keep, revoke or cancel; "
            "it takes effect when both departments of the level decided the same",
            body=title_api.ReExaminationIn, response=title_api.Title, tag=TAG,
            roles=api.TITLE_WRITERS, docs=TITLE_RULES)
def re_examine_title(title_id):
    return jsonify(_call("re_examine_title", title_id, json_body(title_api.ReExaminationIn)))


@bp.post("/titles/<int:title_id>/reorganisation-decision")
@documented("Transfer to the unit a merge or federation made, or cancel, a reorganised "
            "village's title (a recorded decision)", body=title_api.TitleDecisionIn,
            response=title_api.Title, tag=TAG, roles=api.TITLE_WRITERS, docs=REORGANISATION_RULES)
def decide_on_reorganised_title(title_id):
    return jsonify(_call("decide_on_reorganised_title", title_id,
                         json_body(title_api.TitleDecisionIn)))


@bp.post("/re-evaluation-schedule/runs")
@documented("Announce re-evaluations falling due now (the timer does this hourly)",
            body=api.ScheduleRunIn, response=title_api.ScheduleRun, tag=TAG,
            roles=api.SCHEDULE_RUNNERS)
def run_re_evaluation_schedule():
    return jsonify(_call("run_re_evaluation_schedule", json_body(api.ScheduleRunIn)))


@bp.get("/communities/<code>/prerequisite")
@documented("Whether a community may apply for a title that requires the rule-of-law "
            "community title (前置条件)", query=title_api.PrerequisiteQuery,
            response=title_api.Prerequisite, tag=TAG)
def prerequisite(code):
    return jsonify(_call("prerequisite", code, query_args(title_api.PrerequisiteQuery)))


# -- rankings, reports, export ---------------------------------------------------------------

@bp.get("/rankings")
@documented("Communities ranked by score in a town or county", query=report_api.RankingQuery,
            response=page_of(report_api.RankingItem), tag=TAG)
def rankings():
    return jsonify(_call("rankings", query_args(report_api.RankingQuery)))


@bp.get("/reports")
@documented("Results by county and town: evaluated, passed, vetoed, average, titles",
            query=report_api.ReportQuery, response=report_api.Report, tag=TAG)
def report():
    return jsonify(_call("report", query_args(report_api.ReportQuery)))


@bp.get("/overview")
@documented("The campaign in the caller's area counted over every community: the score "
            "distribution, pass rate, coverage and titles, by county (or one county's towns)",
            query=report_api.OverviewQuery, response=report_api.Overview, tag=TAG)
def overview():
    return jsonify(_call("overview", query_args(report_api.OverviewQuery)))


@bp.get("/exports/results.xlsx")
@documented("Results and their indicators as an Excel workbook", query=report_api.ReportQuery,
            tag=TAG, docs=EXPORT_RULES)
def export_results():
    """Every result of the area once, in the rank order of the moment the export began
    (read in one call); each community's indicators as read a page later."""
    query = query_args(report_api.ReportQuery)
    ranking = _call("export_ranking", query)
    pages = _indicator_pages(query["period"], [row[1] for row in ranking["rows"]])
    suffix = f"-{query['county_code']}" if query.get("county_code") else ""
    return send_file(xlsx.workbook(ranking["rows"], pages, query["period"]), mimetype=XLSX,
                     as_attachment=True,
                     download_name=f"evaluation-{query['period']}{suffix}.xlsx")


def _indicator_pages(period, codes):
    """The communities' indicators, a page of codes a call, each call small and quick
    however large the area. The next page is asked for while the workbook takes this
    one, so the service reads and the gateway writes at the same time."""
    call = caller("evaluation")

    def page(start):
        return call("export_indicators",
                    {"period": period, "codes": codes[start:start + EXPORT_PAGE_SIZE]})

    with ThreadPoolExecutor(max_workers=1) as ahead:
        pending = None
        for start in range(0, len(codes), EXPORT_PAGE_SIZE):
            following = ahead.submit(page, start)
            if pending is not None:
                yield pending.result()
            pending = following
        if pending is not None:
            yield pending.result()
