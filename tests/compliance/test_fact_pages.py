"""Recording the compliance facts in the web UI: the firm's registration on the settings page,
a partner's where the firm is an adviser or broker-dealer, and a referral's attest-client and
RESPA questions only where the professions involved make them matter."""

from rapport_core.services.firm_settings import firm_settings
from rapport_core.services.partners import get_partner
from rapport_core.services.referrals import get_referral
from rapport_core.tables import Firm

from tests.compliance.helpers import findings
from tests.compliance.test_recorded_facts import _firm_with_packs, _open, _paying_partner
from tests.pipeline.helpers import log
from tests.ui.test_pages import partner_fields, visible_text

ATTEST = 'name="client_is_attest_client"'
RESPA = ('name="settlement_service"', 'name="federally_related_loan"')


async def test_the_firm_records_its_registration_in_settings(web, firm):  # noqa: F811
    await web.sign_in(firm.emails["admin"])
    page = (await web.get("/settings")).text
    assert 'name="compliance.registration"' in page and "read by the FINRA" in page
    assert '<option value="finra_bd">' in page and 'value="finra_rr"' not in page

    saved = await web.post("/settings", {"compliance.registration": "sec_ria"})
    assert saved.history and saved.history[0].status_code == 303
    assert (await firm_settings(firm.id)).compliance.registration == "sec_ria"
    page = (await web.get("/settings")).text
    assert '<option value="sec_ria" selected>' in page
    await web.post("/settings", {"compliance.registration": ""})  # blank: not registered
    assert (await firm_settings(firm.id)).compliance.registration is None


async def test_a_partners_registration_is_asked_where_rules_read_it(web, firm):  # noqa: F811
    await web.sign_in(firm.emails["member"])
    await Firm.update({Firm.professions: ["attorney"]}).where(Firm.id == firm.id)
    assert 'name="registration"' not in (await web.get("/partners/new")).text

    await Firm.update({Firm.professions: ["broker_dealer"]}).where(Firm.id == firm.id)
    assert "FINRA Rule 2040" in (await web.get("/partners/new")).text
    bad = await web.post("/partners/new", partner_fields(registration="broker"))
    assert bad.status_code == 422 and "Choose one of the options." in visible_text(bad.text)
    created = await web.post("/partners/new", partner_fields(registration="finra_rr"))
    assert created.history and created.history[0].status_code == 303, created.text
    partner_id = int(created.url.path.rsplit("/", 1)[1])
    assert (await get_partner(firm.actor(), partner_id)).registration == "finra_rr"
    detail = visible_text((await web.get(f"/partners/{partner_id}")).text)
    assert "Registration FINRA registered representative" in detail

    # An edit that leaves the registration as it was keeps it; a blank one clears it.
    await web.post(f"/partners/{partner_id}/edit", partner_fields(registration="finra_rr"))
    assert (await get_partner(firm.actor(), partner_id)).registration == "finra_rr"
    await web.post(f"/partners/{partner_id}/edit", partner_fields(registration=""))
    assert (await get_partner(firm.actor(), partner_id)).registration is None


async def test_referral_questions_follow_the_professions_involved(web, client, firm):  # noqa: F811
    await web.sign_in(firm.emails["member"])
    await Firm.update({Firm.professions: ["attorney"]}).where(Firm.id == firm.id)
    plain = (await web.get("/referrals/new")).text
    assert ATTEST not in plain and not any(q in plain for q in RESPA)

    await Firm.update({Firm.professions: ["cpa"]}).where(Firm.id == firm.id)
    cpa = (await web.get("/referrals/new")).text
    assert ATTEST in cpa and "AICPA 1.520" in cpa and not any(q in cpa for q in RESPA)

    # A real estate agent's referral to an attorney: the RESPA questions, on the form that
    # starts from the partner and on the referral's page.
    await Firm.update({Firm.professions: ["attorney"]}).where(Firm.id == firm.id)
    agent = await client.post(
        "/api/v1/partners",
        json={"name": "Riley Realtor", "profession": "real_estate_agent"},
        headers=firm.headers(),
    )
    form = (await web.get(f"/referrals/new?partner_id={agent.json()['id']}")).text
    assert all(q in form for q in RESPA) and ATTEST not in form
    logged = await web.post(
        "/referrals/new",
        {
            "direction": "received",
            "partner_id": str(agent.json()["id"]),
            "client_name": "Hal Buyer",
            "settlement_service": "true",
            "federally_related_loan": "",
        },
    )
    assert logged.history and logged.history[0].status_code == 303, logged.text
    referral_id = int(logged.url.path.rsplit("/", 1)[1])
    referral = await get_referral(firm.actor(), referral_id)
    assert (referral.settlement_service, referral.federally_related_loan) == (True, None)
    page = visible_text((await web.get(f"/referrals/{referral_id}")).text)
    assert "Compliance facts" in page and "Federally related loan" in page


async def test_recording_a_referral_fact_on_its_page_reevaluates(web, client, firm):  # noqa: F811
    await _firm_with_packs(client, firm, ["mortgage_lender"], ["respa-section-8"])
    partner_id = await _paying_partner(client, firm, "real_estate_agent")
    referral = await log(client, firm, partner_id=partner_id, settlement_service=True)
    assert set(_open(await findings(client, firm))) == {"respa.8.loan-type-unknown"}

    await web.sign_in(firm.emails["member"])
    fields = {"settlement_service": "true", "federally_related_loan": "maybe"}
    refused = await web.post(f"/referrals/{referral['id']}/facts", fields)
    assert refused.status_code == 422 and "Federally related loan" in visible_text(refused.text)
    fields["federally_related_loan"] = "true"
    saved = await web.post(f"/referrals/{referral['id']}/facts", fields)
    assert saved.history[0].headers["location"].endswith("#compliance-facts")
    assert set(_open(await findings(client, firm))) == {"respa.8a.referral-fee"}
    page = visible_text((await web.get(f"/referrals/{referral['id']}")).text)
    assert "Nothing of value is paid for referring settlement-service business" in page

    await web.sign_in(firm.emails["viewer"])
    shown = visible_text((await web.get(f"/referrals/{referral['id']}")).text)
    assert "Settlement service Yes" in shown and "Federally related loan Yes" in shown


async def test_a_reciprocal_agreement_is_recorded_from_the_partners_page(web, firm):  # noqa: F811
    from rapport_core.schemas import PartnerCreate
    from rapport_core.services import partners

    from tests.agreements.helpers import make_pdf
    from tests.agreements.test_agreement_pages import multipart

    cpa = await partners.create_partner(firm.actor(), PartnerCreate(name="Casey", profession="cpa"))
    partner_id = cpa.id
    await web.sign_in(firm.emails["member"])
    form = (await web.get(f"/partners/{partner_id}/agreements")).text
    assert "Reciprocal referral agreement" in form and 'name="client_informed"' in form
    created = await multipart(
        web,
        f"/partners/{partner_id}/agreements",
        {"kind": "reciprocal", "signed_on": "2026-01-05", "exclusive": "false"},
        make_pdf("reciprocal"),
    )
    assert created.history[0].status_code == 303, created.text
    text = visible_text(created.text)
    assert "Exclusive No" in text and "Clients are told of it Not stated" in text
