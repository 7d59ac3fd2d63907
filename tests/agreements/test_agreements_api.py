"""Agreements through the API: uploads of real PDFs, versions, status, download, expiry."""

import datetime as dt
import hashlib

from rapport_core.agreements.tables import Agreement, AgreementVersion
from rapport_core.settings import get_settings
from rapport_core.tables import AuditEvent

from tests.agreements.helpers import make_pdf, upload

TODAY = dt.datetime.now(dt.UTC).date()


async def _partner(client, firm, name="Dana Ortiz"):
    response = await client.post(
        "/api/v1/partners", json={"name": name, "profession": "attorney"}, headers=firm.headers()
    )
    return response.json()["id"]


async def test_upload_versions_and_download(client, firm):
    partner_id = await _partner(client, firm)
    first = make_pdf("v1")
    response = await upload(
        client,
        firm.headers("member"),
        {
            "partner_id": partner_id,
            "kind": "fee_sharing",
            "signed_on": TODAY.isoformat(),
            "signers": "Ana Lee, Dana Ortiz",
            "expires_on": (TODAY + dt.timedelta(days=400)).isoformat(),
        },
        first,
        name="Fee agreement.pdf",
    )
    assert response.status_code == 201, response.text
    agreement = response.json()
    assert agreement["status"] == "active"
    assert agreement["title"] == "Fee-sharing agreement"
    [version] = agreement["versions"]
    assert version["sha256"] == hashlib.sha256(first).hexdigest()
    assert version["size_bytes"] == len(first)
    assert version["signers"] == ["Ana Lee", "Dana Ortiz"]
    assert version["original_name"] == "Fee agreement.pdf"

    # The file is stored under the firm's folder, named by its hash, not by its name.
    stored = list((get_settings().data_dir / "documents" / str(firm.id)).rglob("*.pdf"))
    assert any(path.read_bytes() == first for path in stored)
    assert all("Fee" not in path.name for path in stored)

    second = make_pdf("v2")
    response = await client.post(
        f"/api/v1/agreements/{agreement['id']}/versions",
        data={
            "signed_on": TODAY.isoformat(),
            "expires_on": (TODAY + dt.timedelta(days=20)).isoformat(),
        },
        files={"file": ("amended.pdf", second, "application/pdf")},
        headers=firm.headers(),
    )
    assert response.status_code == 201, response.text
    amended = response.json()
    assert amended["latest_version"] == 2
    assert [(v["number"], v["standing"]) for v in amended["versions"]] == [
        (2, "current"),
        (1, "superseded"),
    ]
    assert amended["expires_on"] == (TODAY + dt.timedelta(days=20)).isoformat()

    download = await client.get(
        f"/api/v1/agreements/{agreement['id']}/versions/1/file", headers=firm.headers("viewer")
    )
    assert download.status_code == 200
    assert download.content == first
    assert download.headers["content-type"] == "application/pdf"

    # Each upload is in the audit log, in the same firm's chain.
    actions = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.firm == firm.id,
        AuditEvent.subject_type == "agreement",
        AuditEvent.subject_id == str(agreement["id"]),
    )
    assert [a["action"] for a in actions] == ["agreement.upload", "agreement.version"]

    # It is expiring within 30 days now.
    expiring = (await client.get("/api/v1/agreements/expiring", headers=firm.headers())).json()
    assert [(e["agreement_id"], e["days_left"], e["threshold_days"]) for e in expiring] == [
        (agreement["id"], 20, 30)
    ]


async def _counts():
    return await Agreement.count(), await AgreementVersion.count(), await AuditEvent.count()


async def test_bad_uploads_name_the_field_and_write_nothing(client, firm):
    partner_id = await _partner(client, firm)
    headers = firm.headers()
    fields = {"partner_id": partner_id, "kind": "fee_sharing"}
    before = await _counts()
    cases = [
        (b"GIF89a not a pdf", "file", "not a PDF"),
        (b"%PDF-1.7\n garbage with no objects", "file", "cannot be read"),
        (b"", "file", "empty"),
    ]
    for content, field, words in cases:
        response = await upload(client, headers, fields, content)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field
        assert words in response.json()["detail"]
    bad_fields = [
        ({"partner_id": partner_id, "kind": "handshake"}, "kind"),
        ({"partner_id": partner_id, "kind": "other", "signed_on": "31/02/2026"}, "signed_on"),
        ({"partner_id": partner_id, "kind": "other", "colour": "red"}, "colour"),
        ({"kind": "client_consent", "partner_id": partner_id}, "referral_id"),
        ({"kind": "other"}, "partner_id"),
    ]
    for body, field in bad_fields:
        response = await upload(client, headers, body)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == field, response.json()
    response = await upload(
        client,
        headers,
        {**fields, "signed_on": "2026-03-01", "expires_on": "2026-02-01"},
    )
    assert response.status_code == 422
    assert "expires_on" in response.json()["detail"] or "expires_on" in str(response.json())
    missing = await client.post(
        "/api/v1/agreements", data={k: str(v) for k, v in fields.items()}, headers=headers
    )
    assert missing.status_code in (400, 422)
    assert await _counts() == before


async def test_oversized_upload_is_refused_with_the_limit(client, firm):
    partner_id = await _partner(client, firm)
    big = make_pdf() + b"%" + b"0" * (10 * 1024 * 1024)
    response = await upload(
        client, firm.headers(), {"partner_id": partner_id, "kind": "other"}, big
    )
    assert response.status_code == 422
    assert "limit is 10 MB" in response.json()["detail"]


async def test_client_consent_belongs_to_a_referral(client, firm):
    partner_id = await _partner(client, firm)
    referral = await client.post(
        "/api/v1/referrals",
        json={"direction": "sent", "partner_id": partner_id, "client_name": "Cy Client"},
        headers=firm.headers(),
    )
    referral_id = referral.json()["id"]
    response = await upload(
        client,
        firm.headers(),
        {
            "referral_id": referral_id,
            "kind": "client_consent",
            "signed_on": TODAY.isoformat(),
            "discloses_share": "true",
            "discloses_division": "false",
        },
    )
    assert response.status_code == 201, response.text
    consent = response.json()
    assert (consent["partner_id"], consent["referral_id"]) == (partner_id, referral_id)
    facts = await client.get(
        f"/api/v1/agreements/facts?referral_id={referral_id}", headers=firm.headers()
    )
    assert facts.json()["client_consent"] == {
        "written": True,
        "obtained_on": TODAY.isoformat(),
        "discloses_share": True,
        "discloses_division": False,
    }
    assert facts.json()["fee_sharing"] is None  # nothing on file: not guessed
    listed = await client.get(
        f"/api/v1/agreements?referral_id={referral_id}", headers=firm.headers()
    )
    assert [a["id"] for a in listed.json()] == [consent["id"]]


async def test_status_changes_follow_the_rules(client, firm):
    partner_id = await _partner(client, firm)
    draft = (
        await upload(client, firm.headers(), {"partner_id": partner_id, "kind": "solicitation"})
    ).json()
    assert draft["status"] == "draft"
    path = f"/api/v1/agreements/{draft['id']}/status"
    activate = await client.post(path, json={"status": "active"}, headers=firm.headers())
    assert activate.status_code == 422 and activate.json()["field"] == "status"
    no_reason = await client.post(path, json={"status": "revoked"}, headers=firm.headers())
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    viewer = await client.post(
        path, json={"status": "revoked", "reason": "x"}, headers=firm.headers("viewer")
    )
    assert viewer.status_code == 403
    revoked = await client.post(
        path, json={"status": "revoked", "reason": "never signed"}, headers=firm.headers()
    )
    assert revoked.json()["status"] == "revoked"
    again = await client.post(path, json={"status": "active"}, headers=firm.headers())
    assert again.status_code == 409
    version = await client.post(
        f"/api/v1/agreements/{draft['id']}/versions",
        files={"file": ("x.pdf", make_pdf("late"), "application/pdf")},
        headers=firm.headers(),
    )
    assert version.status_code == 409


async def test_another_firms_agreement_and_file_are_not_found(client, firm, other_firm):
    partner_id = await _partner(client, firm)
    agreement = (
        await upload(client, firm.headers(), {"partner_id": partner_id, "kind": "other"})
    ).json()
    for path in (
        f"/api/v1/agreements/{agreement['id']}",
        f"/api/v1/agreements/{agreement['id']}/versions/1/file",
    ):
        assert (await client.get(path, headers=other_firm.headers())).status_code == 404
    assert (await client.get("/api/v1/agreements", headers=other_firm.headers())).json() == []
    # Nor can another firm attach an agreement to this firm's partner.
    response = await upload(
        client, other_firm.headers(), {"partner_id": partner_id, "kind": "other"}
    )
    assert response.status_code == 404 and response.json()["field"] == "partner_id"


async def test_a_partner_with_agreements_is_kept(client, firm):
    partner_id = await _partner(client, firm)
    await upload(client, firm.headers(), {"partner_id": partner_id, "kind": "other"})
    response = await client.delete(f"/api/v1/partners/{partner_id}", headers=firm.headers())
    assert response.status_code == 409 and "agreement(s) on file" in response.json()["detail"]
    assert (
        await client.get(f"/api/v1/partners/{partner_id}", headers=firm.headers())
    ).status_code == 200
