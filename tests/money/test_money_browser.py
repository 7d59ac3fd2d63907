"""In a real browser, on a phone: the admin who recorded a fee cannot approve its payout
(four eyes); a compliance user sees the gate's violation, overrides it with a reason and
approves; the payout is then marked paid."""

from __future__ import annotations

from tests.browser import ARTIFACTS, as_a_phone, assert_fits_the_screen, sign_in
from tests.money.helpers import post_arrangement, post_engaged, post_fee
from tests.pipeline.helpers import add_partner


async def test_a_second_person_approves_a_payout_past_the_gate(
    browser,
    wait,
    server_url,
    client,
    firm,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows

    partner = await add_partner(
        client, firm, "Blake Blocked", profession="attorney", tags=["blocked"]
    )
    await post_arrangement(client, firm.headers("admin"), partner, percent="10")
    referral = await post_engaged(client, firm.headers("admin"), partner)
    accrued = await post_fee(client, firm.headers("admin"), referral, "5000")
    payout = accrued["payouts"][0]["id"]

    def card():
        return browser.find_element(By.ID, f"payout-{payout}")

    as_a_phone(browser)
    browser.get(f"{server_url}/payouts")
    sign_in(browser, firm.emails["admin"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Payouts"))
    assert "$500.00 to Blake Blocked" in card().text
    assert "Blake Blocked is blocked from receiving referral fees" in card().text
    assert_fits_the_screen(browser)

    # The admin recorded the fee: approving their own accrual is refused, even with a reason.
    card().find_element(By.NAME, "override_reason").send_keys("Cleared by counsel")
    card().find_element(By.XPATH, ".//button[normalize-space()='Override and approve']").click()
    wait.until(shows.text_to_be_present_in_element((By.ID, f"payout-{payout}"), "four eyes"))

    browser.find_element(By.XPATH, "//button[normalize-space()='Sign out']").click()
    wait.until(shows.presence_of_element_located((By.ID, "password")))  # signed out
    browser.get(f"{server_url}/payouts")
    wait.until(shows.presence_of_element_located((By.ID, "password")))
    sign_in(browser, firm.emails["compliance"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Payouts"))
    # Without a reason the violation blocks approval.
    card().find_element(By.XPATH, ".//button[normalize-space()='Override and approve']").click()
    wait.until(
        shows.text_to_be_present_in_element((By.ID, f"payout-{payout}"), "Give an override reason")
    )
    card().find_element(By.NAME, "override_reason").send_keys("Engagement letter discloses the fee")
    card().find_element(By.XPATH, ".//button[normalize-space()='Override and approve']").click()
    wait.until(lambda _: card().get_attribute("data-status") == "approved")
    assert "overridden: Engagement letter discloses the fee" in card().text
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "phone-payouts.png"))

    card().find_element(By.NAME, "reference").send_keys("CHK-2044")
    card().find_element(By.XPATH, ".//button[normalize-space()='Mark paid']").click()
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "main"), "Reverse #"))
    assert_fits_the_screen(browser)

    # The partner's money page: the tally, the monthly chart, the ledger, on a phone.
    browser.get(f"{server_url}/partners/{partner}/money")
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Money with Blake"))
    paid_figure = browser.find_element(By.CSS_SELECTOR, "[data-tally=paid_this_year]").text
    assert paid_figure == "$500.00"
    assert_fits_the_screen(browser)
    assert browser.save_screenshot(str(ARTIFACTS / "phone-partner-money.png"))

    stored = (await client.get(f"/api/v1/payouts/{payout}", headers=firm.headers())).json()
    assert (stored["status"], stored["approved_by"], stored["reference"]) == (
        "paid",
        firm.emails["compliance"],
        "CHK-2044",
    )
    assert stored["override_reason"] == "Engagement letter discloses the fee"
