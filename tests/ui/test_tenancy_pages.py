"""Signed in to one firm, a person sees a "nothing here" page for every page of another
firm's records, and no form of theirs can change one."""

import re

from rapport_core.tables import Partner, Referral
from rapport_server.ui.money import PAYOUT_DECISIONS
from rapport_server.ui.pipeline import DRAFT_ACTIONS

from tests.ui.test_pages import visible_text

ID_PARAM = re.compile(r"\{(\w+):int\}")
# Path segments that say what a form does: every one is tried.
CHOICE_PARAM = re.compile(r"\{(\w+):str\}")
CHOICES = {"decision": PAYOUT_DECISIONS, "action": DRAFT_ACTIONS}

# Form fields that would be accepted for one's own records, so only tenancy can refuse.
FORMS = {
    "/compliance/findings/{finding_id:int}/waive": {"reason": "not mine"},
    "/partners/{partner_id:int}/edit": {"name": "Hijacked", "profession": "cpa"},
    "/partners/{partner_id:int}/activities": {"kind": "note", "occurred_on": "2026-11-01"},
    "/referrals/{referral_id:int}/stage": {"stage": "acknowledged"},
    "/referrals/{referral_id:int}/fees": {"amount": "10", "collected_on": "2026-11-01"},
    "/partners/{partner_id:int}/money/payments": {"amount": "10", "received_on": "2026-11-01"},
    "/partners/{partner_id:int}/money/arrangements": {
        "kind": "commission",
        "percent": "5",
        "effective_from": "2026-11-01",
    },
    "/payouts/{payout_id:int}/void": {"reason": "hijacked"},
    "/payouts/{payout_id:int}/reverse": {"reason": "hijacked"},
    "/payouts/{payout_id:int}/pay": {"paid_on": "2026-11-01", "method": "check"},
    "/payments/{payment_id:int}/reverse": {"reason": "hijacked"},
    "/receivables/{receivable_id:int}/reverse": {"reason": "hijacked"},
}


def page_routes(app):
    """Every (method, path template) of the web UI that takes an id."""
    for route in app.routes:
        if route.path.startswith(("/api/", "/static")) or not ID_PARAM.search(route.path):
            continue
        choice = CHOICE_PARAM.search(route.path)
        paths = (
            [route.path.replace(choice.group(0), c) for c in CHOICES[choice.group(1)]]
            if choice
            else [route.path]
        )
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            for path in paths:
                yield method, path


async def test_every_page_of_another_firms_record_is_not_found(web, client, seeded, other_firm):
    await web.sign_in(other_firm.emails["owner"])
    routes = list(page_routes(client.app))
    assert len(routes) >= 6, routes
    for method, template in routes:
        unknown = set(ID_PARAM.findall(template)) - set(seeded)
        assert not unknown, f"{template}: add a seeded id for {unknown} to tests/tenancy.py"
        path = ID_PARAM.sub(lambda m: str(seeded[m.group(1)]), template)
        for fields in ({}, FORMS.get(template, {})) if method == "POST" else (None,):
            response = await web.post(path, fields) if method == "POST" else await web.get(path)
            assert response.status_code == 404, f"{method} {path} {fields}: {response.status_code}"
            text = visible_text(response.text)
            assert "There is nothing here" in text and "Grace Hopper" not in text, path

    partner = await Partner.select().where(Partner.id == seeded["partner_id"]).first()
    referral = await Referral.select().where(Referral.id == seeded["referral_id"]).first()
    assert partner["name"] == "Grace Hopper" and referral["stage"] == "submitted"
