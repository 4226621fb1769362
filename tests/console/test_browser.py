"""The console driven in headless Chromium: what an official does, page by page.

Marked ``browser`` (see conftest): scripts/test runs these once, in one pass.
"""
import re
import subprocess
import sys
from datetime import date

from openpyxl import load_workbook
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.console.conftest import PASSWORD, screenshot
from tests.helpers import register, wait_until

R = "/api/v1/registry"


def wait(driver, seconds=60):
    return WebDriverWait(driver, seconds)


def find(driver, css, seconds=60):
    try:
        return wait(driver, seconds).until(
            ec.visibility_of_element_located((By.CSS_SELECTOR, css)))
    except TimeoutException:
        screenshot(driver, "failed-" + css.strip("#.[]").replace("/", "-")[:40])
        raise AssertionError(f"{css} did not show; the page says: "
                             f"{driver.find_element(By.TAG_NAME, 'body').text[:500]}") from None


def sign_in(driver, url, username):
    driver.get(url)
    form = find(driver, "#signin-form")
    form.find_element(By.NAME, "username").send_keys(username)
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    find(driver, "#sign-out")


def go(driver, url, fragment):
    driver.get(f"{url}#/{fragment}")


# Chromium's own line for a request the page expected to be refused (a session that
# ended, an id that does not exist, a form the gateway sends back): the status itself,
# never a number that merely appears in the text (the server's port, an id)
EXPECTED_REFUSAL = re.compile(r"the server responded with a status of (401|404|422)\b")


def no_script_errors(driver):
    """Nothing the page did was refused by the CSP or failed in its script."""
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
              and not EXPECTED_REFUSAL.search(e["message"])]
    assert not severe, severe


def seed_two_counties(gateway):
    for code, name in (("330110000000", "余杭区"), ("330111000000", "富阳区")):
        register(gateway, f"{R}/counties", {"code": code, "name": name, "kind": "district"})
    register(gateway, f"{R}/towns", {"code": "330110001000", "county_code": "330110000000",
                                     "name": "良渚街道", "kind": "street"})
    register(gateway, f"{R}/communities", {"code": "330110001001",
                                           "town_code": "330110001000", "name": "大陆村",
                                           "kind": "village"})
    # mediation learns the units from the registry's events (its read model of units)
    def known():
        answer = gateway.get("/api/v1/mediation/coverage")
        return answer.status_code == 200 and {"330110000000", "330111000000"} <= {
            c["county_code"] for c in answer.json["counties"]}
    wait_until(known, timeout=60)


def test_sign_in_browse_the_tree_see_the_api_message_by_a_field_and_sign_out(
        console_url, gateway, accounts, browser):
    seed_two_counties(gateway)
    accounts("civil-admin", "platform_admin")
    sign_in(browser, console_url, "civil-admin")
    menu = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#menu a")]
    assert "区划与单位" in menu and "调解工作台" in menu

    go(browser, console_url, "registry")
    county = find(browser, '[data-node="330110000000"] > summary')
    assert "富阳区" in find(browser, "#area-tree").text
    county.click()
    find(browser, '[data-node="330110001000"] > summary').click()
    find(browser, '[data-unit="330110001001"]').click()
    page = find(browser, "#unit-page")
    assert "大陆村" in page.text and "行政村" in page.text
    screenshot(browser, "registry-unit")

    go(browser, console_url, "registry/new")
    form = find(browser, "#register-form")
    form.find_element(By.NAME, "code").send_keys("33011000100X")
    form.find_element(By.NAME, "name").send_keys("新村")
    form.find_element(By.CSS_SELECTOR, "select[name=kind] option[value=village]").click()
    form.find_element(By.NAME, "parent_code").send_keys("330110001000")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    message = find(browser, '[data-error-for="code"]:not(:empty)')
    api_said = gateway.post(f"{R}/communities", json={
        "code": "33011000100X", "town_code": "330110001000", "name": "新村",
        "kind": "village"}).json["fields"]["code"]
    assert message.text == "；".join(api_said)
    assert gateway.get(f"{R}/communities", query_string={"town_code": "330110001000"}
                       ).json["total"] == 1  # nothing changed
    screenshot(browser, "registry-register-bad-input")
    no_script_errors(browser)

    browser.find_element(By.ID, "sign-out").click()
    find(browser, "#signin-form")
    go(browser, console_url, "registry")
    find(browser, "#signin-form")  # the cookie is gone and its token revoked


def fill(form, values):
    for name, value in values.items():
        field = form.find_element(By.NAME, name)
        if field.tag_name == "select":
            field.find_element(By.CSS_SELECTOR, f'option[value="{value}"]').click()
        else:
            field.clear()
            field.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def test_work_a_case_from_referral_to_judicial_confirmation(console_url, gateway, accounts,
                                                            browser):
    seed_two_counties(gateway)
    organisation = gateway.post("/api/v1/mediation/organisations", json={
        "name": "余杭区诉调对接中心", "kind": "litigation", "county_code": "330110000000",
        "department": "court-330110"}).json
    accounts("justice", "platform_admin")
    sign_in(browser, console_url, "justice")
    go(browser, console_url, "mediation/refer")
    form = find(browser, "#referral-form")
    fill(form, {"organisation_id": organisation["id"], "referrer_kind": "court",
                "referrer_department": "court-330110", "referrer_reference": "(2025)浙0110民初1号",
                "community_code": "330110001001", "dispute_category": "neighbourhood",
                "description": "相邻通行纠纷", "applicant_name": "张三",
                "applicant_phone": "12"})
    # the API's message about the applicant's phone, by the phone box; nothing referred
    assert "电话号码" in find(browser, '[data-error-for="applicant_phone"]:not(:empty)').text
    assert gateway.get("/api/v1/mediation/cases").json["total"] == 0
    fill(form, {"applicant_phone": "13800138000"})
    page = find(browser, "#case-page")
    case_id = int(browser.current_url.rsplit("/", 1)[1])
    assert "已收件" in page.text

    gateway.as_role("mediator", "330110000000", department="court-330110")  # the centre's
    for action, values in (("accept", {}), ("assign_mediator", {
            "mediator": "mediator-330110000000-court-330110"}),
                           ("record_agreement", {"terms": "让出通道一米"}),
                           ("request_confirmation", {"court": "court-330110"}),
                           ("confirm", {})):
        find(browser, f'#next-steps [data-action="{action}"]').click()
        step_form = find(browser, f"#step-{action}")
        fill(step_form, values)
        wait(browser).until(ec.staleness_of(step_form))  # the page shows the case anew
    wait(browser).until(lambda d: d.find_element(By.ID, "case-page").get_attribute(
        "data-status") == "confirmed")
    case = gateway.get(f"/api/v1/mediation/cases/{case_id}").json
    assert case["status"] == "confirmed" and case["confirmed"] is True
    assert len(find(browser, "#timeline").find_elements(By.TAG_NAME, "li")) == 6
    assert "法释〔2011〕5号 第六条" in find(browser, "#deadlines").text  # a rule's citation
    assert [b.get_attribute("data-action") for b in browser.find_elements(
        By.CSS_SELECTOR, "#next-steps [data-action]")] == case["next_actions"] == ["close"]
    screenshot(browser, "mediation-case")
    go(browser, console_url, "mediation")
    find(browser, f'[data-case="{case_id}"]')
    screenshot(browser, "mediation-desk")
    no_script_errors(browser)

    # a viewer sees the parties masked exactly as the API masks them for a viewer
    viewer_api = gateway.as_role("viewer", "330110000000")
    masked = viewer_api.get(f"/api/v1/mediation/cases/{case_id}").json
    assert masked["personal_data_masked"] and masked["parties"][0]["name"] != "张三"
    browser.find_element(By.ID, "sign-out").click()
    # signed out once the page says so: navigating sooner can leave the logout's answer,
    # which clears the cookies, unread, and the next page finds a revoked session
    find(browser, "#signin-notice")
    accounts("viewer-yh", "viewer", area="330110000000")
    sign_in(browser, console_url, "viewer-yh")
    go(browser, console_url, f"mediation/case/{case_id}")
    text = find(browser, "#case-page").text
    party = masked["parties"][0]
    assert f"{party['name']} {party['phone']}" in text and "张三" not in text
    assert "13800138000" not in text


def series_data(driver, chart):
    return driver.execute_script(
        "const el = document.querySelector(arguments[0]);"
        "const chart = el && window.echarts.getInstanceByDom(el);"
        "return chart ? chart.getOption().series.map(s => s.data) : null;",
        f'[data-chart="{chart}"]')


def test_a_score_explained_and_the_dashboard_charts_drawn_with_data(console_url, gateway,
                                                                    accounts, browser):
    from datetime import date

    from tests.helpers import wait_until

    seed_two_counties(gateway)
    period = str(date.today().year)
    code = "330110001001"
    wait_until(lambda: gateway.get(f"/api/v1/evaluation/results/{code}",
                                   query_string={"period": period}).status_code == 200,
               timeout=60)
    assert gateway.post("/api/v1/evaluation/evidence", json={
        "community_code": code, "period": period, "indicator_code": "disclosure_board",
        "value": 1}).status_code == 201
    organisation = gateway.post("/api/v1/mediation/organisations", json={
        "name": "良渚派出所警调对接室", "kind": "police", "county_code": "330110000000",
        "department": "justice-330110"}).json
    assert gateway.post("/api/v1/mediation/referrals", json={
        "organisation_id": organisation["id"], "referrer_kind": "police_station",
        "referrer_department": "police-330110", "referrer_reference": "警2025-1",
        "community_code": code, "dispute_category": "neighbourhood", "description": "噪声",
        "parties": [{"role": "applicant", "name": "李四"}]}).status_code == 201
    explained = gateway.get(f"/api/v1/evaluation/results/{code}",
                            query_string={"period": period}).json
    accounts("leader", "platform_admin")
    sign_in(browser, console_url, "leader")

    go(browser, console_url, "evaluation")
    find(browser, f'[data-community="{code}"]').click()
    page = find(browser, "#explanation")
    assert find(browser, "#score").text == f"{explained['score']:.2f}" or \
        find(browser, "#score").text == str(int(explained["score"]))
    school = next(i for i in explained["indicators"] if i["code"] == "disclosure_board")
    assert school["name"] in page.text and school["source"] in page.text
    assert len(page.find_elements(By.CSS_SELECTOR, "tbody tr")) >= len(explained["indicators"])
    screenshot(browser, "evaluation-explanation")

    go(browser, console_url, "evaluation")
    fill(find(browser, "#draw-form"), {"per_county": "1"})
    seed_hash = find(browser, "#draw-seed-hash").text  # the draw's page: committed first
    [draw] = gateway.get("/api/v1/evaluation/spot-checks").json["items"]
    assert seed_hash == draw["seed_hash"] and find(browser, "#draw-seed").text == "待揭晓"
    find(browser, "#reveal-form button[type=submit]").click()
    wait(browser).until(lambda d: d.find_element(By.ID, "draw-seed").text != "待揭晓")
    draw = gateway.get(f"/api/v1/evaluation/spot-checks/{draw['id']}").json
    assert find(browser, "#draw-seed").text == draw["seed"]
    assert find(browser, "#draw-method").text == draw["method"]  # how to re-run it
    # anyone re-runs it from the address the page gives, over HTTP, with no account
    public = console_url.replace("/console/", f"/api/v1/evaluation/public/draws/{draw['id']}")
    assert public in find(browser, "#draw-page").text
    checked = subprocess.run([sys.executable, "-m", "fazhi_common.draws", "verify", public],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "verifies" in checked.stdout, checked.stderr
    assert code in find(browser, "#draw-page").text
    screenshot(browser, "evaluation-spot-check")

    go(browser, console_url, "dashboard")
    find(browser, "#dashboard")
    wait(browser).until(lambda d: series_data(d, "titles") is not None)
    distribution = series_data(browser, "score-distribution")[0]
    assert sum(distribution) == 1  # the one community, in its score's bucket
    assert series_data(browser, "pass-rate")[0] == [0 if not explained["passed"] else 100]
    assert sum(sum(s) for s in series_data(browser, "channel-coverage")) == 1
    volume = series_data(browser, "mediation-volume")
    assert sum(v for s in volume[:6] for v in s) == 1  # the one referral, by kind and month
    # every chart's canvas has something drawn on it
    blank = browser.execute_script(
        "return [...document.querySelectorAll('[data-chart] canvas')].filter(c => {"
        "const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "for (let i = 3; i < px.length; i += 4) if (px[i]) return false; return true; }).length")
    assert blank == 0
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-chart]")) == 9
    screenshot(browser, "dashboard")
    no_script_errors(browser)

    go(browser, console_url, "reports")
    fill(find(browser, "#report-form"), {"period": "2025-13"})
    assert "统计期间须为年份（YYYY）或月份（YYYY-MM）" in find(
        browser, '[data-error-for="period"]:not(:empty)').text
    screenshot(browser, "reports")
    go(browser, console_url, "legal")
    find(browser, "#main h1")
    screenshot(browser, "legal-services")
    go(browser, console_url, "inbox")
    assert "消息提醒" in find(browser, "#inbox h1").text
    screenshot(browser, "inbox")


def test_a_county_user_uploads_a_gbk_list_records_a_merge_and_sees_only_its_county(
        console_url, gateway, accounts, browser, tmp_path):
    seed_two_counties(gateway)
    accounts("civil", "civil_affairs_officer", area="330110000000")
    sign_in(browser, console_url, "civil")

    # a list from older office software: GBK, with a village under a town not in the list
    listing = tmp_path / "名单.csv"
    listing.write_bytes(("统计用区划代码,名称\n330110001000,良渚街道\n330110001201,安溪村\n"
                         "330110001202,石桥村\n330110009201,错位村\n").encode("gbk"))
    go(browser, console_url, "registry/import")
    form = find(browser, "#import-form")
    form.find_element(By.NAME, "file").send_keys(str(listing))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda d: "330110009201" in d.find_element(By.ID, "import-report").text)
    report = find(browser, "#import-report .table-wrap:last-of-type tbody")
    rows = report.find_elements(By.TAG_NAME, "tr")
    assert len(rows) == 1 and rows[0].find_elements(By.TAG_NAME, "td")[0].text == "5"
    assert find(browser, "#import-progress").get_attribute("value") == "100"
    find(browser, '#import-report [data-export="导入逐行报告"]').click()
    report_file = browser.downloads / "导入逐行报告.xlsx"
    wait(browser).until(lambda d: report_file.exists())
    sheet = load_workbook(report_file).active
    assert [c.value for c in sheet[3]][:2] == ["5", "330110009201"]  # the bad row, downloaded
    screenshot(browser, "registry-import-report")
    assert gateway.get(f"{R}/communities", query_string={"town_code": "330110001000"}
                       ).json["total"] == 1  # a dry run writes nothing

    # the good rows for real, then merge the two new villages into a new community
    listing.write_bytes(("统计用区划代码,名称\n330110001201,安溪村\n330110001202,石桥村\n"
                         ).encode("gbk"))
    go(browser, console_url, "registry/import")
    form = find(browser, "#import-form")
    form.find_element(By.NAME, "file").send_keys(str(listing))
    form.find_element(By.CSS_SELECTOR, 'select[name=dry_run] option[value="false"]').click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda d: "导入完成" in d.find_element(By.ID, "import-report").text)
    assert gateway.get(f"{R}/communities/330110001202").status_code == 200

    go(browser, console_url, "registry/reorganise")
    fill(find(browser, "#reorganise-form"), {
        "kind": "merge", "source_codes": "330110001201 330110001202",
        "result_code": "330110001301", "new_unit_name": "良渚社区",
        "new_unit_kind": "rural_community", "new_unit_town_code": "330110001000"})
    lineage = find(browser, '#unit-page[data-code="330110001301"] #lineage')
    assert "330110001201" in lineage.text and "330110001202" in lineage.text
    assert "并（合并）" in lineage.text
    screenshot(browser, "registry-lineage")
    go(browser, console_url, "registry/unit/330110001201")
    back = find(browser, '#unit-page[data-code="330110001201"] #lineage')
    assert "330110001301" in back.text  # what the village became
    assert gateway.get(f"{R}/communities/330110001201/lineage").json["became"][0][
        "result_code"] == "330110001301"
    no_script_errors(browser)

    # the same user is scoped to its county: it sees only that county, and no case desk
    go(browser, console_url, "registry")
    tree = find(browser, "#area-tree")
    find(browser, '[data-node="330110000000"]')
    assert "余杭区" in tree.text and "富阳区" not in tree.text
    menu = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#menu a")]
    assert "调解工作台" not in menu  # a civil-affairs officer works no cases
    browser.set_window_size(390, 844)  # a phone
    find(browser, ".menu-toggle").click()
    find(browser, '#menu a[data-menu="registry"]')
    screenshot(browser, "registry-tree-phone")
    go(browser, console_url, "registry/unit/330111000000")
    assert "未找到" in find(browser, "#main h1").text

    # the session ends under the user (here: its tokens voided): a clear page, then sign-in
    users = gateway.get("/api/v1/auth/users", query_string={"per_page": 100}).json["items"]
    user_id = next(u["id"] for u in users if u["username"] == "civil")
    assert gateway.post(f"/api/v1/auth/users/{user_id}/revoke-tokens").status_code == 204
    go(browser, console_url, "registry")
    assert "登录已过期" in find(browser, "#expired").text
    screenshot(browser, "session-expired")
    browser.refresh()  # a reload says the same, not a bare sign-in form
    find(browser, "#expired").find_element(By.TAG_NAME, "button").click()
    find(browser, "#signin-form")


def test_a_meeting_below_its_quorum_is_kept_as_not_quorate_and_does_not_score(
        console_url, gateway, accounts, browser):
    seed_two_counties(gateway)
    code, year = "330110001001", str(date.today().year)
    wait_until(lambda: gateway.get(f"/api/v1/evaluation/results/{code}",
                                   query_string={"period": year}).status_code == 200,
               timeout=60)
    accounts("civil-gov", "civil_affairs_officer", "330110000000")
    sign_in(browser, console_url, "civil-gov")
    go(browser, console_url, "governance")
    find(browser, '[data-record="meetings"]').click()
    fill(find(browser, "#record-form"), {
        "community_code": code, "kind": "villagers_representative_meeting",
        "eligible": "30", "attended": "19", "agenda": "村道硬化"})
    assert "未达到法定人数" in find(browser, "#record-form .form-status.ok").text
    row = find(browser, "#record-list tbody tr")
    assert "19/30" in row.text and "否" in row.text and "第二十六条" in row.text
    screenshot(browser, "governance-meeting-not-quorate")
    no_script_errors(browser)
    [meeting] = gateway.get(f"{R}/meetings", query_string={"community_code": code}).json["items"]
    assert meeting["quorate"] is False

    def counted():
        found = gateway.get(f"/api/v1/evaluation/results/{code}",
                            query_string={"period": year}).json["indicators"]
        ind = next(i for i in found if i["code"] == "representative_assembly_meetings")
        return ind if "不计入" in ind["source"] else None
    meetings = wait_until(counted, timeout=60)
    assert meetings["points"] == 0 and meetings["value"] == 0
