"""The money pages as a person uses them: arrangements, fees collected, the payouts queue
with its gate findings, payments received; and another firm's ids answer 404."""

import datetime as dt

from tests.conftest import make_firm
from tests.money.helpers import TODAY_ISO as TODAY
from tests.money.helpers import post_arrangement, post_engaged, post_fee
from tests.pipeline.helpers import add_partner
from tests.ui.test_pages import visible_text


async def test_arrange_collect_and_approve_through_the_pages(web, client, firm):
    partner = await add_partner(client, firm, "Dana Divide", profession="attorney")
    referral = await post_engaged(client, firm.headers("member"), partner)
    await web.sign_in(firm.emails["member"])
    bad = await web.post(
        f"/partners/{partner}/money/arrangements",
        {"kind": "division", "basis": "proportional", "effective_from": TODAY},
    )
    assert bad.status_code == 422 and "parameters.share_percent" in visible_text(bad.text)
    made = await web.post(
        f"/partners/{partner}/money/arrangements",
        {
            "kind": "division",
            "basis": "proportional",
            "percent": "40",
            "effective_from": "2020-01-01",
        },
    )
    assert made.history[0].status_code == 303
    page = visible_text((await web.get(f"/partners/{partner}/money")).text)
    assert "v1" in page and "share percent: 40" in page and "Agreements" in page
    [deal] = (
        await client.get(f"/api/v1/fee-arrangements?partner_id={partner}", headers=firm.headers())
    ).json()
    early = {
        "arrangement_id": str(deal["id"]),
        "kind": "division",
        "basis": "proportional",
        "percent": "45",
    }
    refused = await web.post(
        f"/partners/{partner}/money/arrangements", early | {"effective_from": "2019-06-01"}
    )
    assert refused.status_code == 422 and "takes effect after the current version" in visible_text(
        refused.text
    )
    amended = await web.post(
        f"/partners/{partner}/money/arrangements",
        early | {"effective_from": "2025-01-01", "note": "more work"},
    )
    assert amended.history[0].status_code == 303
    versions = (
        await client.get(f"/api/v1/fee-arrangements/{deal['id']}", headers=firm.headers())
    ).json()["versions"]
    assert [(v["version"], v["effective_until"]) for v in versions] == [
        (2, None),
        (1, "2025-01-01"),
    ]

    wrong = await web.post(
        f"/referrals/{referral}/fees", {"amount": "12.345", "collected_on": TODAY}
    )
    assert wrong.status_code == 422 and "Amount collected" in visible_text(wrong.text)
    collected = await web.post(
        f"/referrals/{referral}/fees", {"amount": "$2,500.00", "collected_on": TODAY}
    )
    # The fee and what it accrued are a section of the referral's page, where it was recorded.
    assert collected.history[0].status_code == 303
    assert collected.history[0].headers["location"] == f"/referrals/{referral}#money"
    fees = visible_text(collected.text)
    assert "Fees and payouts" in fees and "$2,500.00" in fees
    assert "$1,125.00" in fees and "45% share (proportional) of $2,500.00 collected" in fees
    # The old address of the referral's fees leads there too.
    moved = await web.get(f"/referrals/{referral}/fees", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/referrals/{referral}#money"

    queue = visible_text((await web.get("/payouts")).text)
    assert "$1,125.00 to Dana Divide" in queue and "No findings." in queue
    [payout] = (await client.get("/api/v1/payouts", headers=firm.headers())).json()
    # The member recorded it: members cannot approve, and neither could the creator.
    denied = await web.post(f"/payouts/{payout['id']}/approve", {})
    assert denied.status_code == 403

    await web.sign_in(firm.emails["admin"])
    approved = await web.post(f"/payouts/{payout['id']}/approve", {})
    assert approved.history[0].status_code == 303
    no_method = await web.post(
        f"/payouts/{payout['id']}/pay", {"paid_on": TODAY, "method": "barter"}
    )
    assert no_method.status_code == 422
    paid = await web.post(
        f"/payouts/{payout['id']}/pay", {"paid_on": TODAY, "method": "check", "reference": "77"}
    )
    assert paid.history[0].status_code == 303
    money_page = (await web.get(f"/partners/{partner}/money")).text
    tally = visible_text(money_page)
    assert "$1,125.00 Paid in" in tally
    # The month's bar and its row in the figures table.
    assert 'class="series-sent"' in money_page and "1.1k paid to them" in money_page
    month = dt.date.fromisoformat(TODAY).strftime("%B %Y")
    assert f"{month} $1,125.00 $0.00" in tally

    received = await web.post(
        f"/partners/{partner}/money/payments", {"amount": "0", "received_on": TODAY}
    )
    assert received.status_code == 422
    received = await web.post(
        f"/partners/{partner}/money/payments",
        {"amount": "250", "received_on": TODAY, "method": "wire"},
    )
    assert received.history[0].status_code == 303
    assert "$250.00 Received in" in visible_text(received.text)
    [payment] = (await client.get("/api/v1/payments-received", headers=firm.headers())).json()
    bounced = await web.post(f"/payments/{payment['id']}/reverse", {"reason": "cheque bounced"})
    assert bounced.history[0].status_code == 303
    assert "$0.00 Received in" in visible_text(bounced.text)
    assert f"reversal of payment {payment['id']}: cheque bounced" in visible_text(bounced.text)

    reversed_ = await web.post(f"/payouts/{payout['id']}/reverse", {"reason": ""})
    assert reversed_.status_code == 422
    reversed_ = await web.post(
        f"/payouts/{payout['id']}/reverse", {"reason": "sent to the wrong account"}
    )
    assert reversed_.history[0].status_code == 303
    assert "reversed by #" in visible_text(reversed_.text)
    assert "$0.00 Paid in" in visible_text((await web.get(f"/partners/{partner}/money")).text)


async def test_closed_tax_year_is_set_on_the_settings_page_and_asks_for_a_reason(web, client, firm):
    partner = await add_partner(client, firm, "Cal Closed")
    last = int(TODAY[:4]) - 1
    await web.sign_in(firm.emails["admin"])
    saved = await web.post("/settings", {"money.closed_tax_years": f"{last - 1}, {last}"})
    assert saved.history[0].status_code == 303
    settings = (await client.get("/api/v1/settings", headers=firm.headers())).json()
    assert settings["money"]["closed_tax_years"] == [last - 1, last]
    again = await web.post("/settings", {"money.closed_tax_years": f"[{last - 1}, {last}]"})
    assert again.history[0].status_code == 303  # the page shows the list as it was stored

    late = {"amount": "75", "received_on": f"{last}-12-31"}
    refused = await web.post(f"/partners/{partner}/money/payments", late)
    assert refused.status_code == 422 and f"{last} is a closed tax year" in visible_text(
        refused.text
    )
    accepted = await web.post(
        f"/partners/{partner}/money/payments", late | {"closed_year_reason": "deposit cleared late"}
    )
    assert accepted.history[0].status_code == 303


async def test_another_firms_money_pages_are_not_found(web, client, firm):
    other = await make_firm()
    partner = await add_partner(client, other, "Their Partner")
    referral = await post_engaged(client, other.headers(), partner)
    await post_arrangement(client, other.headers(), partner, "commission", percent="5")
    payout = (await post_fee(client, other.headers(), referral, "100"))["payouts"][0]["id"]
    await web.sign_in(firm.emails["admin"])
    for url in (f"/partners/{partner}/money", f"/referrals/{referral}/fees"):
        assert (await web.get(url)).status_code == 404, url
    for url, body in (
        (f"/payouts/{payout}/approve", {}),
        (f"/payouts/{payout}/void", {"reason": "x"}),
        (f"/partners/{partner}/money/payments", {"amount": "5", "received_on": TODAY}),
        (f"/referrals/{referral}/fees", {"amount": "5", "collected_on": TODAY}),
    ):
        assert (await web.post(url, body)).status_code == 404, url
    assert "Their Partner" not in visible_text((await web.get("/payouts")).text)


async def test_a_fee_the_partner_owes_is_cancelled_from_the_money_page(web, client, firm):
    partner = await add_partner(client, firm, "Ola Owes")
    await post_arrangement(
        client, firm.headers(), partner, "commission", direction="receive", percent="10"
    )
    sent = await post_engaged(
        client, firm.headers(), partner, direction="sent", client_name="Sam Sent"
    )
    await web.sign_in(firm.emails["member"])
    recorded = await web.post(f"/referrals/{sent}/fees", {"amount": "900", "collected_on": TODAY})
    assert "10% of $900.00 collected = $90.00" in visible_text(recorded.text)
    page = visible_text((await web.get(f"/partners/{partner}/money")).text)
    assert "$90.00 Owed to you" in page and "Cancel fee" not in page  # members cannot cancel
    [owed] = (
        await client.get(f"/api/v1/partners/{partner}/receivables", headers=firm.headers())
    ).json()

    await web.sign_in(firm.emails["compliance"])
    cancelled = await web.post(
        f"/receivables/{owed['id']}/reverse", {"reason": "fee waived for the client"}
    )
    assert cancelled.history[0].status_code == 303
    page = visible_text(cancelled.text)
    assert "$0.00 Owed to you" in page and "reversal of receivable" in page


async def test_the_money_page_lists_the_partners_agreements(web, client, firm):
    from tests.agreements.helpers import upload

    partner_id = await add_partner(client, firm, "Lee Counsel", profession="attorney")
    other_id = await add_partner(client, firm, "Someone Else", profession="attorney")
    fields = {"kind": "fee_sharing", "signed_on": "2026-03-01", "expires_on": "2027-03-01"}
    mine = await upload(client, firm.headers(), {"partner_id": partner_id, **fields})
    theirs = await upload(client, firm.headers(), {"partner_id": other_id, **fields})
    assert mine.status_code == theirs.status_code == 201, mine.text
    await web.sign_in(firm.emails["viewer"])
    page = await web.get(f"/partners/{partner_id}/money")
    assert page.status_code == 200
    assert f'href="/agreements/{mine.json()["id"]}"' in page.text
    assert f'href="/agreements/{theirs.json()["id"]}"' not in page.text
    text = visible_text(page.text)
    assert "Fee-sharing agreement" in text
    assert "All agreements" in text  # a viewer reads; a member would be offered the upload
