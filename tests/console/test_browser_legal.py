"""The legal services desk in headless Chromium: a legal-aid application through its
steps (the pause for missing materials included, with each deadline's legal basis), a
12348 call entered, a government adviser and an opinion registered with the coverage by
level, and a lawyer's visit in a community with its totals, all in Chinese."""
from datetime import date, timedelta

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.console.conftest import screenshot
from tests.console.test_browser import (
    fill,
    find,
    go,
    no_script_errors,
    seed_two_counties,
    sign_in,
    wait,
)
from tests.console.test_browser_corrections import fill_in
from tests.helpers import wait_until

M = "/api/v1/mediation"
L = "/api/v1/legal-services"


def page_status(driver):
    """The application's status as the page shows it (the page is drawn anew after each
    step: an element read from the old one is gone)."""
    try:
        return driver.find_element(By.ID, "aid-page").get_attribute("data-status")
    except (StaleElementReferenceException, NoSuchElementException):
        return None


def test_the_legal_aid_desk_step_by_step(console_url, gateway, accounts, browser):
    seed_two_counties(gateway)
    made = wait_until(lambda: (r := gateway.post(f"{M}/legal-aid", json={
        "community_code": "330110001001", "matter": "拖欠工资六个月",
        "applicant": {"role": "applicant", "name": "张三"}})).status_code == 201 and r.json,
        timeout=60)
    accounts("justice", "platform_admin")
    sign_in(browser, console_url, "justice")
    go(browser, console_url, f"legal/aid/{made['id']}")
    assert "第四十三条" in find(browser, "#aid-page").text
    for action, values, status in (
            ("request_materials", {"missing": "劳动合同、工资条"}, "awaiting_materials"),
            ("supply_materials", {}, "received"), ("grant", {}, "granted")):
        find(browser, f'#aid-steps [data-action="{action}"]').click()
        fill(find(browser, f"#aid-step-{action}"), values)
        wait(browser).until(lambda d, s=status: page_status(d) == s)
    assert gateway.get(f"{M}/legal-aid/{made['id']}").json["status"] == "granted"
    assert "不计入" in find(browser, "#aid-page").text or "not counted" in find(
        browser, "#aid-page").text
    screenshot(browser, "legal-aid")

    go(browser, console_url, "legal/hotline")
    fill(find(browser, "#hotline-form"), {"community_code": "330110001001", "topic": "labour",
                                          "summary": "咨询加班费", "answered_by": "接线员1"})
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "main"), "咨询加班费"))
    # legal services learn the units from the registry's events too
    def county_known():
        levels = gateway.get(f"{L}/government-advisers/coverage").json["levels"]
        return "330110000000" in next(c for c in levels if c["level"] == "county")["without"]
    wait_until(county_known, timeout=60)
    go(browser, console_url, "legal/advisers")
    assert "未聘法律顾问" in find(browser, "#adviser-form").find_element(
        By.XPATH, "/html/body").text
    today = date.today()
    fill_in(browser, find(browser, "#adviser-form"), {
        "government_code": "330110000000", "government_body": "余杭区人民政府",
        "adviser_name": "浙江某律师事务所", "adviser_kind": "firm",
        "term_start": today - timedelta(days=30), "term_end": today + timedelta(days=335)})
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "main"), "浙江某律师事务所"))
    [adviser] = gateway.get(f"{L}/government-advisers").json["items"]
    fill_in(browser, find(browser, "#opinion-form"), {
        "adviser_id": str(adviser["id"]), "matter": "征收补偿协议审查", "given_on": today,
        "kind": "contract_review"})
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "main"), "征收补偿协议审查"))
    assert "合同审查" in find(browser, "#main").text
    county = next(c for c in gateway.get(f"{L}/government-advisers/coverage").json[
        "levels"] if c["level"] == "county")
    assert county["with_adviser"] == 1 and "330111000000" in county["without"]
    screenshot(browser, "legal-advisers")

    go(browser, console_url, "legal/visits")
    fill(find(browser, "#visit-form"), {"community_code": "330110001001", "lawyer": "李律师",
                                        "hours": "2", "topic": "劳动用工法律咨询",
                                        "residents_served": "15"})
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "main"), "劳动用工法律咨询"))
    totals = gateway.get(f"{L}/community-visits/totals", query_string={
        "date_from": today.isoformat(), "date_to": today.isoformat()}).json
    assert totals["counties"] == [{"code": "330110000000", "visits": 1, "hours": 2.0,
                                   "residents_served": 15, "lawyers": 1}]
    screenshot(browser, "legal-visits")
    no_script_errors(browser)
