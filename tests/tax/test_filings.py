import datetime as dt
import hashlib

import pypdfium2 as pdfium
import pytest
from rapport_core.errors import Conflict, Forbidden, Invalid, NotFound
from rapport_core.tax import filings
from rapport_core.tax.fire import validate
from rapport_core.tax.tables import Filing

from tests.tax.helpers import paid, partner, payer, w9_on_file


def page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


async def reportable_year(firm, *, payees=2):
    grace = await partner(firm, "Grace Hopper")
    await w9_on_file(firm, grace)
    await paid(firm, grace, 250000, dt.date(2026, 3, 1))
    if payees == 1:
        return grace, None
    missing = await partner(firm, "Ada Missing")
    await paid(firm, missing, 300000, dt.date(2026, 4, 1), withheld=72000)
    small = await partner(firm, "Below Threshold")
    await w9_on_file(firm, small, tin="234-56-7890")
    await paid(firm, small, 50000, dt.date(2026, 4, 1))
    return grace, missing


async def test_generating_stores_one_filing_per_reportable_payee(firm):
    await payer(firm)
    grace, missing = await reportable_year(firm)
    made = await filings.generate_year(firm.actor(), 2026)
    assert {f.payee_name: (f.box1_cents, f.box4_cents) for f in made} == {
        "Grace Hopper": (250000, 0),
        "Ada Missing": (300000, 72000),
    }
    out, pdf = await filings.filing_pdf(
        firm.actor(), next(f.id for f in made if f.partner_id == grace)
    )
    assert hashlib.sha256(pdf).hexdigest() == out.pdf_sha256
    pages = page_texts(pdf)
    assert len(pages) == 5
    for page, copy in zip(pages, ["Copy A", "Copy 1", "Copy B", "Copy 2", "Copy C"], strict=True):
        assert copy in page and "2,500.00" in page and "12-3456789" in page
    assert "NOT FOR PAPER FILING" in pages[0]
    assert "123-45-6789" in pages[0] and "123-45-6789" not in pages[2]  # Copy B is truncated
    assert "***-**-6789" in pages[2] and "For Recipient" in pages[2]
    assert out.retain_until.year == out.generated_at.year + 7
    summary = page_texts(await filings.year_summary_pdf(firm.actor(), 2026))[0]
    assert "5,500.00" in summary and "720.00" in summary


async def test_a_generated_year_is_a_tax_record(firm):
    await payer(firm)
    await reportable_year(firm, payees=1)
    made = await filings.generate_year(firm.actor(), 2026)
    with pytest.raises(Conflict, match="already generated"):
        await filings.generate_year(firm.actor(), 2026)
    with pytest.raises(Conflict, match="tax record"):
        await filings.delete_filing(firm.actor(), made[0].id)
    assert await Filing.count().where(Filing.firm == firm.id) == 1


async def test_generation_needs_a_payer_profile_and_a_tax_role(firm):
    await reportable_year(firm)
    with pytest.raises(Invalid, match="payer profile") as refused:
        await filings.generate_year(firm.actor(), 2026)
    assert refused.value.field == "payer"
    with pytest.raises(Forbidden):
        await filings.generate_year(firm.actor("member"), 2026)


async def test_the_fire_file_of_a_year_validates(firm):
    await payer(firm)
    await reportable_year(firm)
    await filings.generate_year(firm.actor(), 2026)
    text = await filings.fire_file(firm.actor(), 2026, test=True)
    records = text.split("\r\n")[:-1]
    assert [r[0] for r in records] == ["T", "A", "B", "B", "C", "F"]
    assert validate(text) is None
    assert records[0][27] == "T"  # test file indicator, position 28


async def test_another_firms_filing_is_not_found(firm, other_firm):
    await payer(other_firm)
    await reportable_year(other_firm, payees=1)
    made = await filings.generate_year(other_firm.actor(), 2026)
    with pytest.raises(NotFound):
        await filings.filing_pdf(firm.actor(), made[0].id)


async def test_the_database_refuses_to_change_a_filing(firm):
    from tests.tax.helpers import seed_filing

    pid = await partner(firm)
    filing_id = await seed_filing(firm.id, pid)
    for change in (
        Filing.update({Filing.box1_cents: 1}).where(Filing.id == filing_id),
        Filing.delete().where(Filing.id == filing_id),
    ):
        with pytest.raises(Exception, match="retention"):
            await change
    assert (await Filing.select(Filing.box1_cents).where(Filing.id == filing_id).first()) == {
        "box1_cents": 250000
    }
