"""The tax pages as people use them: the public W-9 form, the partner's W-9, the tax centre."""

import datetime as dt
import re

import pypdfium2 as pdfium
from rapport_core.tax.tables import W9

from tests.tax.helpers import paid, partner, payer, w9_on_file
from tests.ui.test_pages import visible_text

FORM = {
    "name": "Grace Hopper",
    "classification": "individual",
    "address": "1 Navy Way",
    "city": "Arlington",
    "state": "VA",
    "postal_code": "22201",
    "tin_type": "ssn",
    "tin": "123-45-6789",
    "certify": "yes",
    "signature_name": "Grace Hopper",
}


async def new_link(web, firm, pid) -> str:
    await web.sign_in(firm.emails["member"])
    page = await web.post(f"/partners/{pid}/w9/link", {})
    assert page.status_code == 201 or page.status_code == 200, page.text
    url = re.search(r'id="w9-link" value="([^"]+)"', page.text).group(1)
    web.client.cookies.clear()  # the partner has no account
    return url.split("://", 1)[1].split("/", 1)[1]


async def test_a_partner_completes_the_w9_through_the_link_once(web, client, firm):
    pid = await partner(firm)
    path = "/" + await new_link(web, firm, pid)
    form = await web.get(path)
    assert form.status_code == 200 and "Form W-9 for Firm A" in visible_text(form.text)

    bad = await web.post(path, {**FORM, "tin": "900-12-3456", "certify": ""})
    text = visible_text(bad.text)
    assert bad.status_code == 422
    assert "SSN is issued with area number 900" in text and "ick the certification" in text
    assert await W9.count().where(W9.partner == pid) == 0

    done = await web.post(path, FORM)
    assert done.status_code in (200, 201) and "Your Form W-9 has been received" in done.text
    again = await web.get(path)
    assert again.status_code == 410 and "already been used" in visible_text(again.text)
    resent = await web.post(path, {**FORM, "tin": "234-56-7890"})
    assert resent.status_code == 410 and await W9.count().where(W9.partner == pid) == 1

    await web.sign_in(firm.emails["member"])
    detail = visible_text((await web.get(f"/partners/{pid}")).text)
    assert "On file" in detail and "***-**-6789" in detail and "123-45-6789" not in detail
    money = (await web.get(f"/partners/{pid}/money")).text
    assert 'id="w9"' in money and "***-**-6789" in visible_text(money)


async def test_the_full_tin_is_shown_only_on_request_to_tax_roles(web, client, firm):
    pid = await partner(firm)
    await w9_on_file(firm, pid)
    await web.sign_in(firm.emails["member"])
    page = await web.get(f"/partners/{pid}/w9")
    assert "Show full TIN" not in page.text and "***-**-6789" in page.text
    assert (await web.post(f"/partners/{pid}/w9/tin", {})).status_code == 403
    await web.sign_in(firm.emails["compliance"])
    shown = await web.post(f"/partners/{pid}/w9/tin", {})
    assert "123-45-6789" in shown.text


async def test_uploading_a_signed_w9(web, client, firm):
    pid = await partner(firm)
    await web.sign_in(firm.emails["member"])
    token = client.cookies["csrftoken"]
    fields = {**FORM, "_csrf_token": token, "tin": "000-12-3456"}
    pdf = {"pdf": ("w9.pdf", b"%PDF-1.4 signed", "application/pdf")}
    bad = await client.post(f"/partners/{pid}/w9/upload", data=fields, files=pdf)
    assert bad.status_code == 422 and "area number 000" in visible_text(bad.text)
    ok = await client.post(
        f"/partners/{pid}/w9/upload", data={**fields, "tin": "123-45-6789"}, files=pdf
    )
    assert ok.status_code == 200 and "signed PDF" in visible_text(ok.text)


async def test_tax_centre_generates_and_serves_the_year(web, client, firm):
    grace = await partner(firm, "Grace Hopper")
    await w9_on_file(firm, grace)
    await paid(firm, grace, 250000, dt.date(2026, 3, 1))
    ada = await partner(firm, "Ada Lovelace")
    await paid(firm, ada, 150000, dt.date(2026, 3, 1))
    await web.sign_in(firm.emails["owner"])
    centre = visible_text((await web.get("/tax?year=2026")).text)
    assert "Grace Hopper" in centre and "Reportable" in centre and "2,500.00" in centre
    assert "Approaching" in centre and "Missing" in centre and "24% backup withholding" in centre

    refused = await web.post("/tax/generate?year=2026", {})
    assert refused.status_code == 422 and "payer profile" in visible_text(refused.text)
    bad = await web.post("/tax/payer?year=2026", {"legal_name": "Harbor", "tin": "07-1234567"})
    assert bad.status_code == 422 and "prefix 07" in visible_text(bad.text)
    await payer(firm)
    made = await web.post("/tax/generate?year=2026", {})
    assert made.history[0].status_code == 303
    page = (await web.get("/tax?year=2026")).text
    link = re.search(r'href="(/tax/filings/\d+/pdf)"', page).group(1)
    pdf = await web.get(link)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert len(pdfium.PdfDocument(pdf.content)) == 5
    fire = await web.get("/tax/fire.txt?year=2026")
    assert fire.status_code == 200 and fire.text.startswith("T2026")
    summary = await web.get("/tax/summary.pdf?year=2026")
    assert summary.headers["content-type"] == "application/pdf"


async def test_tax_routes_answer_404_for_another_firms_records(web, client, firm, other_firm):
    pid = await partner(other_firm)
    await w9_on_file(other_firm, pid)
    await paid(other_firm, pid, 250000, dt.date(2026, 3, 1))
    await payer(other_firm)
    from rapport_core.tax.filings import generate_year

    [filing] = await generate_year(other_firm.actor(), 2026)
    await web.sign_in(firm.emails["owner"])
    assert (await web.get(f"/partners/{pid}/w9")).status_code == 404
    assert (await web.post(f"/partners/{pid}/w9/link", {})).status_code == 404
    assert (await web.get(f"/tax/filings/{filing.id}/pdf")).status_code == 404
    api = firm.headers()
    assert (await client.get(f"/api/v1/partners/{pid}/w9", headers=api)).status_code == 404
    assert (
        await client.get(f"/api/v1/tax/filings/{filing.id}/pdf", headers=api)
    ).status_code == 404
    assert (await client.get("/api/v1/tax/payees?year=2026", headers=api)).json() == []


async def test_api_lists_payees_and_creates_links(client, firm):
    pid = await partner(firm)
    await paid(firm, pid, 250000, dt.date(2026, 3, 1))
    [payee] = (await client.get("/api/v1/tax/payees?year=2026", headers=firm.headers())).json()
    assert (payee["box1_cents"], payee["status"], payee["w9"]) == (250000, "reportable", None)
    assert payee["backup_withholding_due"] is True
    link = await client.post(f"/api/v1/partners/{pid}/w9-links", headers=firm.headers())
    assert link.status_code == 201 and "/w9/" in link.json()["url"]
    denied = await client.post(f"/api/v1/partners/{pid}/w9-links", headers=firm.headers("viewer"))
    assert denied.status_code == 403
