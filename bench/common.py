"""What every benchmark shares: a scratch database of its own, and its figures written down.

A benchmark never works in the database it is pointed at: on PostgreSQL the URL names the
server (`postgresql://postgres@127.0.0.1:5432/postgres`) and the benchmark creates a database
of its own there, dropped afterwards; on SQLite it writes a new file in a temporary folder.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Scratch:
    workdir: Path
    #: "SQLite" or "PostgreSQL", for the printed figures.
    database: str

    @property
    def slug(self) -> str:
        return self.database.lower()


@contextmanager
def scratch_database(
    name: str, server_url: str | None, *, keep: bool = False, plugins: str | None = None
) -> Iterator[Scratch]:
    """Point Rapport's settings at a new database called ``name`` (on the PostgreSQL server
    of ``server_url``, else a SQLite file) and a new data folder; drop it on the way out
    unless ``keep``. ``plugins`` sets RAPPORT_LOAD_PLUGINS (None: whatever is installed)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    os.environ["RAPPORT_DATA_DIR"] = str(workdir)
    os.environ.setdefault("RAPPORT_SECRET_KEY", "bench")
    os.environ.setdefault("RAPPORT_ARGON2_PROFILE", "CHEAPEST")
    if plugins is not None:
        os.environ["RAPPORT_LOAD_PLUGINS"] = plugins
    if not server_url:
        os.environ["RAPPORT_DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite'}"
        yield Scratch(workdir, "SQLite")
        return
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    asyncio.run(pg_execute(server_url, drop))
    asyncio.run(pg_execute(server_url, f'CREATE DATABASE "{name}"'))
    os.environ["RAPPORT_DATABASE_URL"] = urlunparse(urlparse(server_url)._replace(path=f"/{name}"))
    try:
        yield Scratch(workdir, "PostgreSQL")
    finally:
        if not keep:
            asyncio.run(pg_execute(server_url, drop))


async def pg_execute(url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def load_average() -> float:
    """The one-minute load average: figures taken on a busy machine say so."""
    return os.getloadavg()[0]


def write_results(benchmark: str, scratch: Scratch, label: str, figures: Any) -> Path:
    """``bench/results/<benchmark>-<database>.json`` (not committed), with when and where."""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{benchmark}-{scratch.slug}.json"
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    out.write_text(
        json.dumps(
            {
                "database": label,
                "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": machine,
                "load_average": round(load_average(), 2),
                "figures": figures,
            },
            indent=2,
        )
    )
    return out
