"""The CSV import benchmark at a tiny scale, so it keeps working: it imports its generated
export, re-imports it without a duplicate, and reports every phase."""

from bench.import_csv import measure, report


async def test_import_benchmark_imports_then_reimports_without_duplicates():
    phases, counts = await measure(500)
    first, again = counts["import"], counts["re-import"]
    assert (first.rows, first.failed, first.created) == (500, 1, 499)  # row 500 is broken
    assert (again.created, again.unchanged, again.failed) == (0, 499, 1)
    assert [p.name for p in phases][:4] == [
        "import: read the file",
        "import: check and match rows",
        "import: write",
        "import: total",
    ]
    assert all(p.seconds >= 0 and p.cpu >= 0 for p in phases)
    assert report(phases, counts, "smoke") is True  # 500 rows: far inside the target
