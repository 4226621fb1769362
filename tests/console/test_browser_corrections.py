"""The corrections office in the console (headless Chromium): intake, the person's file and
its report, a leave request and its approval by the county office.

Marked ``browser`` by tests/console/conftest.py: scripts/test runs it once, in one pass.
"""
from datetime import date, timedelta

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.console.conftest import screenshot
from tests.console.test_browser import (
    fill,
    find,
    go,
    no_script_errors,
    sign_in,
    wait,
)
from tests.helpers import wait_until

C = "/api/v1/corrections"


def fill_in(driver, form, values):
    """``fill``, with dates set as the browser holds them (typing follows the locale)."""
    for name, value in list(values.items()):
        if isinstance(value, date):
            driver.execute_script("arguments[0].value = arguments[1]",
                                  form.find_element(By.NAME, name), value.isoformat())
            del values[name]
    fill(form, values)


def wait_page(driver, predicate):
    """Until ``predicate`` holds of the person's page, which is drawn anew after each step."""
    WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: predicate(d.find_element(By.ID, "person-page")))


def test_intake_a_file_its_report_and_a_leave_approved(console_url, gateway, accounts,
                                                       browser):
    for path, unit in (("counties", {"code": "330110000000", "name": "余杭区", "kind": "district"}),
                       ("towns", {"code": "330110001000", "county_code": "330110000000",
                                  "name": "良渚街道", "kind": "street"}),
                       ("communities", {"code": "330110001001", "town_code": "330110001000",
                                        "name": "大陆村", "kind": "village"})):
        assert gateway.post(f"/api/v1/registry/{path}", json=unit).status_code == 201
    # corrections learns the units from the registry's events too
    # (a file received before its judgement is refused only once the community is known)
    probe = {"kind": "resettlement", "community_code": "330110001001", "officer": "x",
             "name": "x", "offence": "x", "decided_on": "2025-01-02", "received_on": "2025-01-01"}
    wait_until(lambda: "received_on" in gateway.post(f"{C}/persons", json=probe).json[
        "fields"], timeout=60)
    officer = accounts("officer-yh", "justice_officer", area="330110000000")
    sign_in(browser, console_url, officer)
    assert "社区矫正" in [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#menu a")]
    browser.get_log("browser")  # the landing page (the dashboard) is another test's subject
    go(browser, console_url, "corrections/intake")
    decided = date.today() - timedelta(days=1)
    fill_in(browser, find(browser, "#intake-form"), {
        "kind": "correction", "correction_type": "probation", "community_code": "330110001001",
        "officer": officer, "name": "欧阳锋", "offence": "盗窃罪",
        "decided_on": decided, "term_ends_on": decided + timedelta(days=365)})
    page = find(browser, "#person-page")
    assert "欧阳锋" in page.text and "待报到" in page.text  # the own officer sees it whole

    find(browser, '[data-action="report_in"]').click()
    step = find(browser, "#step-report_in")
    fill(step, {})
    wait(browser).until(ec.staleness_of(step))
    wait_page(browser, lambda page: page.get_attribute("data-status") == "under_correction")
    leaves_on = date.today() + timedelta(days=5)
    fill_in(browser, find(browser, "#leave-form"), {
        "reason": "medical", "destination": "上海", "leaves_on": leaves_on,
        "returns_on": leaves_on + timedelta(days=9)})
    find(browser, "[data-approve]").click()
    wait_page(browser, lambda page: "已批准" in page.text)
    [person] = gateway.get(f"{C}/persons").json["items"]
    assert gateway.get(f"{C}/persons/{person['id']}").json["leaves"][0]["status"] == "approved"
    screenshot(browser, "corrections-person")
    go(browser, console_url, "corrections")
    find(browser, f'[data-person="{person["id"]}"]')
    assert "在矫 1 人" in find(browser, "#corrections-counts").text
    screenshot(browser, "corrections-list")
    no_script_errors(browser)
