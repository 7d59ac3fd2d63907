"""The facts rules need that people record (the firm's and a partner's registration, a
referral's attest-client and RESPA facts, a reciprocal agreement), end to end through the API
with the built-in packs, and the payout gate answered from the stored findings in any process."""

from __future__ import annotations

import datetime as dt

from rapport_core.tables import AuditEvent, Firm

from tests.agreements.helpers import make_pdf, upload
from tests.cli.test_cli import rapport
from tests.compliance.helpers import findings
from tests.pipeline.helpers import log, move

TODAY = dt.datetime.now(dt.UTC).date().isoformat()


async def _firm_with_packs(client, firm, professions: list[str], packs: list[str]) -> None:
    await Firm.update({Firm.professions: professions}).where(Firm.id == firm.id)
    enabled = await client.put(
        "/api/v1/compliance/packs/enabled",
        json={"packs": packs},
        headers=firm.headers("compliance"),
    )
    assert enabled.status_code == 200, enabled.text


async def _paying_partner(client, firm, profession: str, **fields) -> int:
    """A partner the firm pays a referral fee (25% of what it collects)."""
    partner = await client.post(
        "/api/v1/partners",
        json={"name": "Robin Referrer", "profession": profession, **fields},
        headers=firm.headers(),
    )
    assert partner.status_code == 201, partner.text
    arrangement = await client.post(
        "/api/v1/fee-arrangements",
        json={
            "partner_id": partner.json()["id"],
            "kind": "referral_fee",
            "parameters": {"method": "percentage", "percent": "25"},
            "effective_from": "2020-01-01",
            "direction": "pay",
        },
        headers=firm.headers(),
    )
    assert arrangement.status_code == 201, arrangement.text
    return partner.json()["id"]


async def _engaged_with_payout(client, firm, referral_id: int) -> int:
    """Engage the referral and collect its fee: the partner's payout, pending."""
    for stage in ("acknowledged", "contacted", "qualified", "engaged"):
        moved = await move(client, firm, referral_id, "member", stage=stage)
        assert moved.status_code == 200, moved.text
    accrued = await client.post(
        f"/api/v1/referrals/{referral_id}/fees",
        json={"amount": "2000.00", "collected_on": TODAY},
        headers=firm.headers("member"),
    )
    assert accrued.status_code == 201, accrued.text
    return accrued.json()["payouts"][0]["id"]


def _open(rows: list[dict], **where) -> dict[str, dict]:
    return {
        f["rule_id"]: f
        for f in rows
        if f["status"] == "open" and all(f[k] == v for k, v in where.items())
    }


async def test_finra_2040_reads_the_firms_and_the_partners_registration(client, firm):
    await _firm_with_packs(client, firm, ["financial_advisor"], ["finra-2040"])
    partner_id = await _paying_partner(client, firm, "attorney")
    referral = await log(client, firm, partner_id=partner_id)
    assert referral["client_is_attest_client"] is None and referral["settlement_service"] is None
    await _engaged_with_payout(client, firm, referral["id"])
    # An adviser whose registration is not recorded: the broker-dealer rule cannot apply.
    assert _open(await findings(client, firm)) == {}

    bad = await client.patch(
        "/api/v1/settings",
        json={"compliance": {"registration": "finra_rr"}},
        headers=firm.headers("admin"),
    )
    assert bad.status_code in (400, 422) and "compliance.registration" in bad.text, bad.text
    registered = await client.patch(
        "/api/v1/settings",
        json={"compliance": {"registration": "finra_bd"}},
        headers=firm.headers("admin"),
    )
    assert registered.status_code == 200, registered.text
    assert registered.json()["compliance"] == {"registration": "finra_bd"}

    # Recording the firm's registration re-evaluated the referral: a FINRA member pays a
    # partner with no registration on file.
    found = _open(await findings(client, firm), referral_id=referral["id"])
    assert set(found) == {"finra.2040a.flat-fee-unregistered"}
    warning = found["finra.2040a.flat-fee-unregistered"]
    assert warning["severity"] == "warning" and warning["citation"] == "FINRA Rule 2040(a)"
    assert warning["message"].startswith("The firm pays $500.00 to Robin Referrer (attorney)")

    wrong = await client.patch(
        f"/api/v1/partners/{partner_id}", json={"registration": "broker"}, headers=firm.headers()
    )
    assert wrong.status_code in (400, 422) and wrong.json()["field"] == "registration"
    recorded = await client.patch(
        f"/api/v1/partners/{partner_id}", json={"registration": "finra_bd"}, headers=firm.headers()
    )
    assert recorded.status_code == 200 and recorded.json()["registration"] == "finra_bd"
    assert await findings(client, firm) == []
    rows = await findings(client, firm, status="resolved", referral_id=referral["id"])
    assert [f["id"] for f in rows] == [warning["id"]]

    # Clearing the firm's registration is recorded too (null), and audited.
    cleared = await client.patch(
        "/api/v1/settings", json={"compliance": {"registration": None}}, headers=firm.headers()
    )
    assert cleared.json()["compliance"] == {"registration": None}
    assert (
        await AuditEvent.count().where(
            (AuditEvent.firm == firm.id) & (AuditEvent.action == "settings.update")
        )
        == 2
    )


async def test_respa_settlement_service_fee_blocks_the_payout_in_a_fresh_process(client, firm):
    await _firm_with_packs(client, firm, ["mortgage_lender"], ["respa-section-8"])
    partner_id = await _paying_partner(client, firm, "real_estate_agent")
    referral = await log(
        client, firm, partner_id=partner_id, matter_type="home purchase", settlement_service=True
    )
    assert referral["settlement_service"] is True and referral["federally_related_loan"] is None
    # The loan type is not recorded: the pack asks for it rather than guess.
    assert set(_open(await findings(client, firm))) == {"respa.8.loan-type-unknown"}

    updated = await client.patch(
        f"/api/v1/referrals/{referral['id']}",
        json={"federally_related_loan": True},
        headers=firm.headers(),
    )
    assert updated.status_code == 200 and updated.json()["federally_related_loan"] is True
    found = _open(await findings(client, firm), referral_id=referral["id"])
    assert set(found) == {"respa.8a.referral-fee"}
    assert found["respa.8a.referral-fee"]["severity"] == "violation"

    payout_id = await _engaged_with_payout(client, firm, referral["id"])
    gate = await client.get(f"/api/v1/payouts/{payout_id}/gate", headers=firm.headers("admin"))
    assert [f["rule_id"] for f in gate.json()] == ["respa.8a.referral-fee"]
    assert gate.json()[0]["finding_id"] == found["respa.8a.referral-fee"]["id"]

    # A process that has never evaluated anything (the CLI) reads the stored violation.
    approve = ("payouts", "approve", str(payout_id), "--by", firm.emails["admin"])
    refused = rapport(*approve, "--firm", firm.slug)
    assert refused.returncode == 1, refused.stdout
    assert "approval is blocked by 1 compliance violation" in refused.stderr
    assert "12 U.S.C. § 2607(a)" in refused.stderr
    payout = await client.get(f"/api/v1/payouts/{payout_id}", headers=firm.headers())
    assert payout.json()["status"] == "pending"

    overridden = rapport(
        *approve, "--override-reason", "Paid for a market-value appraisal", "--firm", firm.slug
    )
    assert overridden.returncode == 0, overridden.stderr
    assert (await client.get(f"/api/v1/payouts/{payout_id}", headers=firm.headers())).json()[
        "status"
    ] == "approved"
    override = (
        await AuditEvent.select(AuditEvent.after)
        .where((AuditEvent.firm == firm.id) & (AuditEvent.action == "payout.gate_override"))
        .output(load_json=True)
    )
    assert [o["after"]["reason"] for o in override] == ["Paid for a market-value appraisal"]

    # Not a settlement service after all: the violation resolves itself.
    await client.patch(
        f"/api/v1/referrals/{referral['id']}",
        json={"settlement_service": False},
        headers=firm.headers(),
    )
    assert _open(await findings(client, firm)) == {}


async def test_aicpa_commission_from_an_attest_client(client, firm):
    await _firm_with_packs(client, firm, ["cpa"], ["aicpa-code"])
    partner = await client.post(
        "/api/v1/partners",
        json={"name": "Ivy Insurer", "profession": "insurance_agent"},
        headers=firm.headers(),
    )
    partner_id = partner.json()["id"]
    commission = await client.post(
        "/api/v1/fee-arrangements",
        json={
            "partner_id": partner_id,
            "kind": "commission",
            "parameters": {"percent": "20"},
            "effective_from": "2020-01-01",
            "direction": "receive",
        },
        headers=firm.headers(),
    )
    assert commission.status_code == 201, commission.text
    referral = await log(
        client, firm, direction="sent", partner_id=partner_id, client_is_attest_client=False
    )
    assert "aicpa.1-520.commission-attest-client" not in _open(await findings(client, firm))
    await client.patch(
        f"/api/v1/referrals/{referral['id']}",
        json={"client_is_attest_client": True},
        headers=firm.headers(),
    )
    found = _open(await findings(client, firm), referral_id=referral["id"])
    assert found["aicpa.1-520.commission-attest-client"]["severity"] == "violation"


async def test_a_reciprocal_agreement_is_read_from_the_stored_agreement(client, firm):
    await _firm_with_packs(client, firm, ["attorney"], ["aba-model-rules"])
    partner = await client.post(
        "/api/v1/partners",
        json={"name": "Casey Cpa", "profession": "cpa"},
        headers=firm.headers(),
    )
    partner_id = partner.json()["id"]
    referral = await log(client, firm, direction="sent", partner_id=partner_id)
    rule = "aba.7-2b4.reciprocal-referral"
    assert rule not in _open(await findings(client, firm))

    stored = await upload(
        client,
        firm.headers(),
        {
            "partner_id": partner_id,
            "kind": "reciprocal",
            "signed_on": "2026-01-05",
            "exclusive": "false",
            "client_informed": "false",
        },
    )
    assert stored.status_code == 201, stored.text
    facts = await client.get(
        "/api/v1/agreements/facts", params={"referral_id": referral["id"]}, headers=firm.headers()
    )
    assert facts.json()["reciprocal"] == {"exclusive": False, "client_informed": False}
    assert _open(await findings(client, firm), referral_id=referral["id"])[rule]["facts"] == {
        "agreement.reciprocal": {"exclusive": False, "client_informed": False},
        "agreement.reciprocal.exclusive": False,
        "agreement.reciprocal.client_informed": False,
    }

    # The client is told in the engagement letter: a new version says so.
    amended = await client.post(
        f"/api/v1/agreements/{stored.json()['id']}/versions",
        data={"signed_on": "2026-02-01", "exclusive": "false", "client_informed": "true"},
        files={"file": ("amended.pdf", make_pdf("amended"), "application/pdf")},
        headers=firm.headers(),
    )
    assert amended.status_code == 201, amended.text
    assert rule not in _open(await findings(client, firm))


async def test_every_fact_with_a_source_is_built_from_the_stored_records(firm):
    """A referral with everything recorded: each fact facts.yaml gives a source for is in
    its document; only those it says are not recorded yet are absent."""
    from decimal import Decimal

    from rapport_core.agreements import service as agreements
    from rapport_core.agreements.schemas import AgreementCreate
    from rapport_core.compliance.documents import get
    from rapport_core.compliance.factbuilder import build_documents
    from rapport_core.compliance.vocabulary import vocabulary
    from rapport_core.money.accruals import record_fee_collected
    from rapport_core.money.payouts import approve_payout, pay_payout
    from rapport_core.money.schemas import FeeCollectedIn, PayoutApprove, PayoutPay
    from rapport_core.schemas import LicenceCreate, PartnerUpdate, ReferralUpdate
    from rapport_core.services import partners, referrals
    from rapport_core.services.firm_settings import update_firm_settings

    from tests.money.helpers import TODAY, arrange, engaged, partner

    owner = firm.actor()
    await Firm.update({Firm.professions: ["attorney"]}).where(Firm.id == firm.id)
    await update_firm_settings(owner, {"compliance": {"registration": "sec_ria"}})
    lee = await partner(owner, "Lee Lawyer", state="FL")
    await partners.update_partner(owner, lee, PartnerUpdate(registration="state_ria"))
    await partners.add_licence(
        owner, lee, LicenceCreate(kind="bar admission", jurisdiction="FL", expires_on=TODAY)
    )
    await arrange(owner, lee, "division", basis="proportional", share_percent="30")
    referral_id = await engaged(owner, lee)
    await referrals.update_referral(
        owner,
        referral_id,
        ReferralUpdate(
            matter_type="estate",
            client_is_attest_client=False,
            settlement_service=False,
            federally_related_loan=False,
        ),
    )
    collected = await record_fee_collected(
        firm.actor("member"),
        referral_id,
        FeeCollectedIn(amount=Decimal("1000"), collected_on=TODAY),
    )
    payout_id = collected.payouts[0].id
    await approve_payout(firm.actor("admin"), payout_id, PayoutApprove())
    await pay_payout(owner, payout_id, PayoutPay(paid_on=TODAY, method="check"))
    for kind, extra in (
        ("fee_sharing", {"expires_on": TODAY}),
        ("client_consent", {"referral_id": referral_id, "discloses_share": True,
                            "discloses_division": True}),
        ("solicitation", {"expires_on": TODAY, "disclosure_delivered": True}),
        ("reciprocal", {"exclusive": False, "client_informed": True}),
    ):  # fmt: skip
        data = AgreementCreate(partner_id=lee, kind=kind, signed_on=TODAY, **extra)
        await agreements.upload_agreement(owner, data, make_pdf(kind), f"{kind}.pdf")

    documents, _ = await build_documents(firm.id, dt.date.today(), referral_ids=[referral_id])
    document = documents[referral_id]
    specs = vocabulary()
    absent = {
        path
        for path, spec in specs.items()
        if not spec.children and not spec.source.startswith("computed")
        and get(document, path) is None
    }  # fmt: skip
    not_recorded = {p for p, spec in specs.items() if spec.source == "not recorded yet: absent"}
    assert absent == not_recorded
    assert not_recorded == {
        f"fee.{name}"
        for name in ("total_fee_reasonable", "contingent_fee", "court_approved", "conditioned_on",
                     "cash", "disclosed_to_client", "recipient_discussed_policy_terms",
                     "transaction_based")
    }  # fmt: skip
    assert (document["firm"]["registration"], document["partner"]["registration"]) == (
        "sec_ria",
        "state_ria",
    )
    assert document["agreement"]["reciprocal"] == {"exclusive": False, "client_informed": True}
