"""The residents' pages (/m/) as the gateway serves them: under the console's CSP, no
inline script, never cached; and the tracking request they use takes the receipt number
and secret in its body only, answering the same for any mismatch."""
import re

import pytest

from gateway.console.views import CSP
from tests.console.test_browser import seed_two_counties
from tests.helpers import wait_until

M = "/api/v1/mediation"
COMMUNITY = "330110001001"
PAGES = ("/m/", "/m/apply", "/m/track", "/m/survey", "/m/draw")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def seed_people_committee(gateway):
    """Two counties, the town's people's mediation committee, and a first application made
    through the API as a portal would (so mediation knows the community): its receipt."""
    seed_two_counties(gateway)
    assert gateway.post(f"{M}/organisations", json={
        "name": "良渚街道人民调解委员会", "kind": "people", "county_code": "330110000000",
        "town_code": "330110001000", "department": "justice-330110"}).status_code == 201
    resident = gateway.anonymous()
    return wait_until(lambda: (r := resident.post(f"{M}/applications", json={
        "community_code": COMMUNITY, "dispute_category": "neighbourhood",
        "description": "楼上装修噪声", "parties": [{"role": "applicant", "name": "赵六"}]})
    ).status_code == 201 and r.json, timeout=60)


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_served_under_the_console_policy(gateway_app, path):
    client = gateway_app.test_client()
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Frame-Options"] == "DENY"
    page = answer.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(page), "script only from files"
    assert 'src="/console/static/m/m.js"' in page and 'lang="zh-CN"' in page
    assert 'name="viewport"' in page


def test_the_files_are_served_and_nothing_else_is_a_page(gateway_app):
    client = gateway_app.test_client()
    script = client.get("/console/static/m/m.js")
    assert script.status_code == 200 and "javascript" in script.mimetype
    assert client.get("/console/static/m/m.css").status_code == 200
    assert client.get("/m/cases").status_code == 404
    assert client.get("/m/apply", headers={"Cookie": "fazhi_session=stale"}).status_code == 200
    described = client.get("/api/v1/openapi.json").json["paths"]
    assert "/m/{page}" not in described  # hidden pages, like the console's


def test_tracking_takes_the_secret_in_the_body_and_says_the_same_for_any_mismatch(
        platform, gateway):
    receipt = seed_people_committee(gateway)
    resident = gateway.anonymous()
    number, secret = receipt["receipt_number"], receipt["secret"]
    tracked = resident.post(f"{M}/track", json={"receipt_number": number, "secret": secret},
                            headers={"Accept-Language": "zh-CN"})
    assert tracked.status_code == 200
    assert tracked.json["receipt_number"] == number and tracked.json["status"] == "received"
    assert tracked.json["kind"] == "mediation_case" and "secret" not in tracked.json

    def refused(body):
        answer = resident.post(f"{M}/track", json=body, headers={"Accept-Language": "zh-CN"})
        assert answer.status_code == 404
        return answer.json

    wrong_secret = refused({"receipt_number": number, "secret": secret + "x"})
    unknown = refused({"receipt_number": "M2000-9999999", "secret": secret})
    assert wrong_secret == unknown  # nothing says whether the receipt exists
    assert wrong_secret["detail"] == "没有与该受理编号和查询密码相符的申请，请核对后重试。"
    missing = resident.post(f"{M}/track", json={"receipt_number": number},
                            headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 422
    assert missing.json["fields"] == {"secret": ["此项为必填项。"]}
    # the request exists only with a body: an address carrying them is not served
    in_address = resident.get(f"{M}/track", query_string={"receipt_number": number,
                                                         "secret": secret})
    assert in_address.status_code == 405
