"""The desk and the import page in the browser: a write operation's form built from the API
(its errors on the fields, in Chinese; its area checked by the API), and a list long enough
for a background job followed to its row report."""
import re

from selenium.webdriver.common.by import By

from tests.console.conftest import screenshot
from tests.console.test_browser import find, go, no_script_errors, seed_two_counties, sign_in, wait

R = "/api/v1/registry"


def test_a_convention_recorded_at_the_desk_with_the_apis_checks(console_url, gateway,
                                                                 accounts, browser):
    seed_two_counties(gateway)
    accounts("civil", "civil_affairs_officer", area="330110000000")
    sign_in(browser, console_url, "civil")
    go(browser, console_url, "desk")
    find(browser, '[data-operation="registry.add_conventions_post"]').click()
    form = find(browser, "#op-registry-add_conventions_post")
    assert "社区（村）代码" in form.text and "通过日期" in form.text  # fields named in Chinese
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda d: "此项为必填项" in form.text)  # the API's message, by its field
    missing = form.find_element(By.CSS_SELECTOR, '[data-error-for="adopted_on"]')
    assert missing.text == "此项为必填项。"

    # another county's village: the API refuses it (the form adds no rule of its own)
    form.find_element(By.NAME, "community_code").send_keys("330111001001")
    form.find_element(By.NAME, "title").send_keys("村规民约")
    browser.execute_script("arguments[0].value = '2026-01-05'",
                           form.find_element(By.NAME, "adopted_on"))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    status = form.find_element(By.CSS_SELECTOR, ".form-status")
    wait(browser).until(lambda d: "error" in status.get_attribute("class") and status.text)
    refused = form.find_element(By.CSS_SELECTOR, '[data-error-for="community_code"]')
    assert refused.text == "超出您的管辖区域", refused.text
    assert "不在您的管辖区域" in status.text
    assert gateway.get(f"{R}/conventions").json["total"] == 0

    community = form.find_element(By.NAME, "community_code")
    community.clear()
    community.send_keys("330110001001")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda d: "已完成：登记居（村）民公约" in form.text)
    [convention] = gateway.get(f"{R}/conventions").json["items"]
    assert (convention["community_code"], convention["title"]) == ("330110001001", "村规民约")
    screenshot(browser, "desk-convention")
    # the page's own failures only: the two refusals above were the API's answers, and
    # before signing in the page asked for a session it did not have yet
    refusals = re.compile(r"(/api/v1/registry/conventions - .* status of (403|422) |"
                          r"/console/session - .* status of 401 |/favicon.ico - .* of 404 )")
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
              and not refusals.search(e["message"])]
    assert not severe, severe


def test_a_long_gbk_list_is_followed_through_its_job(console_url, gateway, accounts,
                                                      browser, tmp_path):
    seed_two_counties(gateway)
    accounts("civil", "civil_affairs_officer", area="330110000000")
    sign_in(browser, console_url, "civil")
    # more rows than an import takes inline: a background job does it
    villages = "".join(f"330110001{n:03d},第{n}村\n" for n in range(201, 461))
    listing = tmp_path / "名单.csv"
    listing.write_bytes(("统计用区划代码,名称\n" + villages).encode("gbk"))
    go(browser, console_url, "registry/import")
    form = find(browser, "#import-form")
    form.find_element(By.NAME, "file").send_keys(str(listing))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser, 120).until(lambda d: "试导入完成" in d.find_element(By.ID, "import-report").text)
    assert "后台任务" in find(browser, "#import-stage").text
    counts = find(browser, "#import-report .table-wrap tbody").text
    assert "有误 0" in counts.replace("\n", " ")
    assert browser.execute_script(
        "return window.localStorage.getItem('fazhi.registry.import-job')") is None
    assert gateway.get(f"{R}/communities", query_string={"town_code": "330110001000"}
                       ).json["total"] == 1  # a dry run writes nothing
    screenshot(browser, "registry-import-job")
    no_script_errors(browser)
