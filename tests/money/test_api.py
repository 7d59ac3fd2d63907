"""The money API over HTTP: the whole workflow, bad input named by field, and tenancy."""

from rapport_core.money.tables import FeeCollected, PaymentReceived, Payout

from tests.conftest import make_firm
from tests.money.helpers import TODAY_ISO as TODAY
from tests.money.helpers import post_arrangement, post_engaged, post_fee
from tests.pipeline.helpers import add_partner


async def _setup(client, firm):
    """A 25% referral fee with a partner, and a referral of theirs engaged."""
    partner = await add_partner(client, firm, "Lee Lawyer", profession="attorney")
    await post_arrangement(client, firm.headers("member"), partner)
    return partner, await post_engaged(client, firm.headers("member"), partner)


async def test_collect_approve_pay_over_http(client):
    firm = await make_firm()
    partner, referral = await _setup(client, firm)
    accrued = await client.post(
        f"/api/v1/referrals/{referral}/fees",
        json={"amount": "4000.00", "collected_on": TODAY},
        headers=firm.headers("member"),
    )
    assert accrued.status_code == 201, accrued.text
    payout = accrued.json()["payouts"][0]
    assert (payout["amount"], payout["status"]) == ("1000.00", "pending")

    own = await client.post(
        f"/api/v1/payouts/{payout['id']}/approve", headers=firm.headers("member")
    )
    assert own.status_code == 403
    gate = await client.get(f"/api/v1/payouts/{payout['id']}/gate", headers=firm.headers("admin"))
    assert gate.status_code == 200 and gate.json() == []
    approved = await client.post(
        f"/api/v1/payouts/{payout['id']}/approve", headers=firm.headers("admin")
    )
    assert approved.json()["status"] == "approved", approved.text
    paid = await client.post(
        f"/api/v1/payouts/{payout['id']}/pay",
        json={"paid_on": TODAY, "method": "check", "reference": "1042"},
        headers=firm.headers("compliance"),
    )
    assert paid.json()["status"] == "paid", paid.text
    tally = (
        await client.get(f"/api/v1/partners/{partner}/money", headers=firm.headers("viewer"))
    ).json()
    assert (tally["paid_this_year"], tally["you_owe"]) == ("1000.00", "0.00")
    listed = await client.get("/api/v1/payouts", params={"status": "paid"}, headers=firm.headers())
    assert [p["id"] for p in listed.json()] == [payout["id"]]


async def test_bad_money_input_names_the_field_and_writes_nothing(client):
    firm = await make_firm()
    partner, referral = await _setup(client, firm)
    cases = [
        (
            f"/api/v1/referrals/{referral}/fees",
            {"amount": "10.005", "collected_on": TODAY},
            "amount",
        ),
        (f"/api/v1/referrals/{referral}/fees", {"amount": "0", "collected_on": TODAY}, "amount"),
        (
            "/api/v1/payments-received",
            {"partner_id": partner, "amount": "-5", "received_on": TODAY},
            "amount",
        ),
        (
            "/api/v1/payments-received",
            {"partner_id": partner, "amount": "0.00", "received_on": TODAY},
            "amount",
        ),
    ]
    for url, body, field in cases:
        response = await client.post(url, json=body, headers=firm.headers())
        assert response.status_code in (400, 422), (body, response.text)
        assert response.json()["field"] == field, response.text
    assert await FeeCollected.count().where(FeeCollected.firm == firm.id) == 0
    assert await PaymentReceived.count().where(PaymentReceived.firm == firm.id) == 0

    terms = await client.post(
        "/api/v1/fee-arrangements/quote",
        json={"kind": "commission", "parameters": {"percent": "abc"}, "fee_collected": "10"},
        headers=firm.headers(),
    )
    assert terms.status_code == 422 and "parameters.percent" in terms.json()["detail"]


async def test_another_firms_money_answers_404(client):
    firm, other = await make_firm(), await make_firm()
    partner, referral = await _setup(client, firm)
    payout = (await post_fee(client, firm.headers(), referral, "100"))["payouts"][0]["id"]
    arrangement = (await client.get("/api/v1/fee-arrangements", headers=firm.headers())).json()[0][
        "id"
    ]
    theirs = other.headers("admin")
    for method, url, body in [
        ("get", f"/api/v1/payouts/{payout}", None),
        ("get", f"/api/v1/payouts/{payout}/gate", None),
        ("post", f"/api/v1/payouts/{payout}/approve", {}),
        ("post", f"/api/v1/payouts/{payout}/void", {"reason": "x"}),
        ("get", f"/api/v1/fee-arrangements/{arrangement}", None),
        ("get", f"/api/v1/partners/{partner}/money", None),
        ("get", f"/api/v1/referrals/{referral}/fees", None),
        ("post", f"/api/v1/referrals/{referral}/fees", {"amount": "1", "collected_on": TODAY}),
    ]:
        response = await getattr(client, method)(
            url, headers=theirs, **({"json": body} if body is not None else {})
        )
        assert response.status_code == 404, (url, response.text)
    recorded = await client.post(
        "/api/v1/payments-received",
        json={"partner_id": partner, "amount": "5", "received_on": TODAY},
        headers=theirs,
    )
    assert recorded.status_code in (404, 422) and recorded.json()["field"] == "partner_id"
    assert (await client.get("/api/v1/payouts", headers=theirs)).json() == []
    assert (await Payout.select(Payout.status).where(Payout.id == payout).first())[
        "status"
    ] == "pending"
