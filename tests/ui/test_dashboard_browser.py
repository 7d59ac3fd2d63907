"""In a real browser, on a phone: the dashboard's briefing leads to the referral that needs
attention, and its charts are drawn with their figures beside them."""

from __future__ import annotations

import datetime as dt

from rapport_core.clock import now

from tests.browser import ARTIFACTS, as_a_phone, assert_fits_the_screen, sign_in
from tests.pipeline.helpers import add_partner, log, move


async def test_dashboard_briefing_and_charts_on_a_phone(
    browser,
    wait,
    server_url,
    client,
    firm,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as shows

    grace = await add_partner(client, firm, name="Grace Hopper")
    yesterday = (now() - dt.timedelta(days=1)).isoformat()
    waiting = await log(
        client, firm, partner_id=grace, client_name="Ann Waiting", referred_at=yesterday
    )
    won = await log(client, firm, partner_id=grace, client_name="Bo Engaged", referred_at=yesterday)
    for stage in ("acknowledged", "contacted", "qualified"):
        assert (await move(client, firm, won["id"], stage=stage)).status_code == 200
    engaged = await move(client, firm, won["id"], stage="engaged", actual_value="12000")
    assert engaged.status_code == 200, engaged.text

    as_a_phone(browser)
    browser.get(f"{server_url}/")
    sign_in(browser, firm.emails["viewer"])
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Today"))
    assert_fits_the_screen(browser)
    width = browser.execute_script("return window.innerWidth")

    # Every chart is drawn at a readable size inside the phone's width, with bars in it.
    for chart in browser.find_elements(By.CSS_SELECTOR, "svg.chart"):
        box = chart.rect
        assert 250 <= box["width"] <= width and box["height"] > 20, box
        assert chart.find_elements(By.CSS_SELECTOR, "rect"), chart.get_attribute("aria-label")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 3

    # The funnel's figures open under the chart.
    funnel = browser.find_element(By.XPATH, "//section[@aria-labelledby='funnel-heading']")
    funnel.find_element(By.TAG_NAME, "summary").click()
    rows = funnel.find_elements(By.CSS_SELECTOR, "#funnel-table tbody tr")
    assert [r.text.split()[:2] for r in rows] == [
        ["Submitted", "2"],
        ["Acknowledged", "1"],
        ["Contacted", "1"],
        ["Qualified", "1"],
        ["Engaged", "1"],
    ]
    top = browser.find_element(By.XPATH, "//section[@aria-labelledby='top-heading']").text
    assert "Grace Hopper" in top and "$12,000" in top

    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "phone-dashboard.png"))

    # The first thing to do: Ann has waited a day for an acknowledgement. Follow it.
    first = browser.find_element(By.CSS_SELECTOR, "ol.briefing li")
    assert "Ann Waiting: acknowledge the referral" in first.text and "past the SLA" in first.text
    first.find_element(By.TAG_NAME, "a").click()
    wait.until(shows.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Ann Waiting"))
    assert browser.current_url.endswith(f"/referrals/{waiting['id']}")
