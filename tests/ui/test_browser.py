"""A real browser against a real server: headless Chromium, driven through chromedriver,
talking to ``rapport serve`` running as its own process on the test database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PHONE = {"width": 390, "height": 844}
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
STARTUP_SECONDS = 30
WAIT_SECONDS = 15


def as_a_phone(browser) -> None:
    browser.set_window_size(PHONE["width"], PHONE["height"])
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {**PHONE, "deviceScaleFactor": 2, "mobile": True}
    )


def assert_fits_the_screen(browser) -> None:
    """Nothing on the page sticks out sideways."""
    width, scroll_width = browser.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth]"
    )
    assert scroll_width <= width, f"the page is {scroll_width}px wide on a {width}px screen"


def reload_wait(browser):
    """A wait for pages that reload under it: an element looked at mid-reload (gone, stale,
    or a node Chrome has already dropped, which it reports as a plain WebDriverException) is
    simply looked at again until the wait runs out."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT_SECONDS, ignored_exceptions=(WebDriverException,))


def sign_in(browser, email: str) -> None:
    """Fill in the sign-in page the browser is on and submit it."""
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def server_url(tmp_path: Path) -> Iterator[str]:
    """``rapport serve`` on a free port, with this run's environment (the test database)."""
    port = _free_port()
    output = (tmp_path / "server.log").open("w+")
    command = [str(Path(sys.executable).parent / "rapport"), "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=os.environ.copy(), stdout=output, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(f"{url}/-/health"):
            if server.poll() is not None or time.monotonic() > deadline:
                output.seek(0)
                pytest.fail(f"`{' '.join(command)}` did not start:\n{output.read()}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        output.close()


@pytest.fixture
def browser(tmp_path: Path):
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: run `python scripts/ensure_browser.py`")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    # Debian's own binaries: Selenium Manager must not download a browser or driver.
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_window_size(1280, 900)
    try:
        yield driver
    finally:
        driver.quit()


def test_member_logs_a_referral_and_reads_the_list_on_a_phone(browser, server_url, firm):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(browser, WAIT_SECONDS)

    def fill(field_id: str, text: str) -> None:
        field = browser.find_element(By.ID, field_id)
        field.clear()
        field.send_keys(text)

    def heading_is(text: str) -> None:
        wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), text))

    # Sign in: a signed-out visitor lands on the sign-in page first.
    browser.get(f"{server_url}/partners")
    heading_is("Sign in")
    fill("email", firm.emails["member"])
    fill("password", PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    heading_is("Partners")

    # Add a partner through the form.
    browser.find_element(By.PARTIAL_LINK_TEXT, "Add partner").click()
    heading_is("Add a partner")
    fill("f-name", "Grace Hopper")
    fill("f-organisation", "Hopper & Co CPAs")
    Select(browser.find_element(By.ID, "f-profession")).select_by_visible_text("CPA")
    fill("f-specialties", "Estate tax, Trusts")
    fill("f-city", "Tampa")
    Select(browser.find_element(By.ID, "f-state")).select_by_visible_text("FL")
    browser.find_element(By.XPATH, "//button[normalize-space()='Add partner']").click()
    heading_is("Grace Hopper")
    assert "Hopper & Co CPAs" in browser.find_element(By.TAG_NAME, "main").text

    # Log a referral received from that partner.
    browser.find_element(By.CSS_SELECTOR, "nav .btn-cta").click()
    heading_is("Log a referral")
    browser.find_element(By.XPATH, "//label[contains(., 'Received')]").click()
    Select(browser.find_element(By.ID, "f-partner_id")).select_by_visible_text(
        "Grace Hopper — Hopper & Co CPAs"
    )
    fill("f-client_name", "Ann Client")
    fill("f-matter_type", "Estate plan")
    fill("f-estimated_value", "2,500")
    browser.find_element(By.XPATH, "//button[normalize-space()='Log referral']").click()
    heading_is("Ann Client")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Received from\nGrace Hopper" in page and "$2,500.00" in page and "Submitted" in page

    # It is in the referral list.
    browser.find_element(By.LINK_TEXT, "Referrals").click()
    heading_is("Referrals")
    listing = browser.find_element(By.TAG_NAME, "table").text
    assert "Ann Client" in listing and "Grace Hopper" in listing and "$2,500.00" in listing

    # The same list on a phone: nothing sticks out sideways, and a screenshot to look at.
    as_a_phone(browser)
    browser.refresh()
    heading_is("Referrals")
    assert browser.execute_script("return window.innerWidth") == PHONE["width"]
    assert_fits_the_screen(browser)
    assert "Ann Client" in browser.find_element(By.TAG_NAME, "main").text

    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "phone-referrals.png"
    screenshot.unlink(missing_ok=True)
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 0
    assert screenshot.read_bytes().startswith(b"\x89PNG")
