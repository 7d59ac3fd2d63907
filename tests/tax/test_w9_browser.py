"""In a real browser, on a phone: a partner opens the W-9 link, makes a mistake, fixes it and
signs; the link then refuses a second use."""

from __future__ import annotations

import datetime as dt

from rapport_core.tax.tables import W9
from rapport_core.tax.w9 import create_link

from tests.browser import ARTIFACTS, WAIT_SECONDS, as_a_phone, assert_fits_the_screen, sign_in
from tests.tax.helpers import paid, partner, payer, w9_on_file


async def test_a_partner_completes_a_w9_on_a_phone(browser, wait, server_url, firm):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows
    from selenium.webdriver.support.ui import Select

    pid = await partner(firm, "Grace Hopper")
    link = await create_link(firm.actor(), pid, server_url)

    def fill(name: str, text: str) -> None:
        field = browser.find_element(By.NAME, name)
        field.clear()
        field.send_keys(text)

    def submit() -> None:
        button = browser.find_element(By.CSS_SELECTOR, "button[type=submit]")
        browser.execute_script("arguments[0].scrollIntoView()", button)
        button.click()

    as_a_phone(browser)
    browser.get(link.url)
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Form W-9 for Firm A"))
    assert_fits_the_screen(browser)
    fill("name", "Grace Hopper")
    fill("address", "1 Navy Way")
    fill("city", "Arlington")
    Select(browser.find_element(By.NAME, "state")).select_by_value("VA")
    fill("postal_code", "22201")
    fill("tin", "666-12-3456")  # never issued
    fill("signature_name", "Grace Hopper")
    submit()

    wait.until(shows.presence_of_element_located((By.ID, "problems")))
    problems = browser.find_element(By.ID, "problems").text
    assert "area number 666" in problems and "certification" in problems
    assert await W9.count().where(W9.partner == pid) == 0
    assert_fits_the_screen(browser)

    fill("tin", "123-45-6789")
    box = browser.find_element(By.NAME, "certify")
    browser.execute_script("arguments[0].scrollIntoView()", box)
    box.click()
    submit()
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Thank you"))
    [stored] = await W9.select(W9.tin_last4, W9.signature_name).where(W9.partner == pid)
    assert stored == {"tin_last4": "6789", "signature_name": "Grace Hopper"}

    browser.get(link.url)
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "cannot be used"))
    assert "already been used" in browser.find_element(By.ID, "problems").text


async def test_the_tax_centre_fits_a_phone(browser, server_url, firm):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows
    from selenium.webdriver.support.ui import WebDriverWait

    await payer(firm)
    for number, name in enumerate(["Grace Hopper", "Ada Lovelace", "Alan Turing"]):
        pid = await partner(firm, name)
        if number != 1:
            await w9_on_file(firm, pid, tin=f"12{number}-45-6789")
        await paid(firm, pid, 150000 * (number + 1), dt.date(2026, 3, 1))
    as_a_phone(browser)
    browser.get(f"{server_url}/tax?year=2026")
    sign_in(browser, firm.emails["owner"])
    WebDriverWait(browser, WAIT_SECONDS).until(
        shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Tax centre 2026")
    )
    rows = browser.find_elements(By.CSS_SELECTOR, "tr[data-partner]")
    assert len(rows) == 3 and "Missing" in rows[1].text  # Ada: no W-9, second largest
    assert_fits_the_screen(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "phone-tax-centre.png"))
