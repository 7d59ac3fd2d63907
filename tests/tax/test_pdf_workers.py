"""Drawing a year's PDFs in worker processes gives each payee exactly the PDF drawn alone."""

from rapport_core.tax.pdf import FormData, nec_pdf, nec_pdfs

PAYER = {
    "legal_name": "Hopper & Co LLP",
    "address": "1 Main St",
    "city": "Tampa",
    "state": "FL",
    "postal_code": "33602",
    "phone": "813-555-0100",
}


def form(i: int) -> FormData:
    return FormData(
        year=2026,
        payer=PAYER,
        payer_tin="12-3456789",
        payee={
            "name": f"Payee {i}",
            "business_name": "",
            "address": f"{i} Oak Ave",
            "city": "Tampa",
            "state": "FL",
            "postal_code": "33602",
        },
        recipient_tin=f"123-45-{6780 + i}",
        recipient_tin_masked=f"***-**-{6780 + i}",
        box1_cents=250000 + i,
        box4_cents=0,
        account=f"P{i}",
    )


async def test_worker_processes_draw_each_payee_the_same_pdf_in_order():
    forms = [form(i) for i in range(3)]
    seen = []
    drawn = await nec_pdfs(
        forms, processes=2, chunk=1, progress=lambda done, total: seen.append((done, total))
    )
    assert drawn == [nec_pdf(f) for f in forms]
    assert len(set(drawn)) == 3
    assert seen[-1] == (3, 3)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
