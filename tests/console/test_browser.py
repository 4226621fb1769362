"""The console driven in headless Chromium: what an official does, page by page.

Marked ``browser`` (see conftest): scripts/test runs these once, in one pass.
"""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.console.conftest import PASSWORD, screenshot

R = "/api/v1/registry"


def wait(driver, seconds=20):
    return WebDriverWait(driver, seconds)


def find(driver, css, seconds=20):
    return wait(driver, seconds).until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))


def sign_in(driver, url, username):
    driver.get(url)
    form = find(driver, "#signin-form")
    form.find_element(By.NAME, "username").send_keys(username)
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    find(driver, "#sign-out")


def go(driver, url, fragment):
    driver.get(f"{url}#/{fragment}")


def no_script_errors(driver):
    """Nothing the page did was refused by the CSP or failed in its script."""
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
              and "401" not in e["message"] and "404" not in e["message"]
              and "422" not in e["message"]]
    assert not severe, severe


def seed_two_counties(gateway):
    for code, name in (("330110000000", "余杭区"), ("330111000000", "富阳区")):
        assert gateway.post(f"{R}/counties", json={"code": code, "name": name,
                                                   "kind": "district"}).status_code == 201
    assert gateway.post(f"{R}/towns", json={
        "code": "330110001000", "county_code": "330110000000", "name": "良渚街道",
        "kind": "street"}).status_code == 201
    assert gateway.post(f"{R}/communities", json={
        "code": "330110001001", "town_code": "330110001000", "name": "大陆村",
        "kind": "village"}).status_code == 201


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


def test_a_county_scoped_user_sees_only_its_county(console_url, gateway, accounts, browser):
    seed_two_counties(gateway)
    accounts("yuhang-civil", "civil_affairs_officer", area="330110000000")
    sign_in(browser, console_url, "yuhang-civil")
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
    assert "phone number" in find(browser, '[data-error-for="applicant_phone"]:not(:empty)').text
    assert gateway.get("/api/v1/mediation/cases").json["total"] == 0
    fill(form, {"applicant_phone": "13800138000"})
    page = find(browser, "#case-page")
    case_id = int(browser.current_url.rsplit("/", 1)[1])
    assert "已收件" in page.text

    for action, values in (("accept", {}), ("assign_mediator", {"mediator": "mediator-1"}),
                           ("record_agreement", {"terms": "让出通道一米"}),
                           ("request_confirmation", {"court": "court-330110"}),
                           ("confirm", {})):
        buttons = [b.get_attribute("data-action") for b in
                   browser.find_elements(By.CSS_SELECTOR, "#next-steps [data-action]")]
        assert action in buttons, (action, buttons)
        browser.find_element(By.CSS_SELECTOR, f'[data-action="{action}"]').click()
        step_form = find(browser, f"#step-{action}")
        fill(step_form, values)
        wait(browser).until(ec.staleness_of(step_form))  # the page shows the case anew
    wait(browser).until(lambda d: d.find_element(By.ID, "case-page").get_attribute(
        "data-status") == "confirmed")
    case = gateway.get(f"/api/v1/mediation/cases/{case_id}").json
    assert case["status"] == "confirmed" and case["confirmed"] is True
    assert len(find(browser, "#timeline").find_elements(By.TAG_NAME, "li")) == 6
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
    accounts("viewer-yh", "viewer", area="330110000000")
    sign_in(browser, console_url, "viewer-yh")
    go(browser, console_url, f"mediation/case/{case_id}")
    text = find(browser, "#case-page").text
    party = masked["parties"][0]
    assert f"{party['name']} {party['phone']}" in text and "张三" not in text
    assert "13800138000" not in text
