"""Benchmark: syncing 10,000 contacts from each installed connector's fake server.

    python -m bench.crm                        # SQLite, 10,000 contacts per connector
    python -m bench.crm --database-url postgresql://postgres@127.0.0.1:5432/postgres

For each connector with a fake server, on loopback, at the CRM's largest page size:

- **bare httpx**: an ``httpx.AsyncClient`` loop GETting exactly the pages the connector
  fetched (the URLs its client requested), and parsing their JSON: the floor;
- **SDK fetch**: ``fetch_pages`` through ``CRMClient`` (retries, rate-limit headers, refresh
  handling) with every record mapped to a ``ContactRecord``;
- **first sync**: the whole sync into an empty firm (10,000 partners created through the
  partner service, with links, audit events and per-page commits);
- **re-sync, nothing changed**: ``--full`` again (every record fetched, matched, unchanged);
- **rows alone**: the first sync's partners, links and audit events written again into
  another firm by bulk insert alone, from rows already built (no fetching, mapping,
  validation, matching or hooks): the database's share of a first sync, for context.

The SDK fetch, first sync and re-sync each have a target of at most 2× the floor. The fake
serves from a child process, as a CRM serves from its own machines: in this process its work
would compete with the sync's for the interpreter lock. Prints a table (wall seconds, and
this process's CPU seconds, the fake's not included) and a chart of each figure's ratio to
the bare loop; writes the figures as JSON to bench/results/ (see bench/README.md) with the
load average. Exits 1 if any figure misses its target.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import logging
import sys
import time
import uuid
from dataclasses import asdict, dataclass

import click
from rich.console import Console
from rich.table import Table

from bench.common import load_average, scratch_database, write_results

PG_DATABASE = "rapport_bench_crm"
TARGET_RATIO = 2.0
console = Console()


@dataclass
class Figure:
    connector: str
    name: str
    seconds: float
    ratio: float  # to the bare httpx loop
    target: float | None
    cpu: float  # this process's CPU seconds (the fake's are not): steadier than wall time


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = _clocks()
    return wall - start[0], cpu - start[1]


async def _bare_loop(urls: list[str], token: str) -> tuple[float, float]:
    import httpx

    started = _clocks()
    async with httpx.AsyncClient() as http:
        for url in urls:
            response = await http.get(url, headers={"Authorization": f"Bearer {token}"})
            response.raise_for_status()
            response.json()
    return _since(started)


async def _sdk_fetch(connector, tokens) -> tuple[tuple[float, float], int, list[str]]:
    """Every page through the SDK, each record mapped; and the URLs it requested."""
    import httpx
    from rapport_core.crm import CRMClient

    urls: list[str] = []

    async def remember(request: httpx.Request) -> None:
        urls.append(str(request.url))

    started = _clocks()
    count = 0
    async with httpx.AsyncClient(event_hooks={"request": [remember]}) as http:
        client = CRMClient(http, connector, tokens)
        async for page in connector.fetch_pages(client, None, since=None):
            count += sum(1 for raw in page.records if connector.contact(raw) is not None)
    return _since(started), count, urls


async def _rows_alone(source_firm: int, actor, connection_id: int) -> tuple[float, float]:
    """Write the first sync's rows again, into ``actor``'s firm, as its saves write them
    (multi-row inserts, the audit events chained) but from rows already built."""
    from rapport_core import audit
    from rapport_core.crm.tables import CrmLink
    from rapport_core.services.common import bulk_insert, collector_paused, transaction
    from rapport_core.tables import Partner

    def without_id(row: dict) -> dict:
        return {key: value for key, value in row.items() if key != "id"}

    partners = await Partner.select().where(Partner.firm == source_firm).order_by(Partner.id)
    links = {
        row["partner"]: row for row in await CrmLink.select().where(CrmLink.firm == source_firm)
    }
    started = _clocks()
    with collector_paused():
        async with transaction():
            rows = [{**without_id(p), "firm": actor.firm_id} for p in partners]
            ids = await bulk_insert(Partner, rows)
            link_rows = [
                {
                    **without_id(link := links[old["id"]]),
                    "firm": actor.firm_id,
                    "connection": connection_id,
                    "partner": new_id,
                    "key": f"{actor.firm_id}:{link['connector']}:{link['external_id']}",
                }
                for old, new_id in zip(partners, ids, strict=True)
            ]
            await bulk_insert(CrmLink, link_rows)
            await audit.record_many(
                actor,
                [
                    audit.Entry("partner.create", "partner", new_id, after=row | {"id": new_id})
                    for row, new_id in zip(rows, ids, strict=True)
                ],
            )
    return _since(started)


async def measure_connector(cls, contacts: int, *, fresh_quota: bool = True) -> list[Figure]:
    from rapport_core.actors import Actor
    from rapport_core.crm import ConnectorConfig, TokenSet
    from rapport_core.crm.connections import store_tokens
    from rapport_core.crm.sync import sync_connection
    from rapport_core.schemas import FirmCreate
    from rapport_core.services import firms
    from rapport_core.vocabulary import Role

    module, _, attr = cls.fake_server.partition(":")
    fake_class = getattr(importlib.import_module(module), attr)
    figures: list[Figure] = []
    fake = fake_class(count=contacts)

    async def wait_for_fresh_quota() -> None:
        """Wait out a short request window (HubSpot's 10 seconds) before a timed run that
        obeys rate-limit headers, so it starts with the quota a scheduled sync has: the runs
        before it, back to back, would have spent it (the bare loop ignores the headers)."""
        if fresh_quota and fake.rate_window <= 10:
            await asyncio.sleep(fake.rate_window)

    fake.bind()
    config = ConnectorConfig(fake.base_url, fake.client_id, fake.client_secret)
    connector = cls(config)
    tokens = TokenSet.from_response(fake.issue_tokens())  # before the fork: the child knows it
    with fake.in_child_process():
        sdk_seconds, mapped, urls = await _sdk_fetch(connector, tokens)
        assert mapped == contacts, f"{cls.name}: mapped {mapped} of {contacts}"
        bare = min([await _bare_loop(urls, tokens.access_token) for _ in range(3)])
        for _ in range(2):
            await wait_for_fresh_quota()
            sdk_seconds = min(sdk_seconds, (await _sdk_fetch(connector, tokens))[0])
        # (wall, cpu) of the fastest run

        firm = await firms.create_firm(
            FirmCreate(name=f"Bench CRM {cls.name}", slug=f"bench-{uuid.uuid4().hex[:10]}")
        )
        actor = Actor(firm_id=firm.id, label="bench", role=Role.owner)
        await store_tokens(actor, cls.name, tokens, config=config)

        await wait_for_fresh_quota()
        started = _clocks()
        first = await sync_connection(actor, cls.name, full=True, connector_class=cls)
        first_seconds = _since(started)
        assert first.created == contacts, first
        await wait_for_fresh_quota()
        started = _clocks()
        again = await sync_connection(actor, cls.name, full=True, connector_class=cls)
        again_seconds = _since(started)
        assert again.unchanged == contacts and again.created == 0, again

        copy = await firms.create_firm(
            FirmCreate(name=f"Bench CRM {cls.name} rows", slug=f"bench-{uuid.uuid4().hex[:10]}")
        )
        copy_actor = Actor(firm_id=copy.id, label="bench", role=Role.owner)
        connection = await store_tokens(copy_actor, cls.name, tokens, config=config)
        rows_seconds = await _rows_alone(firm.id, copy_actor, connection.id)

        pages = len(urls)
        label = f"{cls.label} ({pages} pages of {cls.page_size})"
        for name, (seconds, cpu), target in (
            ("bare httpx loop", bare, None),
            ("SDK fetch + map", sdk_seconds, TARGET_RATIO),
            ("first sync (creates all)", first_seconds, TARGET_RATIO),
            ("re-sync, nothing changed", again_seconds, TARGET_RATIO),
            ("rows alone (bulk insert)", rows_seconds, None),
        ):
            figures.append(Figure(label, name, seconds, seconds / bare[0], target, cpu))
    return figures


async def measure(
    contacts: int, names: list[str] | None = None, *, fresh_quota: bool = True
) -> list[Figure]:
    from rapport_core import db
    from rapport_core.crm.registry import installed_connectors

    await db.migrate()
    engine = db.current_engine()
    await db.open_pool(engine)  # as `rapport serve` runs (PostgreSQL; SQLite has none)
    figures: list[Figure] = []
    try:
        for name, cls in sorted(installed_connectors().items()):
            if cls.fake_server and (not names or name in names):
                figures.extend(await measure_connector(cls, contacts, fresh_quota=fresh_quota))
    finally:
        await db.close_pool(engine)
    return figures


def report(figures: list[Figure], label: str) -> None:
    table = Table(title=f"Rapport CRM sync benchmark · {label}")
    for heading in ("connector", "figure", "seconds", "CPU s", "× bare httpx", "target", ""):
        table.add_column(
            heading, justify="left" if heading in ("connector", "figure", "") else "right"
        )
    for f in figures:
        target = "" if f.target is None else f"≤ {f.target:.1f}×"
        verdict = (
            "" if f.target is None else "[green]ok[/]" if f.ratio <= f.target else "[red]over[/]"
        )
        table.add_row(
            f.connector,
            f.name,
            f"{f.seconds:.2f}",
            f"{f.cpu:.2f}",
            f"{f.ratio:.2f}",
            target,
            verdict,
        )
    console.print(table)
    console.print("time as a multiple of the bare httpx loop (each █ = 0.5×; │ = the 2× target)")
    width = 30
    for f in figures:
        filled = min(round(f.ratio * 2), width)
        bar = "█" * filled + " " * (width - filled)
        bar = bar[:4] + "│" + bar[4:]
        name = f.connector.split(" (")[0]
        console.print(f"{name[:10]:<10} {f.name[:24]:<24} {bar} {f.ratio:>5.1f}×", soft_wrap=True)


@click.command()
@click.option(
    "--database-url", default="", help="PostgreSQL server URL (default: a new SQLite file)."
)
@click.option("--contacts", default=10_000, show_default=True, help="Contacts per fake server.")
@click.option("--connector", "names", multiple=True, help="Only these connectors (repeatable).")
@click.option("--keep", is_flag=True, help="Keep the PostgreSQL database afterwards.")
def main(database_url: str, contacts: int, names: tuple[str, ...], keep: bool) -> None:
    """Time a 10,000-contact sync from each installed fake CRM against a bare httpx loop."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    crm_plugins = [
        ep.name
        for ep in importlib.metadata.entry_points(group="rapport")
        if ep.name.startswith("crm_")
    ]
    plugins = ",".join(["server", *crm_plugins])
    with scratch_database(PG_DATABASE, database_url, keep=keep, plugins=plugins) as scratch:
        figures = asyncio.run(measure(contacts, list(names)))
    label = (
        f"{scratch.database}, {contacts:,} contacts per connector, "
        f"load average {load_average():.1f}"
    )
    report(figures, label)
    out = write_results("crm", scratch, label, [asdict(f) for f in figures])
    console.print(f"figures written to {out}")
    sys.exit(0 if all(f.target is None or f.ratio <= f.target for f in figures) else 1)


if __name__ == "__main__":
    main()
