"""OAuth details every connector relies on: PKCE (S256) when the CRM supports it, the state
round trip, refresh keeping what the token endpoint leaves out, and tokens that never leak."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from rapport_core.crm import ConnectorConfig, CRMError, OAuthSettings, TokenSet, oauth
from rapport_crm_clio.connector import ClioConnector
from rapport_crm_clio.fake import FakeClio


class PkceClio(ClioConnector):
    oauth = OAuthSettings("/oauth/authorize", "/oauth/token", scopes=("contacts",), pkce=True)


def connector(fake: FakeClio) -> PkceClio:
    return PkceClio(ConnectorConfig(fake.base_url, fake.client_id, fake.client_secret))


async def authorize(fake: FakeClio, challenge: str) -> str:
    url = oauth.authorization_url(
        connector(fake), state="s1", redirect_uri="http://127.0.0.1:1/cb", code_challenge=challenge
    )
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["scope"] == ["contacts"]
    async with httpx.AsyncClient() as http:
        answer = await http.get(url)
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


async def test_pkce_verifier_must_match_the_challenge():
    with FakeClio(count=1) as fake:
        verifier, challenge = oauth.pkce_pair()
        async with httpx.AsyncClient() as http:
            code = await authorize(fake, challenge)
            with pytest.raises(CRMError) as refused:
                await oauth.exchange_code(
                    http, connector(fake), code=code, redirect_uri="http://127.0.0.1:1/cb",
                    code_verifier="not-the-verifier",
                )  # fmt: skip
            assert refused.value.http_status == 400
            code = await authorize(fake, challenge)
            tokens = await oauth.exchange_code(
                http, connector(fake), code=code, redirect_uri="http://127.0.0.1:1/cb",
                code_verifier=verifier,
            )  # fmt: skip
        assert tokens.access_token in fake.access_tokens and tokens.expires_at is not None


async def test_refresh_keeps_the_refresh_token_and_extras_it_was_not_sent_again():
    with FakeClio(count=1) as fake:
        first = TokenSet.from_response({**fake.issue_tokens(), "instance_url": "https://x"})
        async with httpx.AsyncClient() as http:
            fresh = await oauth.refresh_tokens(http, connector(fake), first)
        assert fresh.access_token != first.access_token
        assert fresh.refresh_token == first.refresh_token
        assert fresh.extra["instance_url"] == "https://x"


def test_no_access_token_is_an_error():
    with pytest.raises(CRMError):
        TokenSet.from_response({"error": "invalid_grant"})
