"""A real browser against a real server: a member logs a referral, and finds their way
around on a phone."""

from __future__ import annotations

from tests.browser import (
    ARTIFACTS,
    PHONE,
    as_a_phone,
    assert_fits_the_screen,
    sign_in,
    through_the_nav,
)
from tests.conftest import PASSWORD


def test_member_logs_a_referral_and_reads_the_list_on_a_phone(browser, wait, server_url, firm):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows
    from selenium.webdriver.support.ui import Select

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
    through_the_nav(browser, "Referrals", "Referrals")
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

    # On the phone, the referral's page holds its fees: "Fees and payouts" scrolls to them.
    browser.find_element(By.LINK_TEXT, "Ann Client").click()
    heading_is("Ann Client")
    assert_fits_the_screen(browser)
    page = browser.current_url
    money = browser.find_element(By.ID, "money")
    top = "return arguments[0].getBoundingClientRect().top"
    assert browser.execute_script(top, money) > PHONE["height"]  # below the fold at first
    browser.find_element(By.LINK_TEXT, "Fees and payouts").click()
    wait.until(lambda _: 0 <= browser.execute_script(top, money) < PHONE["height"] / 2)
    assert browser.current_url == f"{page}#money"
    assert "No fee collected yet." in money.text


def test_the_menu_opens_on_a_phone_and_leads_to_a_page(browser, wait, server_url, firm):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as shows

    as_a_phone(browser)
    browser.get(f"{server_url}/")
    sign_in(browser, firm.emails["member"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Today"))
    nav = wait.until(shows.presence_of_element_located((By.CSS_SELECTOR, "nav.mainnav.nav-js")))
    menu = nav.find_element(By.CSS_SELECTOR, ".nav-toggle")
    payouts = nav.find_element(By.CSS_SELECTOR, "a[href='/payouts']")

    # Closed, the menu is one button; the sections are out of the way.
    assert menu.get_attribute("aria-expanded") == "false" and not payouts.is_displayed()
    assert_fits_the_screen(browser)

    # The keyboard opens it and Escape closes it again, leaving the focus on the button.
    menu.send_keys(Keys.ENTER)
    wait.until(lambda _: payouts.is_displayed())
    assert menu.get_attribute("aria-expanded") == "true"
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait.until(lambda _: not payouts.is_displayed())
    assert menu.get_attribute("aria-expanded") == "false"
    assert browser.switch_to.active_element == menu

    # Open, every section's pages are within the screen's width, the current page marked.
    menu.click()
    links = wait.until(
        lambda _: [a for a in nav.find_elements(By.TAG_NAME, "a") if a.is_displayed()]
    )
    labels = [a.text for a in links if "btn" not in a.get_attribute("class")]
    assert labels == [
        "Today",
        "Referrals",
        "Pipeline",
        "Partner updates",
        "Partners",
        "Network map",
        "Possible duplicates",
        "Payouts",
        "Tax",
        "Compliance",
        "Agreements",
        "Settings",
        "Integrations",
    ]  # a member does not see the audit log
    width = browser.execute_script("return window.innerWidth")
    assert all(a.rect["x"] >= 0 and a.rect["x"] + a.rect["width"] <= width for a in links)
    assert all(a.rect["height"] >= 44 for a in links), "a link too small to tap"
    assert_fits_the_screen(browser)
    today = nav.find_element(By.CSS_SELECTOR, "a[href='/']")
    assert today.get_attribute("aria-current") == "page"

    payouts.click()
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Payouts"))
    nav = wait.until(shows.presence_of_element_located((By.CSS_SELECTOR, "nav.mainnav.nav-js")))
    menu = nav.find_element(By.CSS_SELECTOR, ".nav-toggle")
    assert menu.text.split() == ["Menu", "Money"]  # the section of the page shown
    menu.click()
    current = wait.until(lambda _: nav.find_element(By.CSS_SELECTOR, "a[aria-current=page]"))
    assert current.text == "Payouts"
    assert_fits_the_screen(browser)


def test_each_section_opens_from_the_keyboard_on_a_narrow_desktop(browser, wait, server_url, firm):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as shows

    browser.set_window_size(720, 900)  # the narrowest width with the sections in a row
    browser.get(f"{server_url}/payouts")
    sign_in(browser, firm.emails["owner"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Payouts"))
    nav = wait.until(shows.presence_of_element_located((By.CSS_SELECTOR, "nav.mainnav.nav-js")))
    assert not nav.find_element(By.CSS_SELECTOR, ".nav-toggle").is_displayed()  # no Menu
    money = nav.find_element(By.XPATH, ".//button[.='Money']")
    assert "is-current" in money.find_element(By.XPATH, "..").get_attribute("class")

    # Enter opens a section, Tab walks its pages, Escape closes it and returns to its button.
    settings = nav.find_element(By.XPATH, ".//button[.='Settings']")
    settings.send_keys(Keys.ENTER)
    integrations = nav.find_element(By.CSS_SELECTOR, "a[href='/integrations']")
    wait.until(lambda _: integrations.is_displayed())
    assert settings.get_attribute("aria-expanded") == "true"
    assert_fits_the_screen(browser)  # the last section's pages open within the screen
    settings.send_keys(Keys.TAB)
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == integrations
    integrations.send_keys(Keys.ESCAPE)
    wait.until(lambda _: not integrations.is_displayed())
    assert browser.switch_to.active_element == settings
    assert settings.get_attribute("aria-expanded") == "false"

    # One section open at a time; a click elsewhere closes it.
    money.click()
    settings.click()
    assert (money.get_attribute("aria-expanded"), settings.get_attribute("aria-expanded")) == (
        "false",
        "true",
    )
    browser.find_element(By.TAG_NAME, "h1").click()
    wait.until(lambda _: settings.get_attribute("aria-expanded") == "false")
    through_the_nav(browser, "Settings", "Integrations")
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Integrations"))
