"""A user of one firm can neither see nor change another firm's data, on any route."""

import re

import pytest
from rapport_core.tables import (
    Activity,
    Licence,
    MessageDraft,
    Partner,
    Referral,
    RoutingRule,
)

ID_PARAM = re.compile(r"\{(\w+):int\}")

# Bodies that would be valid if the ids were the caller's own, so only tenancy can refuse.
BODIES = {
    ("POST", "/api/v1/compliance/findings/{finding_id:int}/waive"): {"reason": "not mine"},
    ("PATCH", "/api/v1/partners/{partner_id:int}"): {"notes": "hijacked"},
    ("POST", "/api/v1/partners/{partner_id:int}/licences"): {"kind": "CPA", "jurisdiction": "TX"},
    ("PATCH", "/api/v1/licences/{licence_id:int}"): {"number": "X"},
    ("PATCH", "/api/v1/referrals/{referral_id:int}"): {"client_name": "Mallory"},
    ("POST", "/api/v1/referrals/{referral_id:int}/stage"): {"stage": "acknowledged"},
    ("POST", "/api/v1/referrals/{referral_id:int}/duplicate"): {
        "action": "not_duplicate",
        "reason": "different person",
    },
    ("PATCH", "/api/v1/routing-rules/{rule_id:int}"): {"position": 3},
    ("PATCH", "/api/v1/drafts/{draft_id:int}"): {"subject": "hijacked"},
    ("POST", "/api/v1/fee-arrangements/{arrangement_id:int}/versions"): {
        "kind": "commission",
        "parameters": {"percent": "50"},
        "effective_from": "2030-01-01",
    },
    ("POST", "/api/v1/partners/{partner_id:int}/recruiter"): {"recruited_by_id": None},
    ("POST", "/api/v1/referrals/{referral_id:int}/fees"): {
        "amount": "10",
        "collected_on": "2026-11-01",
    },
    ("POST", "/api/v1/payouts/{payout_id:int}/pay"): {"paid_on": "2026-11-01", "method": "check"},
    ("POST", "/api/v1/payouts/{payout_id:int}/void"): {"reason": "hijacked"},
    ("POST", "/api/v1/payouts/{payout_id:int}/reverse"): {"reason": "hijacked"},
    ("POST", "/api/v1/payments-received/{payment_id:int}/reverse"): {"reason": "hijacked"},
    ("POST", "/api/v1/agreements/{agreement_id:int}/status"): {"status": "revoked", "reason": "x"},
    ("POST", "/api/v1/receivables/{receivable_id:int}/reverse"): {"reason": "hijacked"},
}


def id_routes(app):
    """Every (method, path template) under /api that takes an id."""
    for route in app.routes:
        if not route.path.startswith("/api/") or not ID_PARAM.search(route.path):
            continue
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            yield method, route.path


async def test_every_id_route_answers_404_to_another_firm(client, seeded, other_firm):
    routes = list(id_routes(client.app))
    assert len(routes) >= 12, routes
    for method, template in routes:
        names = ID_PARAM.findall(template)
        unknown = set(names) - set(seeded)
        assert not unknown, f"{template}: add a seeded id for {unknown} to tests/tenancy.py"
        path = ID_PARAM.sub(lambda m: str(seeded[m.group(1)]), template)
        body = BODIES.get((method, template))
        response = await client.request(method, path, json=body, headers=other_firm.headers())
        assert response.status_code == 404, (
            f"{method} {path}: {response.status_code} {response.text}"
        )


async def test_nothing_of_another_firm_changed_or_listed(client, firm, seeded, other_firm):
    headers = other_firm.headers()
    for path in ("/api/v1/partners", "/api/v1/referrals"):
        assert (await client.get(path, headers=headers)).json()["items"] == []
    for path in ("/api/v1/activities", "/api/v1/routing-rules", "/api/v1/drafts"):
        assert (await client.get(path, headers=headers)).json() == []
    filtered = await client.get(
        f"/api/v1/referrals?partner_id={seeded['partner_id']}", headers=headers
    )
    assert filtered.json()["total"] == 0
    # The rows are all still there, unchanged, for their own firm.
    partner = await Partner.select().where(Partner.id == seeded["partner_id"]).first()
    assert partner["notes"] == "" and partner["firm"] == firm.id
    referral = await Referral.select().where(Referral.id == seeded["referral_id"]).first()
    assert (referral["client_name"], referral["stage"]) == ("Ann Client", "submitted")
    assert await Licence.exists().where(Licence.id == seeded["licence_id"])
    assert await Activity.exists().where(Activity.id == seeded["activity_id"])
    draft = await MessageDraft.select().where(MessageDraft.id == seeded["draft_id"]).first()
    assert (draft["status"], draft["edited_by"]) == ("pending", None)
    assert await RoutingRule.exists().where(RoutingRule.id == seeded["rule_id"])


@pytest.mark.parametrize(
    "body_key, path",
    [
        ("partner_id", "/api/v1/referrals"),
        ("partner_id", "/api/v1/activities"),
    ],
)
async def test_cannot_link_to_another_firms_partner(client, seeded, other_firm, body_key, path):
    body = {
        "/api/v1/referrals": {"direction": "sent", "client_name": "Eve"},
        "/api/v1/activities": {"kind": "note", "occurred_on": "2026-11-02"},
    }[path] | {body_key: seeded["partner_id"]}
    response = await client.post(path, json=body, headers=other_firm.headers())
    assert response.status_code == 404
    assert response.json()["field"] == body_key


async def test_cannot_assign_another_firms_user_as_owner(client, firm, other_firm):
    response = await client.post(
        "/api/v1/partners",
        json={"name": "X", "profession": "other", "owner_id": firm.user_ids["member"]},
        headers=other_firm.headers(),
    )
    assert response.status_code == 404
    assert response.json()["field"] == "owner_id"
