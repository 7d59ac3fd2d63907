"""The audit log through the API and the web UI: who may read it, verify, export, and
that nothing edits or deletes an event."""

import json

from rapport_core.audit.chain import canonical
from rapport_core.tables import AuditEvent

from tests.audit.helpers import firm_events, tamper
from tests.ui.test_pages import visible_text


async def test_only_owner_admin_and_compliance_read_the_log(client, firm):
    for role, status in (
        ("owner", 200),
        ("admin", 200),
        ("compliance", 200),
        ("member", 403),
        ("viewer", 403),
    ):
        response = await client.get("/api/v1/audit/events", headers=firm.headers(role))
        assert response.status_code == status, role
    events = (
        await client.get("/api/v1/audit/events?action=user.create", headers=firm.headers())
    ).json()
    assert events["total"] == 5 and {e["action"] for e in events["items"]} == {"user.create"}
    assert all(len(e["hash"]) == 64 for e in events["items"])


async def test_editing_or_deleting_an_event_is_refused_with_the_rule(client, firm, other_firm):
    event = (await firm_events(firm.id))[-1]
    for method in ("DELETE", "PATCH", "PUT"):
        response = await client.request(
            method, f"/api/v1/audit/events/{event['id']}", json={}, headers=firm.headers()
        )
        assert response.status_code == 409, response.text
        body = response.json()
        assert body["rule"] == "retention" and body["retention_years"] == 7
        assert "retained unchanged for 7 years" in body["detail"]
        other = await client.request(
            method, f"/api/v1/audit/events/{event['id']}", json={}, headers=other_firm.headers()
        )
        assert other.status_code == 404
    assert (await firm_events(firm.id))[-1] == event


async def test_verify_through_the_api_and_the_page(client, web, firm):
    ok = (await client.get("/api/v1/audit/verify", headers=firm.headers("compliance"))).json()
    assert ok["ok"] and ok["events_checked"] == len(await firm_events(firm.id))

    await web.sign_in(firm.emails["compliance"])
    page = await web.post("/audit/verify", {})
    assert "The chain holds" in visible_text(page.text)

    target = (await firm_events(firm.id))[3]
    await tamper(
        "UPDATE rapport_audit_event SET action = 'user.nothing' WHERE id = {}", target["id"]
    )
    page = await web.post("/audit/verify", {})
    text = visible_text(page.text)
    assert f"The chain is broken at event {target['id']}" in text and "edited" in text
    broken = (await client.get("/api/v1/audit/verify", headers=firm.headers())).json()
    assert (broken["ok"], broken["broken_event_id"]) == (False, target["id"])


async def test_the_audit_page_lists_and_filters_events_for_readers_only(web, firm):
    await web.sign_in(firm.emails["admin"])
    page = await web.get("/audit?action=token.create")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "token.create" in text and "user.create" not in text
    await web.sign_in(firm.emails["member"])
    assert (await web.get("/audit")).status_code == 403


async def test_export_from_the_page_is_the_chain_in_json_lines(web, firm):
    await web.sign_in(firm.emails["owner"])
    events = await firm_events(firm.id)
    day = events[0]["at"].date().isoformat()
    response = await web.get(f"/audit/export?date_from={day}&date_to={day}&format=jsonl")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [line["id"] for line in lines] == [e["id"] for e in events]
    for line, event in zip(lines, events, strict=True):
        assert line["hash"] == event["hash"]
        assert canonical(line) == canonical(event)  # an auditor can re-hash every line
    pdf = await web.get(f"/audit/export?date_from={day}&date_to={day}&format=pdf")
    assert pdf.content.startswith(b"%PDF-")
    assert await AuditEvent.count().where(AuditEvent.firm == firm.id) == len(events)


async def test_export_through_the_api(client, firm):
    events = await firm_events(firm.id)
    day = events[0]["at"].date().isoformat()
    path = f"/api/v1/audit/export?from={day}&to={day}"
    lines = (await client.get(path, headers=firm.headers("compliance"))).text.splitlines()
    assert [json.loads(line)["hash"] for line in lines] == [e["hash"] for e in events]
    pdf = await client.get(path + "&format=pdf", headers=firm.headers())
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert (await client.get(path, headers=firm.headers("member"))).status_code == 403
    bad = await client.get(path + "&format=docx", headers=firm.headers())
    assert bad.status_code in (400, 422) and "format" in bad.text
