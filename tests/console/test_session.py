"""The console's browser session at the HTTP level: cookie flags, CSRF on writes, the same
role checks as a bearer token, sign-out, security headers, the menu by role."""
from http.cookies import SimpleCookie

import pytest

from gateway.security import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from tests.console.conftest import PASSWORD

R = "/api/v1/registry"


@pytest.fixture
def registry(container_factory, service_config):
    from registry.service import RegistryService

    container = container_factory(RegistryService, service_config("registry"))
    container.start()
    return container


def _sign_in(app, accounts, username, role, area=None):
    accounts(username, role, area)
    client = app.test_client()
    answer = client.post("/console/session", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.json
    return client, answer


def _cookie_flags(response, name):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}, \
                SimpleCookie(header)[name]
    raise AssertionError(f"no {name} cookie set")


def test_sign_in_sets_an_httponly_strict_cookie_and_writes_need_the_csrf_token(
        registry, gateway_app, accounts):
    client, answer = _sign_in(gateway_app, accounts, "officer", "civil_affairs_officer")
    flags, _ = _cookie_flags(answer, SESSION_COOKIE)
    assert {"httponly", "samesite", "path"} <= flags
    assert "SameSite=Strict" in " ".join(answer.headers.getlist("Set-Cookie"))
    csrf_flags, _ = _cookie_flags(answer, CSRF_COOKIE)
    assert "httponly" not in csrf_flags  # the page reads it back after a reload
    token = answer.json["csrf_token"]
    assert SESSION_COOKIE not in answer.get_data(as_text=True)  # the token stays in the cookie

    assert client.get(f"{R}/counties").status_code == 200  # reads need no CSRF header
    county = {"code": "330110000000", "name": "余杭区", "kind": "district"}
    refused = client.post(f"{R}/counties", json=county)
    assert refused.status_code == 403 and refused.json["fields"] == {
        "csrf": ["missing or wrong"]}
    forged = client.post(f"{R}/counties", json=county, headers={CSRF_HEADER: "0" * 64})
    assert forged.status_code == 403
    assert client.get(f"{R}/counties").json["total"] == 0  # nothing changed
    done = client.post(f"{R}/counties", json=county, headers={CSRF_HEADER: token})
    assert done.status_code == 201, done.json

    # another user's session token is worth nothing in this session
    other, other_answer = _sign_in(gateway_app, accounts, "other", "civil_affairs_officer")
    assert client.post(f"{R}/counties", json={**county, "code": "330111000000"}, headers={
        CSRF_HEADER: other_answer.json["csrf_token"]}).status_code == 403


def test_the_cookie_meets_the_same_role_and_area_checks(registry, gateway_app, gateway,
                                                       accounts):
    for code, name in (("330110000000", "余杭区"), ("330111000000", "富阳区")):
        gateway.post(f"{R}/counties", json={"code": code, "name": name, "kind": "district"})
    viewer, answer = _sign_in(gateway_app, accounts, "viewer", "viewer", "330110000000")
    csrf = {CSRF_HEADER: answer.json["csrf_token"]}
    refused = viewer.post(f"{R}/counties", json={"code": "330112000000", "name": "临平区",
                                                  "kind": "district"}, headers=csrf)
    assert refused.status_code == 403 and refused.json["fields"] == {"role": ["viewer"]}
    seen = viewer.get(f"{R}/counties").json
    assert [c["code"] for c in seen["items"]] == ["330110000000"]
    assert viewer.get(f"{R}/counties/330111000000").status_code in (403, 404)

    me = viewer.get("/console/session").json
    assert me["user"] == {"subject": "viewer", "role": "viewer", "department": "test",
                          "area": "330110000000"}
    menu = [m["id"] for m in me["menu"]]
    assert "registry" in menu and "legal" in menu and "inbox" in menu
    # a viewer registers nothing, works no case; it reads a community's whole file
    assert me["abilities"] == ["read_advisers", "read_bodies", "read_cases", "read_records",
                               "read_results", "read_titles"]
    evaluator, _ = _sign_in(gateway_app, accounts, "assessor", "evaluator", "330110000000")
    # mediation's cases are not an evaluator's to read: its unit page leaves them out
    assert "read_cases" not in evaluator.get("/console/session").json["abilities"]
    # it reads every report and return (their keys and routes come with the session)
    assert me["reports"] == ["mediation_report"]
    assert [(r["key"], r["path"]) for r in me["returns"]][-1] == (
        "self-governance", "/console/returns/self-governance.xlsx")
    assert len(me["returns"]) == 6 and all(r["title"] and r["department"]
                                           for r in me["returns"])
    linked, _ = _sign_in(gateway_app, accounts, "court", "linked_department_officer")
    linked_menu = [m["id"] for m in linked.get("/console/session").json["menu"]]
    assert "mediation" in linked_menu and "legal" not in linked_menu


def test_sign_out_revokes_the_token_and_drops_the_cookies(registry, gateway_app, accounts):
    client, answer = _sign_in(gateway_app, accounts, "officer", "civil_affairs_officer")
    _, session_cookie = _cookie_flags(answer, SESSION_COOKIE)
    assert client.post("/console/session/logout").status_code == 403  # CSRF here too
    out = client.post("/console/session/logout",
                      headers={CSRF_HEADER: answer.json["csrf_token"]})
    assert out.status_code == 204
    assert any(h.startswith(f"{SESSION_COOKIE}=;") for h in out.headers.getlist("Set-Cookie"))
    # the old token, replayed by hand, is refused
    stale = gateway_app.test_client()
    stale.set_cookie(SESSION_COOKIE, session_cookie.value)
    assert stale.get(f"{R}/counties").status_code == 401
    # a stale cookie does not stand in the way of the sign-in page and its files
    assert stale.get("/console/").status_code == 200
    assert stale.get("/console/static/app.js").status_code == 200


def test_wrong_password_and_bad_input_answer_like_the_api(gateway_app, accounts):
    accounts("officer", "civil_affairs_officer")
    client = gateway_app.test_client()
    wrong = client.post("/console/session", json={"username": "officer", "password": "nope"})
    assert wrong.status_code == 401 and SESSION_COOKIE not in wrong.headers.get("Set-Cookie", "")
    empty = client.post("/console/session", json={"username": ""})
    assert empty.status_code == 422 and set(empty.json["fields"]) == {"username", "password"}
    assert client.get("/console/session").status_code == 401


def test_pages_and_api_carry_the_security_headers(gateway_app, gateway):
    client = gateway_app.test_client()
    page = client.get("/console/")
    assert page.status_code == 200 and "text/html" in page.content_type
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "<script>" not in page.get_data(as_text=True)  # no inline script at all
    assert client.get("/").headers["Location"].endswith("/console/")
    echarts = client.get("/console/static/vendor/echarts.min.js")
    assert echarts.status_code == 200 and len(echarts.data) > 500_000
    assert client.get("/console/static/../views.py").status_code == 404
    api = gateway.get("/api/v1/auth/me")
    assert api.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    # the console's routes are not part of the API's description
    assert not [p for p in gateway.get("/api/v1/openapi.json").json["paths"]
                if p.startswith("/console")]


def test_a_table_comes_back_as_an_excel_workbook(gateway):
    from io import BytesIO

    from openpyxl import load_workbook

    answer = gateway.post("/console/tables.xlsx", json={
        "title": "调解成功率", "columns": ["县", "成功率"],
        "rows": [["余杭区", 0.5], ["=HYPERLINK(\"x\")", None]]})
    assert answer.status_code == 200, answer.json
    sheet = load_workbook(BytesIO(answer.data)).active
    assert [c.value for c in sheet[2]] == ["县", "成功率"]
    assert [c.value for c in sheet[3]] == ["余杭区", 0.5]
    # never a formula from a cell's text: text, marked to stay text when edited
    assert sheet["A4"].data_type == "s" and sheet["A4"].quotePrefix
    bad = gateway.post("/console/tables.xlsx", json={"title": "", "columns": []})
    assert bad.status_code == 422 and {"title", "columns", "rows"} <= set(bad.json["fields"])
    assert gateway.anonymous().post("/console/tables.xlsx", json={}).status_code == 401
