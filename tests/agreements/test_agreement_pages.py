"""Agreements in the web UI: upload on the partner's page, versions, status, download, and
the client consent on the referral page."""

import datetime as dt

from rapport_core.agreements.tables import Agreement
from rapport_core.schemas import PartnerCreate, ReferralCreate
from rapport_core.services import partners, referrals

from tests.agreements.helpers import make_pdf
from tests.ui.test_pages import visible_text

TODAY = dt.datetime.now(dt.UTC).date()


async def multipart(web, path: str, fields: dict, pdf: bytes | None, name="signed.pdf"):
    """A form post with a file, carrying the page's CSRF token as a browser would."""
    token = web.client.cookies["csrftoken"]
    files = {"file": (name, pdf, "application/pdf")} if pdf is not None else {"file": ("", b"")}
    return await web.client.post(path, data={**fields, "_csrf_token": token}, files=files)


async def test_member_uploads_an_agreement_and_a_new_version(web, firm):
    actor = firm.actor()
    partner = await partners.create_partner(
        actor, PartnerCreate(name="Dana Ortiz", profession="attorney")
    )
    await web.sign_in(firm.emails["member"])
    page = await web.get(f"/partners/{partner.id}/agreements")
    assert page.status_code == 200
    assert "No agreements on file" in visible_text(page.text)

    # A file that is not a PDF: the form comes back with the reason next to the file input.
    refused = await multipart(
        web,
        f"/partners/{partner.id}/agreements",
        {"kind": "fee_sharing"},
        b"PK\x03\x04zip",
        "a.docx",
    )
    assert refused.status_code == 422
    assert "a.docx is not a PDF" in visible_text(refused.text)
    assert 'id="f-file-error"' in refused.text
    assert await Agreement.count().where(Agreement.firm == firm.id) == 0

    expires = TODAY + dt.timedelta(days=45)
    created = await multipart(
        web,
        f"/partners/{partner.id}/agreements",
        {
            "kind": "fee_sharing",
            "title": "Referral fee agreement",
            "signed_on": TODAY.isoformat(),
            "signers": "Ana Lee, Dana Ortiz",
            "expires_on": expires.isoformat(),
            "referral_id": "",
            "discloses_share": "",
        },
        make_pdf("page-v1"),
    )
    assert created.history[0].status_code == 303, created.text
    text = visible_text(created.text)
    assert "Referral fee agreement" in text and "Active" in text and "in 45 days" in text
    assert "Ana Lee, Dana Ortiz" in text
    agreement_id = int(created.url.path.rsplit("/", 1)[1])

    second = make_pdf("page-v2")
    added = await multipart(
        web,
        f"/agreements/{agreement_id}/versions",
        {
            "signed_on": TODAY.isoformat(),
            "expires_on": (TODAY + dt.timedelta(days=365)).isoformat(),
        },
        second,
    )
    assert added.history[0].status_code == 303, added.text
    text = visible_text(added.text)
    assert "Version 2 Current" in text and "Version 1 Superseded" in text
    download = await web.get(f"/agreements/{agreement_id}/versions/2/file")
    assert download.content == second
    assert download.headers["content-disposition"].startswith("attachment")

    # Revoking needs a reason.
    no_reason = await web.post(f"/agreements/{agreement_id}/status", {"status": "revoked"})
    assert no_reason.status_code == 422 and "say why" in visible_text(no_reason.text).lower()
    revoked = await web.post(
        f"/agreements/{agreement_id}/status", {"status": "revoked", "reason": "partner retired"}
    )
    assert revoked.history[0].status_code == 303
    assert "Revoked: partner retired" in visible_text(revoked.text)


async def test_viewer_sees_agreements_but_no_upload_form(web, firm):
    partner = await partners.create_partner(
        firm.actor(), PartnerCreate(name="Vic", profession="cpa")
    )
    await web.sign_in(firm.emails["viewer"])
    page = await web.get(f"/partners/{partner.id}/agreements")
    assert page.status_code == 200 and "Upload an agreement" not in page.text


async def test_client_consent_shows_on_the_referral_page(web, firm):
    actor = firm.actor()
    partner = await partners.create_partner(
        actor, PartnerCreate(name="Sam Law", profession="attorney")
    )
    referral = await referrals.create_referral(
        actor, ReferralCreate(direction="sent", partner_id=partner.id, client_name="Cora Client")
    )
    await web.sign_in(firm.emails["member"])
    form = await web.get(
        f"/partners/{partner.id}/agreements?kind=client_consent&referral_id={referral.id}"
    )
    assert f'<option value="{referral.id}" selected>' in form.text
    created = await multipart(
        web,
        f"/partners/{partner.id}/agreements",
        {
            "kind": "client_consent",
            "referral_id": str(referral.id),
            "signed_on": TODAY.isoformat(),
            "discloses_share": "true",
            "discloses_division": "true",
        },
        make_pdf("consent"),
    )
    assert created.history[0].status_code == 303, created.text
    page = visible_text((await web.get(f"/referrals/{referral.id}")).text)
    assert "Client consent and agreements" in page and "Client written consent" in page
