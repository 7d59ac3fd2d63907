"""Benchmark: importing a 50,000-row contacts export into a firm, then importing it again.

    python -m bench.import_csv                  # SQLite, 50,000 rows
    python -m bench.import_csv --database-url postgresql://postgres@127.0.0.1:5432/postgres

The file is a Google Contacts export (accents, quoted multi-line notes, a tenth of the rows
without an email, a few bad rows so skip-bad-rows has work). Each phase is timed through the
import service, as `rapport partners import` runs it: reading the file (twice: on upload
and on import), checking and matching every row, writing (multi-row INSERTs of partners and
audit events, in one transaction). The re-import
must create nothing. Prints a table and a chart; the target is the first import in < 20 s.
On PostgreSQL a database of its own (``rapport_bench_import``) is created and dropped."""

from __future__ import annotations

import asyncio
import random
import sys
import time
from dataclasses import dataclass

import click
from rich.console import Console
from rich.table import Table

from bench.common import load_average, scratch_database

PG_DATABASE = "rapport_bench_import"
TARGET_S = 20.0
console = Console()

FIRST = ["Ana", "Bo", "Chloé", "Dana", "Eli", "Fatima", "Gus", "Hana", "Iván", "Jo", "Kai",
         "Lena", "Marta", "Noor", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tomás"]  # fmt: skip
LAST = ["Lee", "Ortiz", "Núñez", "Park", "Smith", "Chen", "Rossi", "Kim", "Haddad", "Novak",
        "Okafor", "Silva", "Berg", "Dubois", "Khan", "Moreau"]  # fmt: skip
CITIES = [("Miami", "Florida"), ("Tampa", "FL"), ("Austin", "Texas"), ("Dallas", "TX"),
          ("Orlando", "FL"), ("Houston", "TX")]  # fmt: skip


def contacts_csv(rows: int, seed: int = 5) -> bytes:
    """A Google Contacts export of ``rows`` people (one in 500 with a bad email)."""
    from tests.importing.samples import google

    rng = random.Random(seed)
    people = []
    for n in range(rows):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, state = rng.choice(CITIES)
        email = f"{first.lower()}.{last.lower()}.{n}@example.com" if n % 10 else ""
        if n % 500 == 499:
            email = f"broken-{n}@"
        people.append(
            {
                "First Name": first,
                "Last Name": f"{last} {n}",
                "Organization Name": f"{last} & Partners {n % 900}",
                "Organization Title": rng.choice(["Partner", "CPA", "Advisor", ""]),
                "E-mail 1 - Value": email,
                "Phone 1 - Value": f"(305) 555-{n % 10000:04d}",
                "Address 1 - Street": f"{n % 999 + 1} Main St",
                "Address 1 - City": city,
                "Address 1 - Region": state,
                "Address 1 - Postal Code": f"{33000 + n % 999}",
                "Labels": "* myContacts ::: Referral partners",
                "Notes": "Met at the council,\nfollow up in spring" if n % 7 == 0 else "",
            }
        )
    return google(people).encode()


@dataclass
class Phase:
    name: str
    seconds: float  # wall clock
    cpu: float  # this process's CPU time: the work itself, on a busy machine too


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


async def _timed_import(actor, content: bytes, options, label: str):
    """One import through the service, split into phases by its progress reports."""
    from rapport_core.importing import service

    marks: dict[str, tuple[float, float]] = {}

    def progress(phase: str, done: int, total: int) -> None:
        marks.setdefault(phase, _clocks())  # when each phase starts

    started = _clocks()
    report = await service.import_file(actor, content, "contacts.csv", options, progress)
    done = _clocks()
    checking, writing = marks["checking"], marks.get("writing", done)
    spans = [
        ("read the file", started, checking),
        ("check and match rows", checking, writing),
        ("write", writing, done),
        ("total", started, done),
    ]
    phases = [Phase(f"{label}: {name}", b[0] - a[0], b[1] - a[1]) for name, a, b in spans]
    return phases, report.counts


async def measure(rows: int) -> tuple[list[Phase], dict]:
    """Import ``rows`` contacts into a new firm twice; the phases of each, and the counts."""
    from rapport_core import db
    from rapport_core.actors import Actor
    from rapport_core.importing.schemas import ImportMode, ImportOptions
    from rapport_core.schemas import FirmCreate
    from rapport_core.services import firms
    from rapport_core.vocabulary import Role

    await db.migrate()
    firm = await firms.create_firm(
        FirmCreate(name="Import Bench", slug=f"import-bench-{time.time_ns()}")
    )
    actor = Actor(firm_id=firm.id, label="bench", role=Role.owner)
    content = contacts_csv(rows)
    options = ImportOptions(mode=ImportMode.skip_bad_rows, default_profession="attorney")
    phases, counts = [], {}
    for label in ("import", "re-import"):
        timed, counts[label] = await _timed_import(actor, content, options, label)
        phases += timed
    return phases, counts


def report(phases: list[Phase], counts: dict, label: str) -> bool:
    table = Table(title=f"CSV import benchmark · {label}")
    table.add_column("phase")
    table.add_column("seconds", justify="right")
    table.add_column("CPU seconds", justify="right")
    for phase in phases:
        table.add_row(phase.name, f"{phase.seconds:,.2f}", f"{phase.cpu:,.2f}")
    console.print(table)
    for name, c in counts.items():
        console.print(
            f"{name}: {c.rows:,} rows, {c.created:,} created, {c.updated:,} updated, "
            f"{c.unchanged:,} unchanged, {c.skipped:,} skipped, {c.failed:,} failed"
        )
    console.print(f"seconds per phase (│ = the {TARGET_S:.0f} s target for a whole import)")
    width = 40
    for phase in phases:
        filled = min(round(phase.seconds / TARGET_S * width), width + 10)
        bar = ("█" * filled).ljust(width + 10)
        bar = bar[:width] + "│" + bar[width:]
        console.print(f"{phase.name[:34]:<34} {bar} {phase.seconds:>6.2f}")
    first = next(p for p in phases if p.name == "import: total")
    duplicated = counts["re-import"].created
    passed = first.seconds < TARGET_S and duplicated == 0
    verdict = "[green]ok[/]" if passed else "[red]missed[/]"
    console.print(f"first import {first.seconds:.1f} s (target < {TARGET_S:.0f} s); "
                  f"re-import created {duplicated}: {verdict}")  # fmt: skip
    return passed


@click.command()
@click.option("--database-url", default="", help="PostgreSQL server URL (default: SQLite).")
@click.option("--rows", default=50_000, show_default=True)
def main(database_url: str, rows: int) -> None:
    """Time importing a large contacts export, and importing it again."""
    with scratch_database(PG_DATABASE, database_url, plugins="") as scratch:  # built-ins only
        phases, counts = asyncio.run(measure(rows))
    label = f"{scratch.database}, {rows:,} rows, load average {load_average():.1f}"
    sys.exit(0 if report(phases, counts, label) else 1)


if __name__ == "__main__":
    main()
