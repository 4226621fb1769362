"""The dashboard at a province's scale, names where a person reads a place, and a
community's whole file on its unit page, in headless Chromium."""
from datetime import date

import pytest
from selenium.webdriver.common.by import By

from tests.console.conftest import screenshot
from tests.console.test_browser import find, go, no_script_errors, series_data, sign_in, wait
from tests.dataset import HOME
from tests.evaluation.province_results import lay_province
from tests.helpers import wait_until

E, R = "/api/v1/evaluation", "/api/v1/registry"
PERIOD = str(date.today().year)

pytestmark = pytest.mark.timeout(600)


def chart_table(driver, chart):
    """The rows of the table beside ``chart`` (folded away or not), cell texts."""
    return driver.execute_script(
        "const chart = document.querySelector(`[data-chart=\"${arguments[0]}\"]`);"
        "const card = chart.closest('section');"
        "return [...card.querySelectorAll('table tbody tr')].map("
        "tr => [...tr.querySelectorAll('td')].map(td => td.textContent));", chart)


def axis(driver, chart):
    return driver.execute_script(
        "const chart = window.echarts.getInstanceByDom("
        "document.querySelector(`[data-chart=\"${arguments[0]}\"]`));"
        "return chart.getOption().xAxis[0].data;", chart)


def open_dashboard(driver, url):
    go(driver, url, "dashboard")
    find(driver, "#dashboard")
    wait(driver).until(lambda d: series_data(d, "titles") is not None)


def test_the_dashboard_counts_every_community_of_a_province(platform, console_url, gateway,
                                                            accounts, browser):
    province = lay_province(platform["evaluation"].config["DATABASE_URL"], PERIOD)
    overview = gateway.get(f"{E}/overview", query_string={"period": PERIOD}).json
    assert overview["communities"] == len(province.communities) == 25546
    accounts("leader", "platform_admin")
    sign_in(browser, console_url, "leader")
    open_dashboard(browser, console_url)

    # the distribution holds every evaluated community of the province, as its table does
    [bands] = series_data(browser, "score-distribution")
    assert sum(bands) == overview["evaluated"] == len(province.results) > 23000
    assert bands == [b["count"] for b in overview["distribution"]]
    assert [int(row[1]) for row in chart_table(browser, "score-distribution")] == bands
    # the totals, each figure the API's
    assert [int(row[1]) for row in chart_table(browser, "totals")] == [
        overview["communities"], overview["evaluated"], overview["passed"], overview["vetoed"]]
    # by county: named, and each row of the table the API's figures for that county
    names = [a["name"] for a in overview["areas"]]
    assert axis(browser, "pass-rate") == names == axis(browser, "evaluation-coverage")
    assert len(names) == 90 and all(names)
    rows = chart_table(browser, "pass-rate")
    assert [(r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows] == [
        (a["name"], a["communities"], a["evaluated"], a["passed"], a["vetoed"])
        for a in overview["areas"]]
    shown = [float(r[3].rstrip("%")) for r in chart_table(browser, "evaluation-coverage")]
    assert shown == pytest.approx([a["coverage"] * 100 for a in overview["areas"]], abs=0.051)
    assert [int(r[1]) for r in chart_table(browser, "titles")] == [
        overview["titles"]["held"], overview["titles"]["revoked"], overview["titles"]["due_soon"]]
    screenshot(browser, "dashboard-province")
    no_script_errors(browser)


def test_the_county_chart_and_the_ranking_name_the_places(seeded, console_url, gateway,
                                                         accounts, browser):
    county = f"县{HOME[:6]}"
    # evaluation learns the names from the registry's events
    wait_until(lambda: county in {a["name"] for a in gateway.get(
        f"{E}/overview", query_string={"period": PERIOD}).json["areas"]}, timeout=60)
    accounts("leader", "platform_admin")
    sign_in(browser, console_url, "leader")
    open_dashboard(browser, console_url)
    assert county in axis(browser, "pass-rate")
    assert not any(name.isdigit() for name in axis(browser, "pass-rate"))
    assert county in [row[0] for row in chart_table(browser, "pass-rate")]

    go(browser, console_url, f"evaluation/rank/{PERIOD}/{HOME}/")
    find(browser, f'[data-community="{seeded.home.villages[0]}"]')
    towns = [td.get_attribute("textContent") for td in browser.find_elements(
        By.CSS_SELECTOR, 'td[data-label="乡镇"]')]
    assert towns and set(towns) == {"镇"}  # the town's name, not 330110001000
    no_script_errors(browser)


def test_the_unit_page_shows_a_communitys_whole_file_by_role(seeded, console_url, gateway,
                                                            accounts, browser):
    village = seeded.home.villages[0]
    assert gateway.post(f"{R}/meetings", json={
        "community_code": village, "kind": "villagers_meeting", "held_on": date.today().isoformat(),
        "eligible": 100, "attended": 60, "agenda": "修订村规民约"}).status_code == 201
    accounts("leader", "platform_admin")
    sign_in(browser, console_url, "leader")
    go(browser, console_url, f"registry/unit/{village}")
    find(browser, f'#unit-page[data-code="{village}"] [data-part="cases"]')
    parts = [p.get_attribute("data-part") for p in browser.find_elements(
        By.CSS_SELECTOR, "#unit-page [data-part]")]
    assert parts == ["bodies", "records", "advisers", "result", "titles", "cases"]

    def part(name):
        return browser.find_element(By.CSS_SELECTOR, f'[data-part="{name}"]').text
    assert "村民委员会" in part("bodies")
    assert "修订村规民约" in part("records") and "60/100" in part("records")
    assert "王律师" in part("advisers")
    explained = gateway.get(f"{E}/results/{village}", query_string={"period": PERIOD}).json
    assert "逐项说明" in part("result") and explained["indicators"][0]["name"] in part("result")
    assert "市级" in part("titles")
    assert find(browser, "#case-counts").text == "共 1 件，其中超期 0 件"
    assert "邻里纠纷" in part("cases") and f"#{seeded.home.ids['case_id']}" in part("cases")
    # the town by its name, linked
    assert "镇" in find(browser, f'#unit-page a[data-unit="{seeded.home.town}"]').text
    screenshot(browser, "unit-page-file")
    no_script_errors(browser)

    # an evaluator of the county reads no mediation case: that part is not shown
    accounts("assessor", "evaluator", HOME)
    browser.delete_all_cookies()
    sign_in(browser, console_url, "assessor")
    go(browser, console_url, f"registry/unit/{village}")
    find(browser, f'#unit-page[data-code="{village}"] [data-part="titles"]')
    parts = [p.get_attribute("data-part") for p in browser.find_elements(
        By.CSS_SELECTOR, "#unit-page [data-part]")]
    assert parts == ["bodies", "records", "advisers", "result", "titles"]
    # and a community of another county is not in its area
    go(browser, console_url, f"registry/unit/{seeded.other.villages[0]}")
    assert "未找到" in find(browser, "#main h1").text
