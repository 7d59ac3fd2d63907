"""In a real browser, on a phone: move a referral along the pipeline board, then approve
the update to its partner in the approval queue."""

from __future__ import annotations

from tests.browser import (
    ARTIFACTS,
    as_a_phone,
    assert_fits_the_screen,
    sign_in,
    through_the_nav,
)
from tests.pipeline.helpers import add_partner, log


async def test_board_moves_a_referral_and_its_update_is_approved(
    browser,
    wait,
    server_url,
    client,
    firm,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows
    from selenium.webdriver.support.ui import Select

    partner = await add_partner(client, firm, name="Grace Hopper", email="grace@cpa.example")
    ann = await log(client, firm, partner_id=partner, client_name="Ann Lee")
    # The board reloads after each move: the wait looks again at a card looked at mid-reload.

    def card():
        return browser.find_element(By.ID, f"card-{ann['id']}")

    def column_of_card() -> str:
        return (
            card().find_element(By.XPATH, "./ancestor::section[1]").get_attribute("aria-labelledby")
        )

    as_a_phone(browser)
    browser.get(f"{server_url}/pipeline")
    sign_in(browser, firm.emails["member"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Pipeline"))
    assert column_of_card() == "col-submitted"

    # The board scrolls sideways inside itself; the page does not.
    assert_fits_the_screen(browser)

    for stage, column in (("acknowledged", "col-acknowledged"), ("contacted", "col-contacted")):
        button = card().find_element(By.CSS_SELECTOR, f"button[value={stage}]")
        browser.execute_script("arguments[0].scrollIntoView()", button)
        button.click()
        wait.until(lambda _, column=column: column_of_card() == column)

    # Declining asks for a reason.
    closing = card().find_element(By.XPATH, ".//details[summary[contains(., 'Declined')]]")
    browser.execute_script("arguments[0].scrollIntoView()", closing)
    closing.find_element(By.TAG_NAME, "summary").click()
    Select(closing.find_element(By.NAME, "reason")).select_by_visible_text("Conflict")
    closing.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(lambda _: not browser.find_elements(By.ID, f"card-{ann['id']}"))

    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "phone-pipeline.png"))

    # Three updates wait for approval; approve the first, edited.
    through_the_nav(browser, "Referrals", "Partner updates")
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Partner updates"))
    drafts = browser.find_elements(By.CSS_SELECTOR, "section.draft")
    assert len(drafts) == 3 and "grace@cpa.example" in drafts[0].text
    body = drafts[0].find_element(By.TAG_NAME, "textarea")
    body.send_keys("\nSee you Tuesday.")
    drafts[0].find_element(By.XPATH, ".//button[normalize-space()='Approve']").click()
    wait.until(lambda _: len(browser.find_elements(By.CSS_SELECTOR, "section.draft textarea")) == 2)
    assert "See you Tuesday." in browser.find_element(By.TAG_NAME, "main").text

    approved = (await client.get("/api/v1/drafts?status=approved", headers=firm.headers())).json()
    assert len(approved) == 1 and approved[0]["body"].endswith("See you Tuesday.")
    assert approved[0]["decided_by"] == firm.emails["member"]
