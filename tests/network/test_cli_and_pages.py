"""`rapport partners gaps` and the /network page."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from rapport_core.tables import Firm

from tests.conftest import make_firm


async def rapport(*args: str) -> subprocess.CompletedProcess:
    """The installed command in its own process, against the test database."""
    command = [str(Path(sys.executable).parent / "rapport"), *args]
    return await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, env=os.environ.copy()
    )


async def test_partners_gaps_command(seeded):
    slug = (await Firm.select(Firm.slug).where(Firm.id == seeded.firm.id).first())["slug"]
    result = await rapport("partners", "gaps", "--json", "--firm", slug)
    assert result.returncode == 0, result.stderr
    rows = {row["partner_type"]: row for row in json.loads(result.stdout)}
    assert rows["cpa"]["status"] == "ok" and rows["financial_advisor"]["status"] == "too_few"
    table = await rapport("partners", "gaps", "--firm", slug)
    assert table.returncode == 0 and "Life insurance agent" in table.stdout


async def test_network_page(web, seeded):
    await web.sign_in(seeded.firm.emails["viewer"])
    page = await web.get("/network")
    assert page.status_code == 200
    html = page.text
    assert 'href="/network" aria-current="page"' in html
    assert 'data-quadrant="core"' in html and "Ann Ledger" in html
    assert html.count("<circle") == 4  # one point per partner in the scatter chart
    assert 'data-gap="insurance_agent/life insurance"' in html and "missing" in html
    assert html.index(f'data-match="{seeded.ids["ann"]}"') < html.index(
        f'data-match="{seeded.ids["dan"]}"'
    )
    for_ann = await web.get(f"/network?partner_id={seeded.ids['ann']}")
    assert for_ann.status_code == 200
    assert f'data-match="{seeded.ids["ann"]}"' not in for_ann.text


async def test_network_page_of_another_firms_partner_is_not_found(web, seeded):
    other = await make_firm("Other")
    await web.sign_in(other.emails["member"])
    page = await web.get(f"/network?partner_id={seeded.ids['ann']}")
    assert page.status_code == 404
    assert "Ann Ledger" not in page.text
