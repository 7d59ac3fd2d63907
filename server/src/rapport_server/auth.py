"""Who is calling: bearer API tokens for ``/api``, signed session cookies for the web UI.

Either way the result is an :class:`~rapport_core.actors.Actor` bound to one firm, and every
service call is scoped to that firm.
"""

from __future__ import annotations

from litestar import Request
from litestar.exceptions import NotAuthorizedException
from rapport_core.actors import Actor
from rapport_core.services import firms

SESSION_USER_KEY = "user_id"


class LoginRequired(Exception):
    """Raised by UI dependencies; the app answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


async def token_actor(request: Request) -> Actor:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException(
            "send an API token as `Authorization: Bearer <token>` (create one with `rapport token create`)",
            headers={"WWW-Authenticate": 'Bearer realm="rapport"'},
        )
    user = await firms.user_for_token(token.strip())
    if user is None:
        raise NotAuthorizedException(
            "the API token is unknown, revoked, or its user is inactive",
            headers={"WWW-Authenticate": 'Bearer realm="rapport", error="invalid_token"'},
        )
    return firms.actor_for(user)


async def session_actor_or_none(request: Request) -> Actor | None:
    user_id = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    if not isinstance(user_id, int):
        return None
    user = await firms.get_user(user_id)
    if user is None or not user.active:
        request.clear_session()
        return None
    return firms.actor_for(user)


async def session_actor(request: Request) -> Actor:
    actor = await session_actor_or_none(request)
    if actor is None:
        query = request.url.query
        raise LoginRequired(f"{request.url.path}?{query}" if query else request.url.path)
    return actor


async def any_actor(request: Request) -> Actor:
    """Token or session: for read-only endpoints used by both people and programs."""
    if request.headers.get("authorization"):
        return await token_actor(request)
    actor = await session_actor_or_none(request)
    if actor is None:
        raise NotAuthorizedException("sign in or send an API token")
    return actor
