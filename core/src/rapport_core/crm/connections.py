"""Connections: one per firm and CRM, with its OAuth tokens encrypted at rest.

Connecting is OAuth 2.0 authorization code: :func:`start_authorization` stores a fresh
``state`` (and a PKCE verifier where the CRM supports it) and returns the CRM's authorize URL;
:func:`complete_authorization` checks the state the CRM sent back, exchanges the code and
stores the tokens. A refresh token the CRM rejects marks the connection ``needs_reconnect``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from rapport_core import audit, secrets
from rapport_core.actors import Actor
from rapport_core.clock import as_utc, now
from rapport_core.crm import oauth
from rapport_core.crm.connector import Connector, ConnectorConfig
from rapport_core.crm.errors import ReconnectRequired
from rapport_core.crm.oauth import TokenSet
from rapport_core.crm.records import Mapping
from rapport_core.crm.registry import connector_class
from rapport_core.crm.schemas import ConnectionOut, ConnectionSettingsIn
from rapport_core.crm.tables import CrmConnection, CrmLink
from rapport_core.errors import Invalid, NotFound
from rapport_core.services.common import transaction


def _key(firm_id: int, connector: str) -> str:
    return f"{firm_id}:{connector}"


def _enc(value: str | None) -> str:
    return secrets.encrypt(value) if value else ""


def _dec(value: str | None) -> str:
    return secrets.decrypt(value) if value else ""


def mask(token: str) -> str:
    return f"…{token[-4:]}" if len(token) > 8 else ("set" if token else "")


async def connection_row(actor: Actor, name: str) -> dict[str, Any] | None:
    return (
        await CrmConnection.select()
        .where(CrmConnection.firm == actor.firm_id, CrmConnection.connector == name)
        .first()
        .output(load_json=True)
    )


async def require_connection(actor: Actor, name: str) -> dict[str, Any]:
    row = await connection_row(actor, name)
    if row is None or row["status"] == "pending":
        raise NotFound(f"{name} is not connected for this firm: connect it first", field="name")
    return row


def build_connector(row: dict[str, Any], cls: type[Connector] | None = None) -> Connector:
    cls = cls or connector_class(row["connector"])
    config = ConnectorConfig(
        base_url=row["base_url"],
        client_id=row["client_id"],
        client_secret=_dec(row["client_secret"]),
    )
    return cls(config, Mapping.from_settings((row["settings"] or {}).get("mapping")))


def tokens_of(row: dict[str, Any]) -> TokenSet:
    return TokenSet(
        access_token=_dec(row["access_token"]),
        refresh_token=_dec(row["refresh_token"]) or None,
        expires_at=as_utc(row["token_expires_at"]),
        extra=row["token_extra"] or {},
    )


async def _upsert(actor: Actor, name: str, values: dict[str, Any]) -> int:
    stamp = now()
    existing = await connection_row(actor, name)
    if existing is None:
        row = CrmConnection(
            firm=actor.firm_id,
            connector=name,
            key=_key(actor.firm_id, name),
            created_at=stamp,
            updated_at=stamp,
            **values,
        )
        await row.save()
        return row.id
    await CrmConnection.update({**values, CrmConnection.updated_at: stamp}).where(
        CrmConnection.id == existing["id"], CrmConnection.firm == actor.firm_id
    )
    return existing["id"]


def _config_values(config: ConnectorConfig) -> dict[str, Any]:
    return {
        "base_url": config.base_url,
        "client_id": config.client_id,
        "client_secret": _enc(config.client_secret),
    }


async def start_authorization(
    actor: Actor, name: str, *, redirect_uri: str, config: ConnectorConfig | None = None
) -> str:
    """The CRM's authorize URL for this firm; the state and verifier wait for the callback."""
    actor.require_firm_admin()
    cls = connector_class(name)
    config = config or cls.config_from_environment()
    if not config.client_id:
        raise Invalid(
            f"no OAuth client for {cls.label}: set {cls.env_prefix()}CLIENT_ID and "
            f"{cls.env_prefix()}CLIENT_SECRET",
            field="client_id",
        )
    connector = cls(config)
    state = oauth.new_state()
    verifier, challenge = oauth.pkce_pair() if cls.oauth.pkce else ("", None)
    existing = await connection_row(actor, name)
    async with transaction():
        values = {
            **_config_values(config),
            "oauth_state": state,
            "oauth_verifier": _enc(verifier),
            "oauth_redirect_uri": redirect_uri,
        }
        if existing is None:
            values["status"] = "pending"
        await _upsert(actor, name, values)
    return oauth.authorization_url(
        connector, state=state, redirect_uri=redirect_uri, code_challenge=challenge
    )


async def complete_authorization(
    actor: Actor, name: str, *, state: str, code: str, http: httpx.AsyncClient | None = None
) -> ConnectionOut:
    """Check ``state`` against the one stored, exchange ``code``, store the tokens."""
    actor.require_firm_admin()
    row = await connection_row(actor, name)
    if row is None or not row["oauth_state"] or not state or row["oauth_state"] != state:
        raise Invalid(
            "the authorization answer does not match a connect request of this firm "
            "(state mismatch or expired): start connecting again",
            field="state",
        )
    connector = build_connector(row)
    async with httpx.AsyncClient() if http is None else _borrowed(http) as client:
        tokens = await oauth.exchange_code(
            client,
            connector,
            code=code,
            redirect_uri=row["oauth_redirect_uri"],
            code_verifier=_dec(row["oauth_verifier"]) or None,
        )
    return await store_tokens(actor, name, tokens, clear_authorization=True)


class _borrowed:
    """Use a caller's client without closing it."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def __aenter__(self) -> httpx.AsyncClient:
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        return None


async def store_tokens(
    actor: Actor,
    name: str,
    tokens: TokenSet,
    *,
    config: ConnectorConfig | None = None,
    clear_authorization: bool = False,
) -> ConnectionOut:
    """Save tokens (encrypted) and mark the connection connected. ``config`` (tests, the
    CLI) sets where the CRM is; otherwise the pending connection's settings stay."""
    values: dict[str, Any] = {
        "status": "connected",
        "access_token": _enc(tokens.access_token),
        "refresh_token": _enc(tokens.refresh_token),
        "token_expires_at": tokens.expires_at,
        "token_extra": tokens.extra,
        "last_error": "",
    }
    if config is not None:
        values.update(_config_values(config))
    if clear_authorization:
        values.update(oauth_state=None, oauth_verifier="", oauth_redirect_uri="")
    async with transaction():
        connection_id = await _upsert(actor, name, values)
        await audit.record(
            actor,
            "crm.connect",
            "crm_connection",
            connection_id,
            after={"connector": name, "token": mask(tokens.access_token)},
        )
    return await get_connection(actor, name)


async def save_refreshed_tokens(connection_id: int, tokens: TokenSet) -> None:
    """Called by the HTTP client after a refresh, before the new token is used."""
    await CrmConnection.update(
        {
            CrmConnection.access_token: _enc(tokens.access_token),
            CrmConnection.refresh_token: _enc(tokens.refresh_token),
            CrmConnection.token_expires_at: tokens.expires_at,
            CrmConnection.token_extra: tokens.extra,
            CrmConnection.updated_at: now(),
        }
    ).where(CrmConnection.id == connection_id)


async def mark_needs_reconnect(actor: Actor, connection_id: int, error: ReconnectRequired) -> None:
    async with transaction():
        await CrmConnection.update(
            {
                CrmConnection.status: "needs_reconnect",
                CrmConnection.last_error: error.detail,
                CrmConnection.updated_at: now(),
            }
        ).where(CrmConnection.id == connection_id, CrmConnection.firm == actor.firm_id)
        await audit.record(
            actor,
            "crm.needs_reconnect",
            "crm_connection",
            connection_id,
            after={"error": error.detail},
        )


async def _out(row: dict[str, Any]) -> ConnectionOut:
    try:
        label = connector_class(row["connector"]).label
    except NotFound:
        label = row["connector"]
    partners = await CrmLink.count().where(CrmLink.connection == row["id"])
    settings = row["settings"] or {}
    access = _dec(row["access_token"]) if row["access_token"] else ""
    return ConnectionOut(
        id=row["id"],
        connector=row["connector"],
        label=label,
        status=row["status"],
        base_url=row["base_url"],
        token_hint=mask(access),
        sync_interval_minutes=row["sync_interval_minutes"],
        next_sync_at=as_utc(row["next_sync_at"]),
        last_sync_at=as_utc(row["last_sync_at"]),
        synced_through=as_utc(row["synced_through"]),
        resumable=bool((row["bookmark"] or {}).get("cursor")),
        syncing=bool(row["locked_until"]) and as_utc(row["locked_until"]) > now(),
        last_error=row["last_error"],
        overwrite_edited=bool(settings.get("overwrite_edited")),
        partners=partners,
    )


async def get_connection(actor: Actor, name: str) -> ConnectionOut:
    row = await connection_row(actor, name)
    if row is None:
        raise NotFound(f"{name} is not connected for this firm", field="name")
    return await _out(row)


async def list_connections(actor: Actor) -> list[ConnectionOut]:
    rows = (
        await CrmConnection.select()
        .where(CrmConnection.firm == actor.firm_id)
        .order_by(CrmConnection.connector)
        .output(load_json=True)
    )
    return [await _out(row) for row in rows]


async def update_settings(actor: Actor, name: str, data: ConnectionSettingsIn) -> ConnectionOut:
    actor.require_firm_admin()
    row = await require_connection(actor, name)
    sent = data.model_dump(exclude_unset=True)
    settings = dict(row["settings"] or {})
    values: dict[str, Any] = {}
    if "mapping" in sent:
        try:
            Mapping.from_settings(sent["mapping"])
        except ValueError as error:
            raise Invalid(f"mapping: {error}", field="mapping") from error
        settings["mapping"] = sent["mapping"] or {}
    if sent.get("overwrite_edited") is not None:
        settings["overwrite_edited"] = sent["overwrite_edited"]
    if "sync_interval_minutes" in sent:
        minutes = sent["sync_interval_minutes"]
        values["sync_interval_minutes"] = minutes
        values["next_sync_at"] = now() + dt.timedelta(minutes=minutes) if minutes else None
    values["settings"] = settings
    async with transaction():
        await CrmConnection.update({**values, CrmConnection.updated_at: now()}).where(
            CrmConnection.id == row["id"], CrmConnection.firm == actor.firm_id
        )
        await audit.record(
            actor,
            "crm.settings",
            "crm_connection",
            row["id"],
            before={"settings": row["settings"], "interval": row["sync_interval_minutes"]},
            after={"settings": settings, "interval": values.get("sync_interval_minutes")},
        )
    return await get_connection(actor, name)
