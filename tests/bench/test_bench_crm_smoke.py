"""The CRM benchmark at a tiny scale, so it keeps working: every installed fake server is
synced, and every figure is produced. (Its speed is for `python -m bench.crm` to report.)"""

from bench.crm import measure, report


async def test_crm_benchmark_measures_every_installed_fake(client):
    figures = await measure(contacts=250, fresh_quota=False)  # timing nothing: no waits
    connectors = {f.connector for f in figures}
    assert any(c.startswith("Clio (2 pages of 200)") for c in connectors)
    for connector in connectors:
        names = [f.name for f in figures if f.connector == connector]
        assert names == [
            "bare httpx loop",
            "SDK fetch + map",
            "first sync (creates all)",
            "re-sync, nothing changed",
            "rows alone (bulk insert)",
        ]
    assert all(f.seconds > 0 for f in figures)
    report(figures, "smoke")
