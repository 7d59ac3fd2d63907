"""Shared test set-up: one fresh database per run, on SQLite or PostgreSQL.

By default the tests use a new SQLite file. With ``RAPPORT_TEST_DATABASE_URL`` set to a
PostgreSQL server (``postgresql://postgres@127.0.0.1:5432/postgres``), a new database is created
for the run and dropped afterwards. Each test makes its own firms, so tests never share rows.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

# Fixtures for tests in any folder: browsers, a signed-in web session, a seeded firm.
pytest_plugins = ("tests.browser", "tests.web", "tests.tenancy")

_RUN_DIR = Path(tempfile.mkdtemp(prefix="rapport-tests-"))
_PG_ADMIN_URL = os.environ.get("RAPPORT_TEST_DATABASE_URL", "")
_PG_DATABASE = f"rapport_test_{uuid.uuid4().hex[:10]}"


async def _pg_admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_PG_ADMIN_URL)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _configure_environment() -> None:
    """Runs before any rapport module reads its settings."""
    os.environ["RAPPORT_DATA_DIR"] = str(_RUN_DIR)
    os.environ["RAPPORT_SECRET_KEY"] = "test-secret-key"
    os.environ["RAPPORT_ARGON2_PROFILE"] = "CHEAPEST"  # real argon2, minimal cost
    os.environ.pop("RAPPORT_LOAD_PLUGINS", None)
    if _PG_ADMIN_URL:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{_PG_DATABASE}"'))
        os.environ["RAPPORT_DATABASE_URL"] = urlunparse(
            urlparse(_PG_ADMIN_URL)._replace(path=f"/{_PG_DATABASE}")
        )
    else:
        os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{_RUN_DIR / 'rapport.sqlite'}"


_configure_environment()


def pytest_report_header(config):
    return f"rapport database: {os.environ['RAPPORT_DATABASE_URL']}"


def pytest_unconfigure(config):
    if _PG_ADMIN_URL:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{_PG_DATABASE}" WITH (FORCE)'))


@pytest.fixture(scope="session", autouse=True)
def migrated_database() -> str:
    from rapport_core import db

    asyncio.run(db.migrate())
    return os.environ["RAPPORT_DATABASE_URL"]


# ------------------------------------------------------------------------ firms


ROLES = ("owner", "admin", "compliance", "member", "viewer")
PASSWORD = "correct horse battery"


@dataclass
class FirmFixture:
    """A firm with one user per role, an API token for each, and helpers."""

    id: int
    slug: str
    emails: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)

    def headers(self, role: str = "owner") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def actor(self, role: str = "owner"):
        from rapport_core.actors import Actor
        from rapport_core.vocabulary import Role

        return Actor(
            firm_id=self.id, label=self.emails[role], role=Role(role), user_id=self.user_ids[role]
        )


async def make_firm(name: str = "Test Firm") -> FirmFixture:
    from rapport_core.actors import Actor
    from rapport_core.schemas import FirmCreate, UserCreate
    from rapport_core.services import firms
    from rapport_core.vocabulary import Role

    slug = f"t-{uuid.uuid4().hex[:12]}"
    firm = await firms.create_firm(FirmCreate(name=name, slug=slug, jurisdictions=["FL"]))
    result = FirmFixture(id=firm.id, slug=slug)
    setup = Actor(firm_id=firm.id, label="test-setup", role=Role.owner)
    for role in ROLES:
        email = f"{role}-{slug}@example.com"
        user = await firms.create_user(
            setup, UserCreate(email=email, name=role.title(), role=role, password=PASSWORD)
        )
        token, _ = await firms.create_token(setup, user.id, "tests")
        result.emails[role], result.tokens[role], result.user_ids[role] = email, token, user.id
    return result


@pytest.fixture
async def firm() -> FirmFixture:
    return await make_firm("Firm A")


@pytest.fixture
async def other_firm() -> FirmFixture:
    return await make_firm("Firm B")


# ------------------------------------------------------------------------ app


@pytest.fixture(scope="session")
async def client():
    """An HTTP client talking to the real Litestar app (lifespan included) in this loop."""
    from litestar.testing import AsyncTestClient
    from rapport_server.app import create_app

    async with AsyncTestClient(app=create_app(pooled=False)) as test_client:
        yield test_client
