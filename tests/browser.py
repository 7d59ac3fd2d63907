"""Browser tests' fixtures and helpers: headless Chromium, driven through chromedriver,
talking to ``rapport serve`` running as its own process on the test database. The fixtures
are registered for every test by ``tests/conftest.py``."""

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

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = {"width": 375, "height": 812}  # the narrowest phones in common use
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


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by marker
def pytest_collection_modifyitems(items) -> None:
    """A test that drives the browser is marked ``browser``: ``-m "not browser"`` skips it."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


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


def through_the_nav(browser, section: str, page: str) -> None:
    """Follow the main navigation to ``page`` as a person would: on a phone "Menu" first,
    on a wider screen the section's button (one-page sections are a plain link)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows

    wait = reload_wait(browser)
    # The script makes the buttons work; before it has run they do nothing.
    nav = wait.until(shows.presence_of_element_located((By.CSS_SELECTOR, "nav.mainnav.nav-js")))
    toggles = nav.find_elements(
        By.XPATH,
        f".//button[@class='nav-toggle' or (@class='nav-group-toggle' and .='{section}')]",
    )
    for toggle in toggles:
        if toggle.is_displayed() and toggle.get_attribute("aria-expanded") == "false":
            toggle.click()
    link = (By.XPATH, f"//nav[@aria-label='Main']//a[normalize-space()='{page}']")
    wait.until(shows.element_to_be_clickable(link)).click()


@pytest.fixture
def wait(browser):
    """Waits up to WAIT_SECONDS for what the page should come to show. Forms post and the
    page reloads under the wait, so it is a :func:`reload_wait`."""
    return reload_wait(browser)
