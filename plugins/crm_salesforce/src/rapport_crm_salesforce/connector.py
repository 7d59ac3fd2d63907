"""Salesforce REST API: Contacts with their Account, read-only, through SOQL.

``GET {instance_url}/services/data/v60.0/query?q=SELECT … FROM Contact … ORDER BY
SystemModstamp, Id``; the answer holds up to a batch (2,000 by default) of records, and
``nextRecordsUrl`` while ``done`` is false. API calls go to the ``instance_url`` of the
token response, not to the login host. An incremental sync selects ``SystemModstamp >=``
the window start (the indexed audit field). The bookmark keeps the last record's
SystemModstamp as well as the query locator: locators expire after some idle minutes, so a
resumed sync runs a fresh query from that time instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

from rapport_core.crm import Connector, ContactRecord, CRMClient, OAuthSettings, RawPage, TokenSet

API_VERSION = "v60.0"
QUERY_PATH = f"/services/data/{API_VERSION}/query"
FIELDS = (
    "Id, FirstName, LastName, Name, Email, Phone, MobilePhone, Title, Department, "
    "Account.Name, Account.Industry, MailingStreet, MailingCity, MailingState, "
    "MailingPostalCode, SystemModstamp"
)


def soql_datetime(moment: dt.datetime) -> str:
    """A SOQL dateTime literal (unquoted, UTC, whole seconds, rounded down)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_salesforce_time(text: str) -> dt.datetime:
    """``2026-01-31T09:00:00.000+0000`` (Salesforce's form) as an aware datetime."""
    return dt.datetime.fromisoformat(text)  # Python 3.11 reads the ``+0000`` offset


def contact_query(since: dt.datetime | None) -> str:
    where = f" WHERE SystemModstamp >= {soql_datetime(since)}" if since is not None else ""
    return f"SELECT {FIELDS} FROM Contact{where} ORDER BY SystemModstamp, Id"


class SalesforceConnector(Connector):
    name = "salesforce"
    label = "Salesforce"
    oauth = OAuthSettings(
        authorize_path="/services/oauth2/authorize",
        token_path="/services/oauth2/token",
        scopes=("api", "refresh_token"),
        pkce=True,
    )
    regions = {
        "production": "https://login.salesforce.com",
        "sandbox": "https://test.salesforce.com",
    }
    page_size = 2000  # Salesforce's default query batch
    fake_server = "rapport_crm_salesforce.fake:FakeSalesforce"

    def api_base(self, tokens: TokenSet) -> str:
        """Every API call goes to the org's instance, named in the token response."""
        return str(tokens.extra.get("instance_url") or self.config.base_url).rstrip("/")

    async def fetch_pages(
        self, client: CRMClient, bookmark: dict[str, Any] | None, *, since: dt.datetime | None
    ) -> AsyncIterator[RawPage]:
        # Resuming: a fresh query from the last committed record's second (its query
        # locator may have expired). The few records of that second come again; upserts
        # are idempotent.
        resume_from = (bookmark or {}).get("from")
        start = parse_salesforce_time(resume_from) if resume_from else since
        url: str | None = QUERY_PATH
        params: dict[str, Any] | None = {"q": contact_query(start)}
        while url:
            body = await client.get_json(url, params)
            records = body.get("records") or []
            url = None if body.get("done", True) else body.get("nextRecordsUrl")
            params = None
            if records:
                resume_from = records[-1]["SystemModstamp"]
            mark = {"next": url, "from": resume_from} if url else {}
            yield RawPage(records, mark, total=body.get("totalSize"))

    def to_contact(self, raw: dict[str, Any]) -> ContactRecord | None:
        account = raw.get("Account") or {}
        name = raw.get("Name") or " ".join(
            part for part in (raw.get("FirstName"), raw.get("LastName")) if part
        )
        state = (raw.get("MailingState") or "").strip()
        department = (raw.get("Department") or "").strip()
        stamp = raw.get("SystemModstamp")
        return ContactRecord(
            external_id=raw["Id"],
            name=name,
            organisation=account.get("Name") or "",
            profession_hint=" ".join(
                h for h in (raw.get("Title") or "", account.get("Industry") or "") if h
            ),
            # Firms keep a partner's practice area in Department (or a custom field,
            # mapped per firm through the connection's field overrides).
            specialties=[p.strip() for p in re.split(r"[;,]", department) if p.strip()],
            email=raw.get("Email"),
            phone=raw.get("Phone") or raw.get("MobilePhone"),
            address=(raw.get("MailingStreet") or "").replace("\n", ", "),
            city=raw.get("MailingCity") or "",
            state=state.upper() if len(state) == 2 else "",
            postal_code=raw.get("MailingPostalCode") or "",
            updated_at=parse_salesforce_time(stamp) if stamp else None,
        )
