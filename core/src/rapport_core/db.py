"""Database engines and migrations.

Piccolo finds its engine through the module named by ``PICCOLO_CONF``; Rapport points that at
``rapport_core.piccolo_conf``, which builds the engine from ``RAPPORT_DATABASE_URL``.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

os.environ.setdefault("PICCOLO_CONF", "rapport_core.piccolo_conf")


class DatabaseURLError(ValueError):
    pass


def engine_for(url: str) -> Engine:
    """Build a Piccolo engine from ``sqlite:///path`` or ``postgresql://user:pw@host:port/db``."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # As elsewhere: sqlite:///relative.db and sqlite:////absolute/path.db
        path = unquote(parsed.path)[1:]
        if not path:
            raise DatabaseURLError(
                f"{url!r}: a SQLite URL needs a file path "
                "(sqlite:///relative.db or sqlite:////absolute/path.db)"
            )
        # `timeout`: wait for a writer instead of failing at once with "database is locked".
        return SQLiteEngine(path=path, timeout=30)
    if parsed.scheme in ("postgres", "postgresql"):
        return PostgresEngine(
            config={
                "host": parsed.hostname or "127.0.0.1",
                "port": parsed.port or 5432,
                "user": unquote(parsed.username or "postgres"),
                "password": unquote(parsed.password or ""),
                "database": parsed.path.lstrip("/") or "rapport",
            }
        )
    raise DatabaseURLError(
        f"RAPPORT_DATABASE_URL={url!r}: the scheme must be sqlite:// or postgresql://"
    )


async def migrate() -> list[str]:
    """Apply every pending migration, quietly; returns the ids applied, oldest first."""
    import contextlib
    import io

    from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
    from piccolo.apps.migrations.tables import Migration

    manager = ForwardsMigrationManager(app_name="rapport", migration_id="all")
    await manager.create_migration_table()
    app_config = manager.get_app_config("rapport")
    known = manager.get_migration_ids(
        manager.get_migration_modules(app_config.resolved_migrations_folder_path)
    )
    ran = await Migration.get_migrations_which_ran(app_name="rapport")
    pending = sorted(set(known) - set(ran))
    with contextlib.redirect_stdout(io.StringIO()) as chatter:
        result = await manager.run()
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}\n{chatter.getvalue()}")
    return pending


def current_engine() -> Engine:
    from rapport_core.tables import Firm

    return Firm._meta.db


async def open_pool(engine: Engine) -> None:
    """PostgreSQL: one connection pool for the server's lifetime (SQLite needs none)."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool()


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
