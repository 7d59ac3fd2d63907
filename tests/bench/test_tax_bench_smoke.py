"""The tax benchmark at a tiny scale, so it keeps working: every figure is produced and the
FIRE file it times is valid. (Its speed is for `python -m bench.tax` to report.)"""

from bench.tax import measure


async def test_tax_benchmark_produces_every_figure():
    figures = await measure(pdf_payees=2, fire_payees=30)
    assert [(f.name, f.payees) for f in figures] == [
        ("1099-NEC PDFs (generate_year)", 2),
        ("1096-style summary PDF", 2),
        ("FIRE file (fire_file)", 30),
        ("FIRE validation", 30),
    ]
    assert all(f.seconds > 0 for f in figures)
