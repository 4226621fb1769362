"""The console's own routes: its page and files, and the browser session.

Signing in turns a password into the gateway's ordinary login token, kept in an HttpOnly,
SameSite=Strict cookie the page's script cannot read; the script gets the session's CSRF
token instead and sends it on every write (the gateway checks it, see gateway.security).
The menu is worked out from the API's own access rules, so it never offers a part the
user's role would be refused.
"""
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, current_app, g, jsonify, request, send_from_directory

from fazhi_common.contracts.api.legalservices import LEGAL_SERVICE_READERS
from fazhi_common.contracts.errors import NotFound, Unauthenticated
from fazhi_common.contracts.roles import EVERYONE, STAFF
from gateway import schemas as s
from gateway.blueprints.auth import end_session, password_login
from gateway.console.excel import XLSX, TableIn, table_workbook
from gateway.console.filing import ReturnQuery, period_dates, workbook
from gateway.console.reports import ReportQuery, mediation_workbook
from gateway.console.returns import RETURNS, resolve
from gateway.openapi import documented
from gateway.security import CSRF_COOKIE, SESSION_COOKIE
from gateway.views import call, json_body, query_args

bp = Blueprint("console", __name__, url_prefix="/console")
STATIC = Path(__file__).resolve().parent / "static"
TAG = "console"
# the report counts legal aid too, so it is for those who may read both
MEDIATION_READERS = LEGAL_SERVICE_READERS

# script only from here (no inline script, no eval); styles only from files; no framing
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")

# menu entry -> the API operation that part of the console cannot do without
MENU = (
    ("dashboard", "总览", "evaluation.report"),
    ("registry", "区划与单位", "registry.list_counties"),
    ("governance", "基层自治", "registry.list_meetings"),
    ("mediation", "调解工作台", "mediation.list_cases"),
    ("legal", "法律援助与12348", "legalservices.list_legal_aid"),
    ("corrections", "社区矫正", "corrections.list_persons"),
    ("evaluation", "创建评价", "evaluation.rankings"),
    ("reports", "统计报表", ("console.mediation_report",
                          *(f"console.{r.endpoint}" for r in RETURNS))),
    ("desk", "业务办理", "notifications.create_subscription"),
    ("inbox", "消息提醒", "notifications.list_inbox"),
)
# further things the page may offer a role (buttons, forms), by the same rule
ABILITIES = {
    "register_unit": "registry.create_community",
    "reorganise": "registry.reorganise",
    "import_units": "registry.import_units",
    "refer_case": "mediation.refer",
    "work_case": "mediation.step_accept",
    "draw_spot_check": "evaluation.draw_spot_check",
    # the parts of a community's file (the unit page) each shown to those who may read it
    "read_bodies": "registry.list_bodies",
    "read_records": "registry.list_meetings",
    "read_advisers": "registry.list_advisers",
    "read_results": "evaluation.explain_result",
    "read_titles": "evaluation.list_titles",
    "read_cases": "mediation.list_cases",
}
# report forms the reports page may offer a role, beside the returns (RETURNS)
REPORTS = {"mediation_report": "console.mediation_report"}


def secure_cookies(config):
    """Whether the session cookies carry Secure: yes unless told otherwise, except in
    development, where the quick start serves plain http on 127.0.0.1."""
    setting = config.get("CONSOLE_SECURE_COOKIES")
    if setting is None or setting == "":
        return str(config.get("ENVIRONMENT", "development")) != "development"
    return setting if isinstance(setting, bool) else str(setting).lower() in ("1", "true", "yes")



def _allowed(role, endpoint):
    """Whether ``role`` may call ``endpoint`` (any of them, given several)."""
    if isinstance(endpoint, tuple):
        return any(_allowed(role, one) for one in endpoint)
    view = current_app.view_functions.get(endpoint)
    meta = getattr(view, "openapi", None)
    return meta is not None and (meta["public"] or role in meta["roles"])


def _session_view(identity, claims):
    role = identity.role
    return {
        "user": s.Me().dump(identity),
        "csrf_token": current_app.extensions["tokens"].csrf_token(claims),
        "expires_at": int(claims["exp"]),
        "menu": [{"id": key, "title": title} for key, title, endpoint in MENU
                 if _allowed(role, endpoint)],
        "abilities": sorted(key for key, endpoint in ABILITIES.items()
                            if _allowed(role, endpoint)),
        "reports": sorted(key for key, endpoint in REPORTS.items()
                          if _allowed(role, endpoint)),
        "returns": [{"key": r.key, "title": r.title, "department": r.department,
                     "path": f"{bp.url_prefix}/returns/{r.key}.xlsx"}
                    for r in RETURNS if _allowed(role, f"console.{r.endpoint}")],
    }


@bp.after_request
def console_headers(response):
    response.headers["Content-Security-Policy"] = CSP
    # the page and the session never from a cache; files revalidated, so an upgrade shows
    static = request.endpoint == "console.static_file"
    response.headers["Cache-Control"] = "no-cache" if static else "no-store"
    return response


@bp.get("/")
@documented("The console's page", public=True, hidden=True, tag=TAG)
def page():
    return send_from_directory(STATIC, "index.html")


@bp.get("/static/<path:filename>")
@documented("The console's scripts, styles and vendored ECharts", public=True, hidden=True,
            tag=TAG)
def static_file(filename):
    return send_from_directory(STATIC, filename)


@bp.post("/session")
@documented("Sign in to the console: the login token goes into an HttpOnly cookie",
            body=s.LoginIn, public=True, rate_limited=True, hidden=True, tag=TAG)
def sign_in():
    data = s.LoginIn().load(json_body(s.LoginIn))
    token, ttl = password_login(data["username"], data["password"])
    tokens = current_app.extensions["tokens"]
    claims = tokens.decode(token)
    response = jsonify({"csrf_token": tokens.csrf_token(claims), "expires_in": ttl})
    secure = secure_cookies(current_app.config["FAZHI"])
    response.set_cookie(SESSION_COOKIE, token, max_age=ttl, path="/", secure=secure,
                        httponly=True, samesite="Strict")
    # readable by the page so it survives a reload; useless to another site (SameSite, CORS)
    # and to another session (bound to this token). It outlives the token by a day so that
    # a page opened after expiry can say the session expired rather than show a bare form.
    response.set_cookie(CSRF_COOKIE, tokens.csrf_token(claims), max_age=ttl + 86400,
                        path="/", secure=secure, httponly=False, samesite="Strict")
    return response


@bp.get("/session")
@documented("The signed-in user, the session's CSRF token, expiry and menu", roles=EVERYONE,
            hidden=True, tag=TAG)
def who_am_i():
    if getattr(g, "token_claims", None) is None:
        raise Unauthenticated("Sign in to the console with a user name and password.")
    return jsonify(_session_view(g.identity, g.token_claims))


@bp.post("/session/logout")
@documented("Sign out: revoke the session's token and drop its cookies", roles=EVERYONE,
            status=204, hidden=True, tag=TAG)
def sign_out():
    end_session()
    response = current_app.response_class(status=204)
    response.delete_cookie(SESSION_COOKIE, path="/", samesite="Strict", httponly=True)
    response.delete_cookie(CSRF_COOKIE, path="/", samesite="Strict")
    return response


@bp.post("/tables.xlsx")
@documented("A table the console shows (a chart's figures, a row report) as an Excel file",
            body=TableIn, roles=STAFF, hidden=True, tag=TAG)
def table_as_excel():
    data = TableIn().load(json_body(TableIn))
    return _attachment(table_workbook(data["title"], data["columns"], data["rows"]),
                       data["title"])


COUNTY_PAGE = 500  # the registry's largest page; a province has a few hundred counties


def _all_counties():
    """Every county of the caller's area, page after page (a province may hold more
    counties than one page)."""
    counties, page = [], 1
    while True:
        answer = call("registry", "list_counties", {"per_page": COUNTY_PAGE, "page": page})
        counties += answer["items"]
        if not answer["items"] or len(counties) >= answer["total"]:
            return counties
        page += 1


@bp.get("/reports/mediation.xlsx")
@documented("The monthly or annual mediation statistics of a county, or of every county "
            "in the caller's area, as the Excel form offices send upward",
            query=ReportQuery, roles=MEDIATION_READERS, hidden=True, tag=TAG)
def mediation_report():
    query = query_args(ReportQuery)
    first, last, words = period_dates(query["period"])
    counties = _all_counties()
    if query.get("county_code"):
        counties = [c for c in counties if c["code"] == query["county_code"]]
        if not counties:
            raise NotFound(f"No county {query['county_code']} in your area.")
    span = {"date_from": first.isoformat(), "date_to": last.isoformat()}
    statistics = call("mediation", "statistics",
                      {**span, **({"county_code": query["county_code"]}
                                  if query.get("county_code") else {})})
    legal_aid = {c["code"]: call("legalservices", "list_legal_aid", {
        **span, "county_code": c["code"], "per_page": 1})["total"] for c in counties}
    area = g.identity.area
    area_name = next((c["name"] for c in counties if c["code"] == area), None) or \
        ("全市" if area else "全部县（市、区）")
    content = mediation_workbook(area_name, words, [(c["code"], c["name"]) for c in counties],
                                 statistics["rows"], legal_aid)
    return _attachment(content, f"调解工作统计表-{query.get('county_code') or area or '全部'}"
                                f"-{query['period']}")


def _attachment(content, name):
    return Response(content, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}.xlsx"})


def _return_view(spec):
    """The route of one return: its period and area checked, its sheets written."""
    def view():
        query = query_args(ReturnQuery)
        scope = resolve(call, g.identity, query)
        return _attachment(workbook(spec.build(call, scope)),
                           f"{spec.title}-{scope.unit_name}-{query['period']}")
    view.__name__ = spec.endpoint
    return documented(f"{spec.summary}, for a period and an area, as the Excel return "
                      "a bureau files upward", query=ReturnQuery, roles=spec.roles,
                      hidden=True, tag=TAG)(view)


for _spec in RETURNS:
    bp.add_url_rule(f"/returns/{_spec.key}.xlsx", view_func=_return_view(_spec),
                    methods=["GET"])
