"""Possible duplicates from a CRM sync and from an import wait in one list, on one page and
one API, and each source's decision does what that source needs."""

from __future__ import annotations

from tests.crm.helpers import seed_merge_suggestion
from tests.ui.test_pages import visible_text

CARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nORG:Navy Labs\r\nEND:VCARD\r\n"


async def _both(client, firm) -> tuple[int, dict, dict]:
    """A partner; a CRM record and an imported card that may both be her."""
    headers = firm.headers()
    grace = await client.post(
        "/api/v1/partners",
        json={"name": "Grace Hopper", "organisation": "Navy Labs", "profession": "cpa"},
        headers=headers,
    )
    partner_id = grace.json()["id"]
    await seed_merge_suggestion(firm.id, partner_id)
    imported = await client.post(
        "/api/v1/imports", files={"file": ("team.vcf", CARD, "text/vcard")}, headers=headers
    )
    assert imported.status_code == 201, imported.text
    listed = (await client.get("/api/v1/suggestions", headers=headers)).json()
    by_origin = {item["origin"]: item for item in listed}
    assert sorted(by_origin) == ["crm", "import"] and len(listed) == 2
    return partner_id, by_origin["crm"], by_origin["import"]


async def test_one_list_shows_where_each_came_from(web, client, firm):
    partner_id, crm, imported = await _both(client, firm)
    assert crm["partner_id"] == imported["partner_id"] == partner_id
    assert (crm["source"], crm["external_id"], crm["candidate"]["name"]) == (
        "Clio", "1", "Grace Hopper",
    )  # fmt: skip
    assert imported["source"] == "team.vcf" and imported["import_id"] is not None
    assert imported["duplicate_id"] not in (None, partner_id)

    await web.sign_in(firm.emails["member"])
    page = visible_text((await web.get("/duplicates")).text)
    assert "from Clio" in page and "from team.vcf (import)" in page
    assert page.count("Same person: merge") == 2


async def test_separate_keeps_both_for_an_import_and_adds_the_crm_record(client, firm):
    headers = firm.headers()
    partner_id, crm, imported = await _both(client, firm)
    kept = await client.post(f"/api/v1/suggestions/{imported['id']}/separate", headers=headers)
    assert kept.status_code == 200 and kept.json()["status"] == "separate"
    added = await client.post(f"/api/v1/suggestions/{crm['id']}/separate", headers=headers)
    assert added.json()["status"] == "separate"
    people = (await client.get("/api/v1/partners?q=Grace", headers=headers)).json()["items"]
    # Hers, the imported one (kept), and the CRM record's new partner.
    assert len(people) == 3
    assert [p["external_ids"] for p in people if p["source"] == "crm:clio"] == [{"clio": "1"}]
    assert (await client.get("/api/v1/suggestions", headers=headers)).json() == []
    decided = (await client.get("/api/v1/suggestions?status=separate", headers=headers)).json()
    assert {item["id"] for item in decided} == {crm["id"], imported["id"]}
    again = await client.post(f"/api/v1/suggestions/{crm['id']}/merge", headers=headers)
    assert again.status_code == 409


async def test_merge_folds_the_import_in_and_links_the_crm_record(client, firm):
    headers = firm.headers()
    partner_id, crm, imported = await _both(client, firm)
    for item in (imported, crm):
        merged = await client.post(f"/api/v1/suggestions/{item['id']}/merge", headers=headers)
        assert merged.status_code == 200 and merged.json()["status"] == "merged", merged.text
    people = (await client.get("/api/v1/partners?q=Grace", headers=headers)).json()["items"]
    assert [p["id"] for p in people] == [partner_id]
    # The CRM link and the imported card's id are both hers now.
    assert people[0]["external_ids"]["clio"] == "1" and "vcard" in people[0]["external_ids"]
    gone = await client.get(f"/api/v1/partners/{imported['duplicate_id']}", headers=headers)
    assert gone.status_code == 404
    # The decided suggestion stays on record, its duplicate emptied.
    merged = (await client.get("/api/v1/suggestions?status=merged", headers=headers)).json()
    assert {item["id"]: item["duplicate_id"] for item in merged} == {
        crm["id"]: None, imported["id"]: None,
    }  # fmt: skip


async def test_older_addresses_still_answer(web, client, firm):
    headers = firm.headers()
    _, crm, imported = await _both(client, firm)
    for path in ("/api/v1/crm/suggestions", "/api/v1/imports/suggestions"):
        assert len((await client.get(path, headers=headers)).json()) == 2, path
    dismissed = await client.post(
        f"/api/v1/imports/suggestions/{imported['id']}/dismiss", headers=headers
    )
    assert dismissed.json()["status"] == "separate"
    await web.sign_in(firm.emails["member"])
    for old in ("/integrations/suggestions", "/partners/import/suggestions"):
        moved = await web.client.get(old, follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (301, "/duplicates"), old
    merged = await web.post(f"/integrations/suggestions/{crm['id']}/merge", {})
    assert merged.url.path == "/duplicates" and "Nothing to review" in merged.text
