"""The residents' pages (/m/) in headless Chromium at a phone's size (390x844): apply for
mediation, follow the application, answer the satisfaction survey, check a public draw;
each with a bad path. A receipt number, secret or code never reaches an address: not the
page's, not the history's, not any request's."""
import subprocess
import sys
from datetime import date

from selenium.webdriver.common.by import By

from fazhi_common.contracts import vocabulary
from tests.console.conftest import screenshot
from tests.console.test_browser import fill, find, no_script_errors, seed_two_counties, wait
from tests.console.test_resident_pages import COMMUNITY, seed_people_committee
from tests.helpers import resident_number, wait_until

M = "/api/v1/mediation"
E = "/api/v1/evaluation"
NOT_MATCHED = "没有与该受理编号和查询密码相符的申请，请核对后重试。"
REQUIRED = "此项为必填项。"


def on_a_phone(browser, console_url, page, query=""):
    browser.set_window_size(390, 844)
    browser.get(console_url.replace("/console/", f"/m/{page}") + query)


def fits_the_phone(browser):
    """No sideways scrolling at 390 px, and every button a thumb can hit."""
    width = browser.execute_script("return window.innerWidth")
    assert width <= 390
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    for button in browser.find_elements(By.CSS_SELECTOR, "button, a.button"):
        if button.is_displayed():
            assert button.size["height"] >= 44 and button.size["width"] >= 0.8 * width - 40


def addresses(browser):
    """Every address the page has had or asked for: its own, each request's, and each
    entry of its history (walked back to the first, then forward again)."""
    seen = [browser.current_url, *browser.execute_script(
        "return performance.getEntries().map((e) => e.name)"
        ".concat([location.href, document.referrer, JSON.stringify(history.state)])")]
    steps = browser.execute_script("return history.length") - 1
    for _ in range(steps):
        browser.back()
        seen.append(browser.current_url)
    for _ in range(steps):
        browser.forward()
    return seen


def never_in_an_address(browser, *secrets):
    for address in addresses(browser):
        for secret in secrets:
            assert secret not in address, f"{secret!r} is in {address}"


def error_on(browser, field):
    return find(browser, f'[data-error-for="{field}"]:not(:empty)').text


def test_apply_for_mediation_on_a_phone(console_url, gateway, browser):
    probe = seed_people_committee(gateway)
    on_a_phone(browser, console_url, "")
    find(browser, 'a[href="/m/apply"]').click()
    form = find(browser, "#apply-form")
    options = [o.text for o in form.find_elements(By.CSS_SELECTOR,
                                                  "select[name=dispute_category] option")]
    assert set(vocabulary.DISPUTE_CATEGORIES.values()) <= set(options)
    # the traffic accident's questions only for a traffic accident
    traffic = form.find_element(By.CSS_SELECTOR, '[data-field="basis_document"]')
    assert not traffic.is_displayed()
    form.find_element(By.CSS_SELECTOR, "option[value=traffic]").click()
    assert traffic.is_displayed()
    form.find_element(By.CSS_SELECTOR, "option[value=neighbourhood]").click()
    assert not traffic.is_displayed()
    fits_the_phone(browser)
    # bad path: the description left out is named on its field, in Chinese; nothing made
    fill(form, {"community_code": COMMUNITY, "dispute_category": "neighbourhood",
                "parties.0.name": "王五"})
    assert error_on(browser, "description") == REQUIRED
    assert gateway.get(f"{M}/cases").json["total"] == 1  # the probe only
    screenshot(browser, "resident-apply-missing-field")

    fill(form, {"description": "楼上漏水三个月，协商不成。", "parties.0.phone": "13800138000",
                "parties.1.name": "钱七"})
    number = find(browser, "#receipt-number").text
    secret = find(browser, "#receipt-secret").text
    assert number and number != probe["receipt_number"] and len(secret) >= 12
    assert "只显示这一次" in find(browser, "#receipt").text
    assert vocabulary.CASE_STATUSES["received"] in find(browser, "#receipt").text
    fits_the_phone(browser)
    screenshot(browser, "resident-apply-receipt")
    # what the page showed is what the API holds: the case follows with these two
    tracked = gateway.anonymous().post(f"{M}/track", json={"receipt_number": number,
                                                           "secret": secret})
    assert tracked.status_code == 200 and tracked.json["status"] == "received"
    [case] = [c for c in gateway.get(f"{M}/cases").json["items"] if c["id"] != probe["id"]]
    assert case["channel"] == "application"
    assert [p["role"] for p in case["parties"]] == ["applicant", "respondent"]
    never_in_an_address(browser, number, secret)
    no_script_errors(browser)


def test_follow_an_application_with_its_receipt_and_secret(console_url, gateway, browser):
    receipt = seed_people_committee(gateway)
    number, secret = receipt["receipt_number"], receipt["secret"]
    on_a_phone(browser, console_url, "track")
    form = find(browser, "#track-form")
    fits_the_phone(browser)
    # a field left empty is named on the field
    fill(form, {"receipt_number": number})
    assert error_on(browser, "secret") == REQUIRED
    # a wrong secret and an unknown receipt read the same, in Chinese
    fill(form, {"receipt_number": number, "secret": secret + "x"})
    wrong = find(browser, ".form-status.error").text
    assert NOT_MATCHED in wrong
    fill(form, {"receipt_number": "M2000-9999999", "secret": secret})
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, ".form-status").text
                        == wrong)
    assert not browser.find_elements(By.ID, "tracked")
    screenshot(browser, "resident-track-wrong-secret")

    fill(form, {"receipt_number": number, "secret": secret})
    assert find(browser, "#tracked-status").text == vocabulary.CASE_STATUSES["received"]
    deadline = vocabulary.CASE_DEADLINES["acceptance"]
    assert deadline in find(browser, "#tracked").text
    # what comes next, in Chinese: the organisation decides by the acceptance deadline
    assert find(browser, "#tracked-next-step").text.startswith("调解组织将于")
    assert not browser.find_element(By.NAME, "secret").get_attribute("value")
    fits_the_phone(browser)
    screenshot(browser, "resident-track")
    never_in_an_address(browser, number, secret)
    no_script_errors(browser)


def test_answer_the_satisfaction_survey_with_the_code_sent_to_the_phone(console_url, gateway,
                                                                       browser):
    from evaluation import senders

    seed_two_counties(gateway)
    period = str(date.today().year)
    wait_until(lambda: gateway.get(f"{E}/results/{COMMUNITY}", query_string={
        "period": period}).status_code == 200, timeout=60)
    respondent, phone = resident_number(7), "13912345678"
    # the community may come in the address (a poster's QR code): it is no secret
    on_a_phone(browser, console_url, "survey", f"?community={COMMUNITY}")
    form = find(browser, "#survey-form")
    assert browser.find_element(By.NAME, "community_code").get_attribute("value") == COMMUNITY
    fits_the_phone(browser)
    # bad path: no ID number, named on its field; then a mistyped one
    fill(form, {"satisfied": "true", "phone": phone})
    assert error_on(browser, "respondent_id") == REQUIRED
    fill(form, {"respondent_id": respondent[:17] + ("0" if respondent[17] != "0" else "1")})
    assert "身份证" in error_on(browser, "respondent_id")
    screenshot(browser, "resident-survey-bad-id")

    fill(form, {"respondent_id": respondent})
    assert "139****5678" in find(browser, "#code-sent-to").text or \
        phone[-4:] in find(browser, "#code-sent-to").text
    code = next(code for sent_to, code in reversed(senders.SENT) if sent_to == phone)
    verify = find(browser, "#verify-form")
    fill(verify, {"code": "000000" if code != "000000" else "111111"})
    assert error_on(browser, "code") == "验证码不正确。"
    summary = gateway.get(f"{E}/communities/{COMMUNITY}/survey",
                          query_string={"period": period}).json
    assert summary["sample_size"] == 0 and summary["unverified"] == 1
    fill(verify, {"code": code})
    find(browser, "#survey-done")
    summary = gateway.get(f"{E}/communities/{COMMUNITY}/survey",
                          query_string={"period": period}).json
    assert summary["sample_size"] == 1 and summary["satisfied"] == 1
    fits_the_phone(browser)
    screenshot(browser, "resident-survey-done")
    never_in_an_address(browser, respondent, phone, code)
    no_script_errors(browser)


def test_check_a_public_draw_and_verify_it(console_url, gateway, browser):
    seed_two_counties(gateway)
    period = str(date.today().year)
    wait_until(lambda: gateway.get(f"{E}/results/{COMMUNITY}", query_string={
        "period": period}).status_code == 200, timeout=60)
    draw = gateway.post(f"{E}/spot-checks", json={"period": period, "per_county": 1}).json
    on_a_phone(browser, console_url, "draw")
    form = find(browser, "#draw-form")
    # bad path: a draw that does not exist is named on the field, in Chinese
    fill(form, {"draw_id": "999999"})
    assert error_on(browser, "draw_id") == "没有编号为 999999 的抽查。"
    fill(form, {"draw_id": str(draw["id"])})
    assert find(browser, "#draw-status").text == vocabulary.DRAW_STATUSES["committed"]
    assert find(browser, "#draw-seed").text == "待揭晓"
    assert draw["seed_hash"] in find(browser, "#draw").text

    revealed = gateway.post(f"{E}/spot-checks/{draw['id']}/reveal").json
    fill(form, {"draw_id": str(draw["id"])})
    wait(browser).until(lambda d: d.find_element(By.ID, "draw-seed").text == revealed["seed"])
    assert find(browser, "#draw-status").text == vocabulary.DRAW_STATUSES["revealed"]
    assert COMMUNITY in find(browser, "#draw-sample").text
    fits_the_phone(browser)
    screenshot(browser, "resident-draw")
    # anyone re-runs it from the address the page gives
    address = find(browser, "#draw-address").text
    checked = subprocess.run([sys.executable, "-m", "fazhi_common.draws", "verify", address],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "verifies" in checked.stdout, checked.stderr
    no_script_errors(browser)
