"""The CRM connector SDK: read-only contact sync from CRMs into partners.

A connector plugin subclasses :class:`Connector` and registers it through the
``register_crm_connectors`` hook; the shared machinery here does OAuth, retries, rate
limits, token refresh, matching, idempotent upsert, bookmarks and history. How to write one,
with the conformance kit that tests it: docs/connectors.md.
"""

from rapport_core.crm.connector import Connector, ConnectorConfig
from rapport_core.crm.errors import (
    CRMError,
    CRMUnavailable,
    RateLimited,
    ReadOnlyViolation,
    ReconnectRequired,
)
from rapport_core.crm.http import CRMClient, RetryPolicy
from rapport_core.crm.oauth import OAuthSettings, TokenSet
from rapport_core.crm.records import ContactRecord, Mapping, RawPage, pluck

__all__ = [
    "CRMClient",
    "CRMError",
    "CRMUnavailable",
    "Connector",
    "ConnectorConfig",
    "ContactRecord",
    "Mapping",
    "OAuthSettings",
    "RateLimited",
    "RawPage",
    "ReadOnlyViolation",
    "ReconnectRequired",
    "RetryPolicy",
    "TokenSet",
    "pluck",
]
