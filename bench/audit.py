"""Benchmark: ``audit verify`` over a long audit log.

    python -m bench.audit                        # SQLite, 1,000,000 events
    python -m bench.audit --database-url postgresql://postgres@127.0.0.1:5432/postgres

Writes the events for one firm in bulk (sqlite3's executemany, asyncpg's COPY), each
chained to the one before exactly as ``audit.record`` chains them, then times the verify
walk and reports events per second and the process's peak memory while verifying. On
PostgreSQL a database of its own (``rapport_bench_audit``) is created and dropped."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import resource
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.common import scratch_database, write_results

PG_DATABASE = "rapport_bench_audit"
#: 1,000,000 events well under a minute.
TARGET_EVENTS_PER_SECOND = 1_000_000 / 60
BATCH = 10_000
COLUMNS = (
    "firm", "actor", "action", "subject_type", "subject_id", "before", "after", "at",
    "prev_hash", "hash",
)  # fmt: skip
ACTIONS = ("referral.create", "referral.stage", "partner.update", "agreement.upload")

console = Console()


@dataclass
class AuditFigures:
    events: int
    write_seconds: float
    verify_seconds: float
    #: CPU time of this process while verifying: what the walk costs when it need not wait
    #: for a busy machine (PostgreSQL's own work is not in it).
    verify_cpu_seconds: float
    verify_events_per_second: float
    peak_memory_mb: float
    chain_ok: bool


def _events(firm_id: int, prev_hash: str, count: int, start: dt.datetime) -> Iterator[list[dict]]:
    """``count`` plausible events in batches, chained from ``prev_hash``."""
    from rapport_core.audit.chain import event_hash

    rng = random.Random(11)
    batch: list[dict] = []
    for n in range(count):
        subject = rng.randrange(1, 200_000)
        event = {
            "firm": firm_id,
            "actor": f"user{rng.randrange(1, 40)}@bench.example",
            "action": ACTIONS[n % len(ACTIONS)],
            "subject_type": "referral",
            "subject_id": str(subject),
            "before": {"stage": "submitted", "version": 1},
            "after": {"stage": "acknowledged", "version": 2, "note": f"call {n}"},
            "at": start + dt.timedelta(seconds=n * 3),
            "prev_hash": prev_hash,
        }
        event["hash"] = prev_hash = event_hash(event)
        batch.append(event)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(event: dict, *, sqlite: bool) -> list:
    from rapport_core.audit.chain import json_text

    values = []
    for column in COLUMNS:
        value = event[column]
        if column in ("before", "after"):
            value = json_text(value)  # as audit.record stores them
        elif column == "at" and sqlite:
            value = str(value)  # as Piccolo stores it: 2026-01-31 09:00:00.123456+00:00
        values.append(value)
    return values


async def write_events(firm_id: int, count: int, tick: Callable[[int], None]) -> None:
    """Append ``count`` events to the firm's chain in bulk, then move its chain head."""
    from rapport_core.audit.tables import AuditChainHead
    from rapport_core.clock import now

    head = await AuditChainHead.select().where(AuditChainHead.firm == firm_id).first()
    start = now() - dt.timedelta(seconds=count * 3)
    url = os.environ["RAPPORT_DATABASE_URL"]
    last_hash, written = head["last_hash"], 0
    insert = f"INSERT INTO rapport_audit_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    if url.startswith("sqlite"):
        with sqlite3.connect(urlparse(url).path[1:]) as connection:
            for batch in _events(firm_id, last_hash, count, start):
                connection.executemany(insert, [_row(e, sqlite=True) for e in batch])
                last_hash, written = batch[-1]["hash"], written + len(batch)
                tick(len(batch))
            last_id = connection.execute("SELECT max(id) FROM rapport_audit_event").fetchone()[0]
    else:
        import asyncpg

        connection = await asyncpg.connect(url)
        try:
            for batch in _events(firm_id, last_hash, count, start):
                await connection.copy_records_to_table(
                    "rapport_audit_event",
                    records=[_row(e, sqlite=False) for e in batch],
                    columns=COLUMNS,
                )
                last_hash, written = batch[-1]["hash"], written + len(batch)
                tick(len(batch))
            last_id = await connection.fetchval("SELECT max(id) FROM rapport_audit_event")
            await connection.execute("ANALYZE rapport_audit_event")
        finally:
            await connection.close()
    await AuditChainHead.update(
        {
            AuditChainHead.last_hash: last_hash,
            AuditChainHead.last_event_id: last_id,
            AuditChainHead.events: head["events"] + written,
        }
    ).where(AuditChainHead.firm == firm_id)


def _reset_peak_memory() -> bool:
    """Linux: start the peak-memory (VmHWM) count afresh, so the figure is verify's own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_memory_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure(events: int) -> AuditFigures:
    from rapport_core import db
    from rapport_core.audit.verify import verify_chain
    from rapport_core.schemas import FirmCreate
    from rapport_core.services import firms

    await db.migrate()
    firm = await firms.create_firm(
        FirmCreate(name="Audit Bench", slug=f"audit-bench-{time.time_ns()}")
    )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        writing = progress.add_task("writing events", total=events)
        began = time.perf_counter()
        await write_events(firm.id, events, lambda n: progress.advance(writing, n))
        write_seconds = time.perf_counter() - began
        checking = progress.add_task("verifying", total=events + 1)
        _reset_peak_memory()
        began, cpu = time.perf_counter(), time.process_time()
        report = await verify_chain(firm.id, advance=lambda n: progress.advance(checking, n))
        verify_seconds = time.perf_counter() - began
        verify_cpu_seconds = time.process_time() - cpu
    return AuditFigures(
        events=report.events_checked,
        write_seconds=write_seconds,
        verify_seconds=verify_seconds,
        verify_cpu_seconds=verify_cpu_seconds,
        verify_events_per_second=report.events_checked / verify_seconds,
        peak_memory_mb=_peak_memory_mb(),
        chain_ok=report.ok,
    )


def report(figures: AuditFigures, label: str) -> None:
    console.print(f"[bold]Rapport audit verify benchmark[/] · {label}")
    console.print(
        f"events verified      {figures.events:>12,}  chain {'holds' if figures.chain_ok else 'BROKEN'}"
    )
    console.print(f"bulk write           {figures.write_seconds:>12,.1f} s")
    console.print(f"verify               {figures.verify_seconds:>12,.1f} s")
    console.print(
        f"verify, CPU time     {figures.verify_cpu_seconds:>12,.1f} s  (load average {os.getloadavg()[0]:.1f})"
    )
    console.print(f"verify rate          {figures.verify_events_per_second:>12,.0f} events/s")
    console.print(f"peak memory (verify) {figures.peak_memory_mb:>12,.0f} MB")
    # The chart: verify's rate against the target rate (│ = 1,000,000 events in a minute).
    width, rate = 40, figures.verify_events_per_second
    for name, value in (("target", TARGET_EVENTS_PER_SECOND), ("verify", rate)):
        filled = min(round(value / TARGET_EVENTS_PER_SECOND * width / 4), width)
        bar = ("█" * filled).ljust(width)
        bar = bar[: width // 4] + "│" + bar[width // 4 :]
        colour = "green" if rate >= TARGET_EVENTS_PER_SECOND else "red"
        console.print(f"{name:<8} [{colour}]{bar}[/] {value:>10,.0f}/s")


@click.command()
@click.option(
    "--database-url", default="", help="PostgreSQL server URL (default: a new SQLite file)."
)
@click.option("--events", default=1_000_000, show_default=True)
@click.option("--keep", is_flag=True, help="Keep the PostgreSQL database afterwards.")
def main(database_url: str, events: int, keep: bool) -> None:
    """Write a long audit chain in bulk and time `audit verify` over it."""
    with scratch_database(PG_DATABASE, database_url, keep=keep, plugins="") as scratch:
        figures = asyncio.run(measure(events))
    label = f"{scratch.database}, {events:,} events"
    report(figures, label)
    console.print(f"figures written to {write_results('audit', scratch, label, asdict(figures))}")
    sys.exit(
        0
        if figures.chain_ok and figures.verify_events_per_second >= TARGET_EVENTS_PER_SECOND
        else 1
    )


if __name__ == "__main__":
    main()
