"""The legal services desk in headless Chromium: a legal-aid application through its
steps (the pause for missing materials included, with each deadline's legal basis), a
12348 call entered, government advisers' coverage and lawyers' visits shown in Chinese."""
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
from tests.helpers import wait_until

M = "/api/v1/mediation"


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
    go(browser, console_url, "legal/advisers")
    assert "未聘法律顾问" in find(browser, "#adviser-form").find_element(
        By.XPATH, "/html/body").text
    go(browser, console_url, "legal/visits")
    find(browser, "#visit-form")
    screenshot(browser, "legal-visits")
    no_script_errors(browser)
