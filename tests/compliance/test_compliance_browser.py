"""In a real browser, on a phone: a referral sent without the client's written consent shows
the finding; uploading the consent resolves it."""

from __future__ import annotations

import time

import pytest

from tests.agreements.helpers import make_pdf
from tests.browser import WAIT_SECONDS, as_a_phone, assert_fits_the_screen, sign_in
from tests.compliance.conftest import GOOD
from tests.compliance.helpers import attorney_firm, findings, lapsed_partner_and_referral


@pytest.fixture
def packs_for_the_server(monkeypatch):
    """Registered before ``server_url`` starts `rapport serve`, which inherits it."""
    from rapport_core.compliance import catalog

    monkeypatch.setenv("RAPPORT_RULEPACK_PATH", str(GOOD))
    catalog.default_catalog.cache_clear()
    yield
    monkeypatch.delenv("RAPPORT_RULEPACK_PATH")
    catalog.default_catalog.cache_clear()


async def test_missing_consent_shows_and_uploading_it_resolves(
    packs_for_the_server,
    browser,
    wait,
    server_url,
    client,
    firm,
    tmp_path,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows
    from selenium.webdriver.support.ui import Select

    await attorney_firm(client, firm)
    _partner_id, _licence_id, referral_id = await lapsed_partner_and_referral(client, firm)

    as_a_phone(browser)
    browser.get(f"{server_url}/referrals/{referral_id}")
    sign_in(browser, firm.emails["member"])
    wait.until(shows.presence_of_element_located((By.ID, "compliance-heading")))
    panel = browser.find_element(By.CLASS_NAME, "panel-findings").text
    assert "No written client consent for the referral to Dana Ortiz" in panel
    assert_fits_the_screen(browser)

    # The finding's page says why and what to do.
    browser.find_element(By.LINK_TEXT, "Written client consent to the referral").click()
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Written client consent"))
    assert "Upload the client's written consent" in browser.find_element(By.TAG_NAME, "main").text
    assert_fits_the_screen(browser)

    # Upload the signed consent from the referral page's link.
    browser.get(f"{server_url}/referrals/{referral_id}")
    upload = browser.find_element(By.LINK_TEXT, "Upload a client consent")
    # Out from under the floating "Log referral" button, as a thumb would scroll it.
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", upload)
    upload.click()
    wait.until(shows.presence_of_element_located((By.ID, "f-file")))
    Select(browser.find_element(By.ID, "f-kind")).select_by_value("client_consent")
    Select(browser.find_element(By.ID, "f-referral_id")).select_by_value(str(referral_id))
    browser.find_element(By.ID, "f-signed_on").send_keys("03012026")
    Select(browser.find_element(By.ID, "f-discloses_division")).select_by_index(1)
    pdf = tmp_path / "consent.pdf"
    pdf.write_bytes(make_pdf("consent"))
    browser.find_element(By.ID, "f-file").send_keys(str(pdf))
    browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()

    # The server re-evaluates the referral after the upload: the finding resolves itself.
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        open_rules = [f["rule_id"] for f in await findings(client, firm)]
        if "base.client-consent" not in open_rules:
            break
        time.sleep(0.2)
    assert "base.client-consent" not in open_rules
    browser.get(f"{server_url}/referrals/{referral_id}")
    wait.until(shows.presence_of_element_located((By.ID, "consent-heading")))
    assert browser.find_elements(By.CLASS_NAME, "panel-findings") == []
    browser.get(f"{server_url}/compliance?status=resolved")
    assert (
        "Written client consent to the referral" in browser.find_element(By.TAG_NAME, "main").text
    )
