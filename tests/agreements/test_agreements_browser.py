"""In a real browser, on a phone: upload a signed agreement on a partner's page, then check
the audit log's chain from its page."""

from __future__ import annotations

from rapport_core.schemas import PartnerCreate
from rapport_core.services import partners

from tests.agreements.helpers import make_pdf
from tests.browser import as_a_phone, assert_fits_the_screen, sign_in


async def test_upload_an_agreement_and_verify_the_log_on_a_phone(
    browser,
    wait,
    server_url,
    firm,
    tmp_path,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows
    from selenium.webdriver.support.ui import Select

    partner = await partners.create_partner(
        firm.actor(), PartnerCreate(name="Dana Ortiz", profession="attorney")
    )
    pdf = tmp_path / "signed agreement.pdf"
    pdf.write_bytes(make_pdf("browser"))

    as_a_phone(browser)
    browser.get(f"{server_url}/partners/{partner.id}/agreements")
    sign_in(browser, firm.emails["member"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Agreements with"))
    assert_fits_the_screen(browser)

    Select(browser.find_element(By.ID, "f-kind")).select_by_value("solicitation")
    browser.find_element(By.ID, "f-title").send_keys("Promoter agreement")
    browser.find_element(By.ID, "f-signers").send_keys("Ana Lee, Dana Ortiz")
    browser.find_element(By.ID, "f-file").send_keys(str(pdf))
    browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Promoter agreement"))
    assert "Draft" in browser.find_element(By.CSS_SELECTOR, ".badges").text
    assert (
        "signed agreement.pdf" in browser.find_element(By.CSS_SELECTOR, "[data-version='1']").text
    )
    assert_fits_the_screen(browser)

    browser.delete_all_cookies()
    browser.get(f"{server_url}/audit")
    sign_in(browser, firm.emails["compliance"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Audit log"))
    assert "agreement.upload" in browser.find_element(By.TAG_NAME, "table").text
    assert_fits_the_screen(browser)
    browser.find_element(By.CSS_SELECTOR, "form[action='/audit/verify'] button").click()
    wait.until(shows.presence_of_element_located((By.CSS_SELECTOR, "[data-verify='ok']")))
    assert "The chain holds" in browser.find_element(By.CSS_SELECTOR, "[data-verify]").text
    assert_fits_the_screen(browser)
