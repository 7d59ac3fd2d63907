"""In a real browser, on a phone: connect Rapport to the fake Clio through its OAuth consent
redirect, press Sync now, follow its progress, and find Clio's contacts among the partners."""

from __future__ import annotations

import pytest
from rapport_crm_clio.fake import FakeClio

from tests.browser import ARTIFACTS, as_a_phone, assert_fits_the_screen, sign_in
from tests.crm.helpers import clio_env


@pytest.fixture
def fake_clio(monkeypatch):
    """Started before the server, whose environment then points the connector at it."""
    with FakeClio(count=240) as fake:
        for key, value in clio_env(fake).items():
            monkeypatch.setenv(key, value)
        yield fake


async def test_connect_to_fake_clio_sync_and_see_the_partners(
    fake_clio,
    browser,
    wait,
    server_url,
    firm,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows

    as_a_phone(browser)
    browser.get(f"{server_url}/integrations")
    sign_in(browser, firm.emails["owner"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Integrations"))
    assert "Not connected" in browser.find_element(By.ID, "crm-clio").text

    browser.find_element(By.ID, "connect-clio").click()  # to Clio's consent, and back
    wait.until(shows.presence_of_element_located((By.ID, "notice")))
    assert "Connected to clio" in browser.find_element(By.ID, "notice").text
    assert browser.find_element(By.ID, "crm-clio-status").text == "Connected"
    assert ("GET", "/oauth/authorize") in fake_clio.methods_seen()

    # A slow CRM: "Sync now" answers before the sync ends, the page shows its progress and
    # reloads with the result when it is done.
    fake_clio.delay = 3.0
    browser.find_element(By.ID, "sync-clio").click()
    wait.until(shows.text_to_be_present_in_element((By.ID, "crm-clio"), "Syncing now"))
    assert not browser.find_elements(By.ID, "sync-clio")
    wait.until(shows.text_to_be_present_in_element((By.ID, "notice"), "created"))
    assert "240 created" in browser.find_element(By.ID, "notice").text
    assert browser.find_element(By.ID, "crm-clio-partners").text == "240"
    assert browser.find_elements(By.ID, "history-clio")
    assert_fits_the_screen(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "phone-integrations.png"))

    name = next(c["name"] for c in fake_clio.contacts if c["type"] == "Person")
    browser.get(f"{server_url}/partners?q={name.split()[-1]}")
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "main"), name))
    assert_fits_the_screen(browser)
    assert fake_clio.methods_seen() <= {
        ("GET", "api"),
        ("GET", "/oauth/authorize"),
        ("POST", "/oauth/token"),
    }
