"""Helpers for the CRM tests: a connected firm against a running fake Clio."""

from __future__ import annotations

from rapport_core.crm import ConnectorConfig
from rapport_core.crm.connections import store_tokens
from rapport_core.crm.oauth import TokenSet
from rapport_crm_clio.fake import FakeClio


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
