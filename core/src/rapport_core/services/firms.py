"""Firms (tenants), their users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from rapport_core import audit
from rapport_core.actors import Actor
from rapport_core.clock import now
from rapport_core.errors import Invalid, NotFound
from rapport_core.schemas import FirmCreate, FirmOut, TokenOut, UserCreate, UserOut
from rapport_core.services.common import conflict_on_duplicate, transaction
from rapport_core.settings import get_settings
from rapport_core.tables import ApiToken, Firm, User
from rapport_core.vocabulary import Role


@cache
def _hasher() -> PasswordHasher:
    # Verification reads the parameters from each stored hash, so a profile change only
    # affects new passwords. Test suites may choose "CHEAPEST".
    return PasswordHasher.from_parameters(getattr(profiles, get_settings().argon2_profile))


TOKEN_PREFIX = "rpt_"


def _firm_out(row: dict) -> FirmOut:
    return FirmOut.model_validate(row)


def _user_out(row: dict) -> UserOut:
    return UserOut.model_validate({**row, "firm_id": row["firm"]})


async def create_firm(data: FirmCreate, *, actor_label: str = "cli") -> FirmOut:
    duplicate = conflict_on_duplicate(f"a firm with slug {data.slug!r} already exists", "slug")
    async with duplicate, transaction():
        firm = Firm(**data.model_dump(), created_at=now())
        await firm.save()
        out = _firm_out(firm.to_dict())
        await audit.record(
            Actor(firm_id=firm.id, label=actor_label, role=Role.owner),
            "firm.create",
            "firm",
            firm.id,
            after=out,
        )
    return out


async def list_firms() -> list[FirmOut]:
    return [_firm_out(row) for row in await Firm.select().order_by(Firm.id)]


async def firm_by_slug(slug: str) -> FirmOut:
    row = await Firm.select().where(Firm.slug == slug).first()
    if row is None:
        raise NotFound(f"no firm with slug {slug!r}", field="firm")
    return _firm_out(row)


async def default_firm(slug: str | None = None) -> FirmOut:
    """The firm named by ``slug``, or the only firm when there is exactly one."""
    if slug:
        return await firm_by_slug(slug)
    firms = await list_firms()
    if len(firms) == 1:
        return firms[0]
    if not firms:
        raise NotFound("there is no firm yet: run `rapport firm create` or `rapport demo load`")
    slugs = ", ".join(firm.slug for firm in firms)
    raise Invalid(f"there are several firms ({slugs}): choose one with --firm SLUG", field="firm")


async def get_firm(firm_id: int) -> FirmOut:
    row = await Firm.select().where(Firm.id == firm_id).first()
    if row is None:
        raise NotFound(f"firm {firm_id} not found")
    return _firm_out(row)


# ------------------------------------------------------------------------ users


async def create_user(actor: Actor, data: UserCreate) -> UserOut:
    actor.require_user_admin()
    email = data.email.lower()
    password_hash = _hasher().hash(data.password) if data.password else None
    duplicate = conflict_on_duplicate(f"a user with email {email} already exists", "email")
    async with duplicate, transaction():
        user = User(
            firm=actor.firm_id,
            email=email,
            name=data.name,
            role=data.role.value,
            password_hash=password_hash,
            active=True,
            created_at=now(),
        )
        await user.save()
        out = _user_out(user.to_dict())
        await audit.record(actor, "user.create", "user", user.id, after=out)
    return out


async def list_users(actor: Actor) -> list[UserOut]:
    rows = await User.select().where(User.firm == actor.firm_id).order_by(User.id)
    return [_user_out(row) for row in rows]


async def authenticate(email: str, password: str) -> UserOut | None:
    """The active user with this email and password, or None (same answer for every failure)."""
    row = await User.select().where(User.email == email.strip().lower()).first()
    if row is None or not row["active"] or not row["password_hash"]:
        # Spend the same effort as a real check so timing does not reveal which emails exist.
        _hasher().hash(password)
        return None
    try:
        _hasher().verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    await User.update({User.last_login_at: now()}).where(User.id == row["id"])
    return _user_out(row)


async def get_user(user_id: int) -> UserOut | None:
    row = await User.select().where(User.id == user_id).first()
    return _user_out(row) if row else None


def actor_for(user: UserOut) -> Actor:
    return Actor(firm_id=user.firm_id, label=user.email, role=user.role, user_id=user.id)


# ------------------------------------------------------------------------ API tokens


def _digest(token: str) -> str:
    # Tokens are 256-bit random strings, so a fast digest is safe; argon2 is for passwords.
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(actor: Actor, user_id: int, name: str) -> tuple[str, TokenOut]:
    """Create a token for ``user_id``; returns the token (shown once) and its record."""
    user = await User.select().where(User.id == user_id, User.firm == actor.firm_id).first()
    if user is None:
        raise NotFound(f"user {user_id} not found", field="user")
    if actor.user_id != user_id:
        actor.require_user_admin()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with transaction():
        row = ApiToken(
            firm=actor.firm_id,
            user=user_id,
            name=name,
            token_hash=_digest(token),
            prefix=token[:10],
            created_at=now(),
        )
        await row.save()
        out = TokenOut.model_validate(row.to_dict())
        await audit.record(actor, "token.create", "api_token", row.id, after=out)
    return token, out


async def list_tokens(actor: Actor, user_id: int) -> list[TokenOut]:
    rows = (
        await ApiToken.select()
        .where(ApiToken.user == user_id, ApiToken.firm == actor.firm_id)
        .order_by(ApiToken.id)
    )
    return [TokenOut.model_validate(row) for row in rows]


async def revoke_token(actor: Actor, token_id: int) -> None:
    row = (
        await ApiToken.select()
        .where(ApiToken.id == token_id, ApiToken.firm == actor.firm_id)
        .first()
    )
    if row is None:
        raise NotFound(f"token {token_id} not found")
    if actor.user_id != row["user"]:
        actor.require_user_admin()
    async with transaction():
        await ApiToken.update({ApiToken.revoked_at: now()}).where(ApiToken.id == token_id)
        await audit.record(actor, "token.revoke", "api_token", token_id)


async def user_for_token(token: str) -> UserOut | None:
    """The active user owning this unrevoked token; records when it was last used."""
    row = (
        await ApiToken.select()
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    user = await get_user(row["user"])
    if user is None or not user.active:
        return None
    await ApiToken.update({ApiToken.last_used_at: now()}).where(ApiToken.id == row["id"])
    return user
