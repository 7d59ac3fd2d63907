"""OAuth 2.0 authorization code flow with refresh, and PKCE (RFC 7636) where a CRM has it.

The token endpoint is the only place Rapport POSTs to a CRM; everything else is a GET.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from rapport_core.clock import now
from rapport_core.crm.errors import CRMError, ReconnectRequired

if TYPE_CHECKING:
    from rapport_core.crm.connector import Connector


@dataclass(frozen=True)
class OAuthSettings:
    """How a CRM does OAuth. Paths are joined to the connector's auth host unless absolute."""

    authorize_path: str
    token_path: str
    scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    pkce: bool = False
    #: False for CRMs whose tokens never expire and that issue no refresh token.
    refreshable: bool = True


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str | None = None
    expires_at: dt.datetime | None = None
    #: Whatever else the token response carried that the connector needs (instance_url…).
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_response(cls, body: dict[str, Any], previous: TokenSet | None = None) -> TokenSet:
        if not body.get("access_token"):
            raise CRMError("the token endpoint answered without an access_token")
        expires_in = body.get("expires_in")
        extra = {
            key: value
            for key, value in body.items()
            if key not in ("access_token", "refresh_token", "expires_in", "token_type")
        }
        return cls(
            access_token=body["access_token"],
            # A refresh answer may omit the refresh token: the old one stays valid.
            refresh_token=body.get("refresh_token") or (previous and previous.refresh_token),
            expires_at=now() + dt.timedelta(seconds=int(expires_in)) if expires_in else None,
            extra={**(previous.extra if previous else {}), **extra},
        )


def new_state() -> str:
    return secrets.token_urlsafe(24)


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_url(
    connector: Connector, *, state: str, redirect_uri: str, code_challenge: str | None
) -> str:
    oauth = connector.oauth
    params = {
        "response_type": "code",
        "client_id": connector.config.client_id,
        "redirect_uri": redirect_uri,
        "state": state,
    }
    if oauth.scopes:
        params["scope"] = oauth.scope_separator.join(oauth.scopes)
    if oauth.pkce and code_challenge:
        params["code_challenge"] = code_challenge
        params["code_challenge_method"] = "S256"
    return f"{connector.auth_url(oauth.authorize_path)}?{urlencode(params)}"


async def _token_request(
    http: httpx.AsyncClient, connector: Connector, form: dict[str, str], what: str
) -> dict[str, Any]:
    form = {
        **form,
        "client_id": connector.config.client_id,
        "client_secret": connector.config.client_secret,
    }
    try:
        response = await http.post(connector.auth_url(connector.oauth.token_path), data=form)
    except httpx.HTTPError as error:
        raise CRMError(
            f"{connector.label}: the token endpoint could not be reached ({error})"
        ) from error
    if response.status_code in (400, 401, 403):
        detail = connector.describe_error(response)
        if what == "refresh":
            raise ReconnectRequired(
                f"{connector.label} rejected the refresh token ({detail}): connect again",
                http_status=response.status_code,
            )
        raise CRMError(
            f"{connector.label} refused the authorization code ({detail})",
            http_status=response.status_code,
        )
    if response.is_error:
        raise CRMError(
            f"{connector.label}: token endpoint answered {response.status_code}",
            http_status=response.status_code,
        )
    return response.json()


async def exchange_code(
    http: httpx.AsyncClient,
    connector: Connector,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str | None = None,
) -> TokenSet:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if connector.oauth.pkce and code_verifier:
        form["code_verifier"] = code_verifier
    return TokenSet.from_response(await _token_request(http, connector, form, "code"))


async def refresh_tokens(
    http: httpx.AsyncClient, connector: Connector, tokens: TokenSet
) -> TokenSet:
    if not connector.oauth.refreshable or not tokens.refresh_token:
        raise ReconnectRequired(
            f"{connector.label} no longer accepts the access token and there is no refresh "
            "token: connect again"
        )
    form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token}
    body = await _token_request(http, connector, form, "refresh")
    return TokenSet.from_response(body, previous=tokens)
