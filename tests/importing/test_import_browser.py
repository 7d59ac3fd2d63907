"""In a real browser, on a phone: upload a Google Contacts export, read the preview, import
with skip-bad-rows, and see the report and the new partners."""

from __future__ import annotations

from tests.browser import as_a_phone, assert_fits_the_screen, sign_in
from tests.importing import samples


async def test_a_member_imports_a_google_export_on_a_phone(
    browser,
    wait,
    server_url,
    firm,
    tmp_path,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows

    export = tmp_path / "contacts.csv"
    export.write_text(
        samples.google(
            [
                {
                    "First Name": "Dana",
                    "Last Name": "Ortiz",
                    "E-mail 1 - Value": "dana@ortiz.example",
                    "Organization Name": "Ortiz Tax Group",
                    "Address 1 - City": "Tampa",
                    "Address 1 - Region": "FL",
                    "Notes": "Met at the council,\nplays golf",
                },
                {"First Name": "Broken", "E-mail 1 - Value": "not-an-email"},
            ]
        )  # fmt: skip
    )
    as_a_phone(browser)
    browser.get(f"{server_url}/partners/import")
    sign_in(browser, firm.emails["member"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Import partners"))
    assert_fits_the_screen(browser)
    browser.find_element(By.ID, "f-file").send_keys(str(export))
    browser.find_element(By.CSS_SELECTOR, "form[enctype] button[type=submit]").click()

    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "contacts.csv"))
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Google Contacts export" in page and "Dana Ortiz" in page and "not-an-email" in page
    assert_fits_the_screen(browser)
    browser.find_element(By.CSS_SELECTOR, "input[name=mode][value=skip_bad_rows]").click()
    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=import]").click()

    wait.until(shows.url_contains("/report"))
    report = browser.find_element(By.TAG_NAME, "main").text
    assert "Imported 2 rows" in report and "Row 2" in report
    assert_fits_the_screen(browser)
    browser.get(f"{server_url}/partners")
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "main"), "Dana Ortiz"))
