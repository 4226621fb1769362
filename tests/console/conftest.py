"""The console in a real browser: every service on the test vhost, the real gateway served
over HTTP, and headless Chromium from Debian's packages driven by Selenium.

Nothing is downloaded: Selenium is pointed at /usr/bin/chromium and /usr/bin/chromedriver
(``apt-get install chromium chromium-driver``; scripts/test installs them).
"""
import os
import shutil
import tempfile
from pathlib import Path

import eventlet
import pytest
from eventlet import wsgi

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("FAZHI_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FAZHI_CHROMEDRIVER", "/usr/bin/chromedriver")
PASSWORD = "correct horse battery"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/console/test_browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def console_url(platform, gateway_app):
    """The real gateway (with the console) served over HTTP on a free port."""
    listener = eventlet.listen(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = eventlet.spawn(wsgi.server, listener, gateway_app, log_output=False)
    yield f"http://127.0.0.1:{port}/console/"
    server.kill()
    listener.close()


@pytest.fixture
def accounts(gateway_app):
    """``accounts(username, role, area=None)`` creates a user who signs in with PASSWORD."""
    from gateway.admin import create_user

    def make(username, role, area=None, department="test"):
        create_user(gateway_app.extensions["db"], username, role, department, area,
                    password=PASSWORD)
        return username
    return make


@pytest.fixture
def browser():
    """Headless Chromium at a desktop size; ``browser.set_window_size`` for a phone."""
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.fail(f"The browser tests need {CHROMIUM} and {CHROMEDRIVER}: "
                    "apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="fazhi-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--lang=zh-CN",
                 f"--user-data-dir={profile}", "--window-size=1366,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    downloads = Path(profile) / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name):
    """The whole page as it stands, under var/screenshots/ for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = driver.get_window_size()
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(size["width"], min(max(height + 120, size["height"]), 5000))
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.set_window_size(size["width"], size["height"])
