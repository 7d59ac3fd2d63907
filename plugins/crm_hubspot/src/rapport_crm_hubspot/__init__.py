"""Rapport's HubSpot connector: read-only contact sync over the CRM API v3."""

from __future__ import annotations

from collections.abc import Callable

from rapport_core.plugins import hookimpl

__version__ = "0.1.0"


@hookimpl
def register_crm_connectors(register: Callable[[type], None]) -> None:
    from rapport_crm_hubspot.connector import HubSpotConnector

    register(HubSpotConnector)
