"""Helpers for the CRM tests: a connected firm against a running fake Clio."""

from __future__ import annotations

from rapport_core.crm import ConnectorConfig, RetryPolicy
from rapport_core.crm.connections import store_tokens
from rapport_core.crm.oauth import TokenSet
from rapport_crm_clio.fake import FakeClio

#: Retries that give up at once: a CRM that went away fails the run quickly.
FAST = RetryPolicy(max_retries=1, backoff_base=0.001, backoff_cap=0.01)


def clio_config(fake: FakeClio) -> ConnectorConfig:
    return ConnectorConfig(
        base_url=fake.base_url, client_id=fake.client_id, client_secret=fake.client_secret
    )


async def connect_clio(actor, fake: FakeClio):
    """The firm connected to ``fake`` as if it had gone through OAuth."""
    return await store_tokens(
        actor, "clio", TokenSet.from_response(fake.issue_tokens()), config=clio_config(fake)
    )


def clio_env(fake: FakeClio) -> dict[str, str]:
    return {
        "RAPPORT_CRM_CLIO_BASE_URL": fake.base_url,
        "RAPPORT_CRM_CLIO_CLIENT_ID": fake.client_id,
        "RAPPORT_CRM_CLIO_CLIENT_SECRET": fake.client_secret,
    }


async def seed_merge_suggestion(firm_id: int, partner_id: int) -> int:
    """A pending merge suggestion in ``firm_id`` (for the tenancy tests' seeded records)."""
    from rapport_core.clock import now
    from rapport_core.crm.tables import CrmConnection
    from rapport_core.suggestions.tables import MergeSuggestion

    stamp = now()
    connection = CrmConnection(
        firm=firm_id, connector="clio", key=f"{firm_id}:clio", status="connected",
        base_url="https://app.clio.com", created_at=stamp, updated_at=stamp,
    )  # fmt: skip
    await connection.save()
    suggestion = MergeSuggestion(
        firm=firm_id, partner=partner_id, origin="crm", source="Clio",
        connection=connection.id, connector="clio", external_id="1", key=f"{firm_id}:clio:1",
        status="pending", created_at=stamp, record={"external_id": "1", "name": "Grace Hopper"},
    )  # fmt: skip
    await suggestion.save()
    return suggestion.id
