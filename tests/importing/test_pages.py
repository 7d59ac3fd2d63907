"""The import wizard as a person uses it, and the import API: upload, preview, mapping,
import, report, duplicates; other firms' imports answer 404."""

from tests.importing import samples
from tests.ui.test_pages import visible_text

GENERIC = (
    "Who;Org;Mail;Town\r\n"
    "Ann Lée;Lee Law;ann@lee.example;Miami\r\n"
    'Bo Kim;"Kim; Co";bo@kim.example;Tampa\r\n'
    "Cy;;not-an-email;\r\n"
)


async def upload(web, name: str, content: bytes):
    token = web.client.cookies["csrftoken"]
    return await web.client.post(
        "/partners/import",
        data={"_csrf_token": token},
        files={"file": (name, content, "text/csv")},
    )


async def test_wizard_maps_a_generic_csv_previews_and_imports_valid_rows(web, client, firm):
    await web.sign_in(firm.emails["member"])
    assert "Import partners" in visible_text((await web.get("/partners/import")).text)
    uploaded = await upload(web, "partners.csv", GENERIC.encode("cp1252"))
    assert uploaded.history[0].status_code == 303
    page = visible_text(uploaded.text)
    assert "CSV file (columns mapped by you)" in page and "semicolon-separated" in page
    assert "windows-1252" in page and "3 rows" in page
    import_id = uploaded.url.path.rsplit("/", 1)[-1]
    # Guessed: Mail -> email, Town -> city; "Who" and "Org" are not guessed.
    assert "Row 1" in page and "no name" in page
    mapped = {"map-0": "name", "map-1": "organisation", "map-2": "email", "map-3": "city"}
    preview = await web.post(f"/partners/import/{import_id}", {**mapped, "action": "preview"})
    text = visible_text(preview.text)
    assert preview.status_code == 200 and "Ann Lée" in text and "Kim; Co" in text
    assert "Row 3" in text and "not-an-email" in text  # the bad row, with its reason

    rejected = await web.post(
        f"/partners/import/{import_id}",
        {**mapped, "mode": "all_or_nothing", "action": "import", "default_profession": "cpa"},
    )
    assert rejected.url.path.endswith("/report") and "Nothing was imported" in rejected.text
    listed = (await client.get("/api/v1/partners", headers=firm.headers())).json()
    assert listed["total"] == 0

    again = await upload(web, "partners.csv", GENERIC.encode("cp1252"))
    import_id = again.url.path.rsplit("/", 1)[-1]
    done = await web.post(
        f"/partners/import/{import_id}",
        {**mapped, "mode": "skip_bad_rows", "action": "import", "default_profession": "cpa"},
    )
    assert done.url.path == f"/partners/import/{import_id}/report"
    assert "Partners added" in visible_text(done.text)
    listed = (await client.get("/api/v1/partners", headers=firm.headers())).json()
    assert sorted((p["name"], p["profession"], p["city"]) for p in listed["items"]) == [
        ("Ann Lée", "cpa", "Miami"),
        ("Bo Kim", "cpa", "Tampa"),
    ]
    report = await web.get(f"/partners/import/{import_id}/report.csv")
    assert report.headers["content-type"].startswith("text/csv")
    assert "attachment" in report.headers["content-disposition"]
    assert report.text.splitlines()[1].startswith("3,4,Cy,email,")
    # Done: the wizard page sends people to the report; importing it twice is refused.
    assert (await web.get(f"/partners/import/{import_id}")).url.path.endswith("/report")
    twice = await web.post(f"/partners/import/{import_id}", {"action": "import"})
    assert twice.status_code == 409


async def test_detected_export_and_duplicate_review(web, client, firm):
    await client.post(
        "/api/v1/partners",
        json={"name": "Sam Reed", "organisation": "Reed Wealth LLC", "profession": "cpa"},
        headers=firm.headers(),
    )
    rows = [{"First Name": "Sam", "Last Name": "Reed", "URL": "https://www.linkedin.com/in/s",
             "Company": "Reed Wealth", "Position": "Advisor", "Connected On": "01 Dec 2026"}]  # fmt: skip
    await web.sign_in(firm.emails["member"])
    uploaded = await upload(web, "Connections.csv", samples.linkedin(rows).encode())
    assert "LinkedIn connections export" in visible_text(uploaded.text)
    import_id = uploaded.url.path.rsplit("/", 1)[-1]
    done = await web.post(f"/partners/import/{import_id}", {"action": "import"})
    assert "Review 1 possible duplicate" in visible_text(done.text)
    review = visible_text((await web.get("/duplicates")).text)
    assert "Sam Reed" in review and "same name and organisation" in review
    assert "from Connections.csv (import)" in review
    [suggestion] = (await client.get("/api/v1/suggestions", headers=firm.headers())).json()
    assert (suggestion["origin"], suggestion["source"]) == ("import", "Connections.csv")
    merged = await web.post(f"/duplicates/{suggestion['id']}/merge", {})
    assert merged.history[0].status_code == 303 and "Nothing to review" in merged.text
    [partner] = (await client.get("/api/v1/partners", headers=firm.headers())).json()["items"]
    assert partner["id"] == suggestion["partner_id"]
    assert partner["external_ids"] == {"linkedin": "https://www.linkedin.com/in/s"}
    assert partner["notes"] == "Job title: Advisor"


async def test_api_import_and_tenancy(web, client, firm, other_firm):
    sent = await client.post(
        "/api/v1/imports",
        files={"file": ("c.vcf", samples.vcard(samples.VCARD_3).encode(), "text/vcard")},
        data={"mode": "skip_bad_rows"},
        headers=firm.headers("member"),
    )
    assert sent.status_code == 201, sent.text
    report = sent.json()
    assert (report["format"], report["status"], report["counts"]["created"]) == (
        "vcard", "imported", 1,
    )  # fmt: skip
    bad = await client.post(
        "/api/v1/imports",
        files={"file": ("c.csv", b"Name\nAnn\n", "text/csv")},
        data={"mapping": '{"Name": "nickname"}'},
        headers=firm.headers(),
    )
    assert bad.status_code == 400 or bad.status_code == 422
    assert "nickname" in bad.text
    viewer = await client.post(
        "/api/v1/imports",
        files={"file": ("c.vcf", samples.VCARD_3.encode(), "text/vcard")},
        headers=firm.headers("viewer"),
    )
    assert viewer.status_code == 403
    theirs = other_firm.headers()
    import_id = report["id"]
    assert (await client.get(f"/api/v1/imports/{import_id}", headers=theirs)).status_code == 404
    assert (
        await client.get(f"/api/v1/imports/{import_id}/report.csv", headers=theirs)
    ).status_code == 404
    await client.post(
        "/api/v1/partners", json={"name": "Dana Ortiz", "profession": "cpa"}, headers=firm.headers()
    )
    card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dana Ortiz\r\nEND:VCARD\r\n"
    await client.post(
        "/api/v1/imports", files={"file": ("d.vcf", card, "text/vcard")}, headers=firm.headers()
    )
    [suggestion] = (await client.get("/api/v1/suggestions", headers=firm.headers())).json()
    assert (await client.get("/api/v1/suggestions", headers=theirs)).json() == []
    for path in (f"/api/v1/suggestions/{suggestion['id']}/merge",
                 f"/api/v1/suggestions/{suggestion['id']}/separate",
                 f"/api/v1/imports/suggestions/{suggestion['id']}/dismiss"):  # fmt: skip
        assert (await client.post(path, headers=theirs)).status_code == 404, path
    await web.sign_in(other_firm.emails["owner"])
    for decision in ("merge", "separate"):
        path = f"/duplicates/{suggestion['id']}/{decision}"
        assert (await web.post(path, {})).status_code == 404, path
    for path in (f"/partners/import/{import_id}", f"/partners/import/{import_id}/report",
                 f"/partners/import/{import_id}/report.csv"):  # fmt: skip
        assert (await web.get(path)).status_code == 404, path
    assert (
        await web.post(f"/partners/import/{import_id}", {"action": "import"})
    ).status_code == 404
    await web.sign_in(firm.emails["viewer"])
    refused = await upload(web, "c.vcf", samples.VCARD_3.encode())
    assert refused.status_code == 403 and "permission" in visible_text(refused.text)
