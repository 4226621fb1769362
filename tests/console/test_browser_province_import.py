"""A whole province's list through the console's import page, as an office uploads it:
27,023 units in GBK with a real list's quirks (children before their parents, padded
names, blank lines), checked by a dry run whose row report the page shows, then imported
by a background job the page follows to its end, picking it up again after a reload."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from bench.province import province_units, with_quirks, write_csv
from tests.console.conftest import screenshot
from tests.console.test_browser import find, go, no_script_errors, sign_in, wait

R = "/api/v1/registry"
# the import of a province is a job of minutes on a busy machine: bounded, not guessed
IMPORT_SECONDS = 900
pytestmark = pytest.mark.timeout(3 * IMPORT_SECONDS)


def _upload(browser, listing, dry_run):
    form = find(browser, "#import-form")
    form.find_element(By.NAME, "file").send_keys(str(listing))
    Select(form.find_element(By.NAME, "dry_run")).select_by_value(
        "true" if dry_run else "false")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def _figures(browser):
    """The report's table of counts (a dry run's 已检查, 有误, 提示; an import's 新增, 更新,
    未变, 有误) -> rows."""
    cells = browser.find_elements(By.CSS_SELECTOR, "#import-report table")[0].text.split()
    return {cells[i]: int(cells[i + 1]) for i in range(2, len(cells) - 1, 2)}


def test_a_provinces_gbk_list_is_checked_then_imported_by_its_job(
        console_url, gateway, accounts, browser, tmp_path):
    units = province_units()
    listing = write_csv(tmp_path / "浙江省区划名单.csv", with_quirks(units), encoding="gbk")
    accounts("province", "civil_affairs_officer", area="330000000000")
    sign_in(browser, console_url, "province")
    go(browser, console_url, "registry/import")

    _upload(browser, listing, dry_run=True)
    wait(browser, IMPORT_SECONDS).until(
        lambda d: "试导入完成" in d.find_element(By.ID, "import-report").text)
    assert "后台任务" in find(browser, "#import-stage").text
    checked = _figures(browser)
    assert (checked["已检查"], checked["有误"]) == (len(units), 0)
    assert gateway.get(f"{R}/counties").json["total"] == 0  # a dry run writes nothing
    screenshot(browser, "registry-import-province-dry-run")

    _upload(browser, listing, dry_run=False)
    wait(browser, IMPORT_SECONDS).until(
        lambda d: "已处理" in d.find_element(By.ID, "import-stage").text
        or "导入完成" in d.find_element(By.ID, "import-report").text)
    browser.refresh()  # the page picks the job up again from this browser's storage
    wait(browser, IMPORT_SECONDS).until(
        lambda d: "导入完成" in d.find_element(By.ID, "import-report").text)
    assert _figures(browser) == {"新增": len(units), "更新": 0, "未变": 0, "有误": 0}
    communities = sum(1 for code, *_ in units if not code.endswith("000"))
    assert gateway.get(f"{R}/communities").json["total"] == communities
    screenshot(browser, "registry-import-province")
    no_script_errors(browser)
