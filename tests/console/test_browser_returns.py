"""A city's civil-affairs officer downloads a statistical return from the console's reports
page: the return it may read is offered (the justice ones are not), a bad period is
refused beside its field in Chinese, and the workbook holds the registry's figures."""
from calendar import monthrange
from datetime import date

from openpyxl import load_workbook
from selenium.webdriver.common.by import By

from tests.console.conftest import screenshot
from tests.console.test_browser import fill, find, go, no_script_errors, seed_two_counties, sign_in
from tests.console.test_browser import wait as waiting

R = "/api/v1/registry"


def test_a_city_officer_downloads_the_self_governance_return(console_url, gateway, accounts,
                                                             browser):
    seed_two_counties(gateway)
    today = date.today()
    assert gateway.post(f"{R}/meetings", json={
        "community_code": "330110001001", "kind": "villagers_representative_meeting",
        "held_on": today.isoformat(), "eligible": 30, "attended": 25,
        "agenda": "村道硬化"}).status_code == 201
    accounts("city-civil", "civil_affairs_officer", area="330100000000")
    sign_in(browser, console_url, "city-civil")
    go(browser, console_url, "reports")
    form = find(browser, "#returns-form")
    offered = [o.text for o in form.find_elements(By.CSS_SELECTOR, "[name=return_key] option")]
    assert offered == ["民主法治社区（村）创建考评统计表（司法行政、民政）",
                       "基层群众自治统计表（民政）"]
    assert not browser.find_elements(By.ID, "report-form")  # the mediation form: justice's

    fill(form, {"return_key": "self-governance", "return_period": "2025-13"})
    assert "统计期间须为年份（YYYY）或月份（YYYY-MM）" in find(
        browser, '#returns-form [data-error-for="return_period"]:not(:empty)').text

    month = today.strftime("%Y-%m")
    fill(form, {"return_key": "self-governance", "return_period": month})
    downloaded = browser.downloads / f"基层群众自治统计表-汇总-{month}.xlsx"
    waiting(browser).until(lambda d: downloaded.exists())
    screenshot(browser, "reports-returns")
    rows = list(load_workbook(downloaded).active.iter_rows(values_only=True))
    assert rows[0][0] == "全市（2个县（市、区））基层群众自治统计表"
    body = {row[0]: row[1:12] for row in rows[3:] if row[0]}
    figures = {c["county_name"]: c for c in gateway.as_role(
        "civil_affairs_officer", "330100000000").get(f"{R}/governance-figures", query_string={
            "date_from": today.replace(day=1).isoformat(),
            "date_to": today.replace(day=monthrange(today.year, today.month)[1]).isoformat()}
    ).json["counties"]}
    for county in ("余杭区", "富阳区"):
        f = figures[county]
        assert body[county][:3] == (f["communities"], f["villages"],
                                    f["with_party_organisation"])
        assert body[county][4:6] == (f["assemblies"], f["quorate_assemblies"])
    assert body["余杭区"][4:6] == (1, 1)
    assert rows[-1][:8] == ("单位负责人：", None, "统计负责人：", None, "填表人：", None,
                            "报出日期：", None)
    no_script_errors(browser)
