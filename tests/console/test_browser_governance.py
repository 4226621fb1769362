"""The self-governance pages (基层自治) in the browser: the party organisation registered,
its term recorded later, its 一肩挑 changed, its past elections listed and the body ended;
a village's major matter by "四议两公开" at a quorate meeting; a grid, a dispute its worker
found on the way to mediation, and the grid ended; funding and its spending, a purchased
service evaluated and paid, and a culture performance. The bad paths: a community no one
registered, a village of another county, and a payment beyond the contract, each refused
by the API on its field, in Chinese."""
import re
from datetime import date

from selenium.webdriver.common.by import By

from tests.console.conftest import screenshot
from tests.console.test_browser import find, go, seed_two_counties, sign_in, wait

R = "/api/v1/registry"
COUNTY, V = "330110000000", "330110001001"
UNKNOWN = "330110001099"  # in the county, never registered
ELSEWHERE = "330111001001"  # another county


def submit(browser, form_id, values, expect="已"):
    """Fill the form (dates set as the date picker sets them), submit it, and wait for its
    answer: the success line, or the API's refusal."""
    form = find(browser, f"#{form_id}")
    for name, value in values.items():
        field = form.find_element(By.NAME, name)
        if field.tag_name == "select":
            field.find_element(By.CSS_SELECTOR, f'option[value="{value}"]').click()
        elif field.get_attribute("type") == "date":
            browser.execute_script("arguments[0].value = arguments[1]", field, value)
        else:
            field.clear()
            field.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    status = form.find_element(By.CSS_SELECTOR, ".form-status")
    wait(browser).until(lambda d: status.text)
    if expect is not None:
        assert "ok" in status.get_attribute("class") and expect in status.text, status.text
    return form, status


def rows(browser, list_id, needle):
    """The rows of a list once one holds ``needle``."""
    wait(browser).until(lambda d: needle in d.find_element(By.ID, list_id).text)
    return [r.text for r in browser.find_elements(By.CSS_SELECTOR, f"#{list_id} tbody tr")]


def test_each_self_governance_record_through_its_page(console_url, gateway, accounts,
                                                     browser):
    seed_two_counties(gateway)
    accounts("civil-gov", "civil_affairs_officer", COUNTY)
    sign_in(browser, console_url, "civil-gov")

    # the party organisation: registered, its term recorded later, its elections, ended
    go(browser, console_url, f"governance/bodies/{V}")
    submit(browser, "body-form", {"kind": "party_organisation", "secretary_name": "李书记",
                                  "secretary_chairs_committee": "false"})
    [body] = gateway.get(f"{R}/governance-bodies", query_string={"community_code": V}).json[
        "items"]
    assert rows(browser, "body-list", "李书记")[0].count("否") >= 1
    started = date(date.today().year - 1, 3, 1)
    submit(browser, "body-edit-form", {"id": str(body["id"]),
                                       "term_started_on": started.isoformat(),
                                       "secretary_chairs_committee": "true"})
    [row] = rows(browser, "body-list", started.isoformat())
    assert "党组织" in row and "是" in row and str(started.year + 5) in row
    for held_on, result in (("2021-03-01", "failed"), ("2021-04-01", "elected")):
        assert gateway.post(f"{R}/governance-bodies/{body['id']}/elections", json={
            "held_on": held_on, "eligible_voters": 120, "votes_cast": 90,
            "result": result}).status_code == 201
    find(browser, f'[data-elections="{body["id"]}"]').click()
    history = rows(browser, "election-list", "2021-04-01")
    assert "选举成功" in history[0] and "选举未成功" in history[1]
    screenshot(browser, "governance-bodies")
    submit(browser, "body-edit-form", {"id": str(body["id"]),
                                       "ended_on": date.today().isoformat()})
    rows(browser, "body-list", date.today().isoformat())
    assert gateway.get(f"{R}/governance-bodies/{body['id']}").json["ended_on"] == \
        date.today().isoformat()

    # a major matter resolved at a quorate representatives' meeting: its steps whole
    go(browser, console_url, f"governance/meetings/{V}")
    submit(browser, "record-form", {
        "kind": "villagers_representative_meeting", "held_on": "2026-01-05",
        "eligible": "30", "attended": "20", "agenda": "村道硬化"})
    assert "是" in rows(browser, "record-list", "20/30")[0]
    [meeting] = gateway.get(f"{R}/meetings", query_string={"community_code": V}).json["items"]
    go(browser, console_url, f"governance/major-matters/{V}")
    submit(browser, "record-form", {
        "title": "村道硬化工程", "meeting_id": str(meeting["id"]), "proposed_on": "2026-01-01",
        "discussed_on": "2026-01-01", "reviewed_on": "2026-01-03", "resolved_on": "2026-01-05",
        "resolution_disclosed_on": "2026-01-06", "result_disclosed_on": "2026-01-20"})
    [matter] = rows(browser, "record-list", "村道硬化工程")
    assert "是" in matter and "2026-01-20" in matter

    # a grid, what its worker found (a dispute: to mediation), and the grid ended
    go(browser, console_url, f"governance/grids/{V}")
    submit(browser, "record-form", {"name": "第一网格", "worker_name": "周网格员",
                                    "households": "320", "established_on": "2025-01-01"})
    assert "320" in rows(browser, "record-list", "第一网格")[0]
    [grid] = gateway.get(f"{R}/grids", query_string={"community_code": V}).json["items"]
    go(browser, console_url, f"governance/grid-reports/{V}")
    submit(browser, "record-form", {
        "grid_id": str(grid["id"]), "kind": "dispute", "found_on": "2026-01-10",
        "place": "3组村口", "dispute_category": "neighbourhood", "description": "宅基地边界纠纷"})
    [report] = rows(browser, "record-list", "宅基地边界纠纷")
    assert "矛盾纠纷" in report and "已转人民调解" in report
    go(browser, console_url, f"governance/grids/{V}")
    submit(browser, "grid-end-form", {"id": str(grid["id"]), "ended_on": "2026-02-01"})
    assert "2026-02-01" in rows(browser, "record-list", "2026-02-01")[0]

    # funding, a purchased service, a culture performance
    go(browser, console_url, f"governance/funding-lines/{V}")
    submit(browser, "record-form", {"year": "2026", "source": "fiscal", "budgeted": "200000",
                                    "spent": "50000"})
    assert "财政预算" in rows(browser, "record-list", "财政预算")[0]
    [line] = gateway.get(f"{R}/funding-lines", query_string={"community_code": V}).json[
        "items"]
    # the money spent during the year, recorded on the line
    submit(browser, "funding-lines-change-form", {"funding_line_id": str(line["id"]),
                                                  "spent": "120000"})
    assert "120000" in rows(browser, "record-list", "120000")[0]
    assert gateway.get(f"{R}/funding-lines").json["items"][0]["spent"] == 120000
    go(browser, console_url, f"governance/purchased-services/{V}")
    submit(browser, "record-form", {
        "provider": "某社会工作服务中心", "contract_number": "GM-1", "amount": "80000",
        "starts_on": "2026-01-01", "ends_on": "2026-12-31", "paid": "40000"})
    rows(browser, "record-list", "GM-1")
    [service] = gateway.get(f"{R}/purchased-services",
                            query_string={"community_code": V}).json["items"]
    # evaluated at its end and paid the rest; more than the contract is refused on its field
    submit(browser, "purchased-services-change-form", {
        "purchased_service_id": str(service["id"]), "evaluation_result": "good",
        "paid": "80000"})
    assert "良好" in rows(browser, "record-list", "良好")[0]
    form, status = submit(browser, "purchased-services-change-form", {
        "purchased_service_id": str(service["id"]), "evaluation_result": "", "paid": "90000"},
        expect=None)
    wait(browser).until(lambda d: "error" in status.get_attribute("class"))
    message = form.find_element(By.CSS_SELECTOR, '[data-error-for="paid"]').text
    assert "超过合同金额" in message, message
    screenshot(browser, "governance-purchased-service-overpaid")
    kept = gateway.get(f"{R}/purchased-services").json["items"][0]
    assert (kept["evaluation_result"], kept["paid"]) == ("good", 80000)
    go(browser, console_url, f"governance/culture-performances/{V}")
    submit(browser, "record-form", {"work_title": "法在身边", "work_kind": "drama",
                                    "troupe": "区法治文艺宣传队", "performed_on": "2026-03-01",
                                    "audience": "300"})
    assert "小品戏剧" in rows(browser, "record-list", "法在身边")[0]
    screenshot(browser, "governance-culture-performances")

    # the bad paths: a community no one registered, a village of another county
    go(browser, console_url, "governance/funding-lines")
    form, status = submit(browser, "record-form", {
        "community_code": UNKNOWN, "year": "2026", "source": "fiscal", "budgeted": "1"},
        expect=None)
    wait(browser).until(lambda d: "error" in status.get_attribute("class"))
    message = form.find_element(By.CSS_SELECTOR, '[data-error-for="community_code"]').text
    assert "未找到" in message and UNKNOWN in message, message
    form, status = submit(browser, "record-form", {
        "community_code": ELSEWHERE, "year": "2026", "source": "fiscal", "budgeted": "1"},
        expect=None)
    wait(browser).until(lambda d: "管辖区域" in status.text)
    refused = form.find_element(By.CSS_SELECTOR, '[data-error-for="community_code"]')
    assert refused.text == "超出您的管辖区域", refused.text
    screenshot(browser, "governance-out-of-area")
    assert gateway.get(f"{R}/funding-lines").json["total"] == 1
    # the page's own failures only: the two refusals were the API's answers, and before
    # signing in the page asked for a session it did not have yet
    refusals = re.compile(r"(/api/v1/registry/funding-lines - .* status of (403|422) |"
                          r"/api/v1/registry/purchased-services/\d+ - .* status of 422 |"
                          r"/console/session - .* status of 401 |/favicon.ico - .* of 404 )")
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
              and not refusals.search(e["message"])]
    assert not severe, severe
